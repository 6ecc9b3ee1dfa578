package org.ocfupdate.update.engine.internal;

import org.ocfupdate.update.engine.UpdateStore;
import static org.ocfupdate.pstat.api.UpdateState.IDLE;
import static org.ocfupdate.pstat.api.UpdateState.NEW_VERSION_CHECK;
import static org.ocfupdate.pstat.api.UpdateState.UPGRADING;
import static org.ocfupdate.pstat.api.UpdateState.VERSION_AVAILABLE;
import static org.ocfupdate.pstat.api.UpdateState.VERSION_VALIDATION;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.ocfupdate.pstat.api.Dpm;
import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.update.engine.internal.Event.ActionFailed;
import org.ocfupdate.update.engine.internal.Event.CancelRequested;
import org.ocfupdate.update.engine.internal.Event.CheckRequested;
import org.ocfupdate.update.engine.internal.Event.InstallRequested;
import org.ocfupdate.update.engine.internal.Event.Installed;
import org.ocfupdate.update.engine.internal.Event.NoOffer;
import org.ocfupdate.update.engine.internal.Event.OfferFound;
import org.ocfupdate.update.engine.internal.Event.ProviderNews;
import org.ocfupdate.update.engine.internal.Event.Reset;
import org.ocfupdate.update.engine.internal.Event.Staged;
import org.ocfupdate.update.engine.internal.Event.Started;
import org.ocfupdate.update.engine.internal.Event.Tick;
import org.ocfupdate.update.engine.internal.Event.ValidateRequested;

/**
 * The state table of docs/software-update.md §2, in one place: for every (state, event type) the rule that answers
 * it — the next state with its {@code tm} (hence {@code cm} and {@code swupdatestate}), the result, and the effects
 * (start the worker or the installer, tell the provider, write the history). A pair without a row is a mistake that
 * {@code TransitionsTest} finds. Events of an action that is no longer the running one never reach the table
 * ({@link UpdateMachine#handle}).
 */
final class Transitions {

    /** One row: answers an event of type {@code E} in a state (runs on the machine's thread). */
    interface Rule<E extends Event> {
        UpdateMachine.Answer apply(UpdateMachine m, UpdateStore.Fields f, E event);
    }

    private static final Map<UpdateState, Map<Class<?>, Rule<?>>> TABLE = new EnumMap<>(UpdateState.class);

    private static final UpdateState[] RESTING = {IDLE, VERSION_AVAILABLE};
    private static final UpdateState[] BUSY = {NEW_VERSION_CHECK, VERSION_VALIDATION, UPGRADING};
    private static final UpdateState[] CHECKING = {NEW_VERSION_CHECK, VERSION_VALIDATION};

    static {
        // requests: in idle and version_available they start an action (version_available + tm 128 installs the
        // staged package); while an action runs they are refused (Decision "one request at a time")
        on(CheckRequested.class, (m, f, e) -> m.start(f, Dpm.ISAC, e.location()), RESTING);
        on(ValidateRequested.class, (m, f, e) -> m.start(f, Dpm.ISVV, e.location()), RESTING);
        on(InstallRequested.class, (m, f, e) -> m.start(f, Dpm.ISSU, e.location()), RESTING);
        on(CheckRequested.class, (m, f, e) -> m.busy(f), BUSY);
        on(ValidateRequested.class, (m, f, e) -> m.busy(f), BUSY);
        on(InstallRequested.class, (m, f, e) -> m.busy(f), BUSY);

        // cancel: a check or validation only, never an installation; back to idle (or version_available), result 0.
        // In version_available the provider that served the staged package withdraws it (a fleet server cancelled
        // the action): back to idle; a client has nothing to cancel there
        on(CancelRequested.class, (m, f, e) -> m.cancel(e), CHECKING);
        on(CancelRequested.class, (m, f, e) -> m.withdraw(f, e), RESTING);
        on(CancelRequested.class, (m, f, e) -> UpdateMachine.Answer.refused("an installation cannot be cancelled"),
                UPGRADING);

        // actions the device starts by itself
        on(ProviderNews.class, (m, f, e) -> m.news(f, e.provider()), RESTING);
        on(ProviderNews.class, (m, f, e) -> m.newsWhileBusy(f, e.provider()), BUSY);
        on(Tick.class, (m, f, e) -> m.tick(f), RESTING);
        on(Tick.class, (m, f, e) -> m.tickWhileBusy(), BUSY);

        // dos.s RESET: ends a check or validation and discards the staged package; refused while installing
        on(Reset.class, (m, f, e) -> m.reset(), RESTING);
        on(Reset.class, (m, f, e) -> m.reset(), CHECKING);
        on(Reset.class, (m, f, e) -> UpdateMachine.Answer.refused("dos.s cannot change while UPGRADING runs"),
                UPGRADING);

        // the first event: what the last process left (docs/software-update.md §2, "After a restart")
        on(Started.class, (m, f, e) -> m.recordStart(f), IDLE);
        on(Started.class, (m, f, e) -> m.restage(f), VERSION_AVAILABLE);
        on(Started.class, (m, f, e) -> m.interrupted(f), CHECKING);
        on(Started.class, (m, f, e) -> m.resumeInstallation(f), UPGRADING);

        // the running check or validation reports
        on(OfferFound.class, (m, f, e) -> m.offerFound(f, e.offer()), CHECKING);
        on(NoOffer.class, (m, f, e) -> m.end(UpdateResult.IDLE, null, "no newer version is offered", true),
                CHECKING);
        on(ActionFailed.class, (m, f, e) -> m.end(e.result(), null, e.reason(), true), CHECKING);
        on(Staged.class, (m, f, e) -> m.validated(f, e.pkg()), VERSION_VALIDATION);
        // the running installation reports; an installer that failed to start reports as a failed action
        on(Installed.class, (m, f, e) -> m.installed(e.outcome()), UPGRADING);
        on(ActionFailed.class, (m, f, e) -> m.end(e.result(), null, e.reason(), true), UPGRADING);

        // reports that no running action sends in these states (an action's reports follow its states)
        on(Staged.class, (m, f, e) -> m.unexpected(f, e), NEW_VERSION_CHECK, UPGRADING);
        on(Installed.class, (m, f, e) -> m.unexpected(f, e), CHECKING);
        on(OfferFound.class, (m, f, e) -> m.unexpected(f, e), UPGRADING);
        on(NoOffer.class, (m, f, e) -> m.unexpected(f, e), UPGRADING);
        for (Class<? extends Event> report : List.of(OfferFound.class, NoOffer.class, Staged.class,
                ActionFailed.class, Installed.class)) {
            on(report, (m, f, e) -> m.unexpected(f, e), RESTING); // no action runs in these states
        }
    }

    private Transitions() {
    }

    private static <E extends Event> void on(Class<E> type, Rule<E> rule, UpdateState... states) {
        for (UpdateState s : states) {
            if (TABLE.computeIfAbsent(s, k -> new HashMap<>()).putIfAbsent(type, rule) != null) {
                throw new IllegalStateException("two rows for " + s + " x " + type.getSimpleName());
            }
        }
    }

    /** The row for an event of {@code type} in {@code state}. */
    @SuppressWarnings("unchecked")
    static Optional<Rule<Event>> row(UpdateState state, Class<?> type) {
        return Optional.ofNullable((Rule<Event>) TABLE.getOrDefault(state, Map.of()).get(type));
    }

    /** Every event type: the records of the sealed {@link Event}, those of its sealed sub-interfaces included. */
    static List<Class<?>> eventTypes() {
        List<Class<?>> all = new ArrayList<>();
        collect(Event.class, all);
        return all;
    }

    private static void collect(Class<?> sealed, List<Class<?>> into) {
        for (Class<?> c : sealed.getPermittedSubclasses()) {
            if (c.isSealed()) {
                collect(c, into);
            } else {
                into.add(c);
            }
        }
    }
}
