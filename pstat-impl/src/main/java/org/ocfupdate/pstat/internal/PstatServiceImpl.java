package org.ocfupdate.pstat.internal;

import static org.ocfupdate.pstat.api.PstatRefusedException.Reason.BAD_REQUEST;
import static org.ocfupdate.pstat.api.PstatRefusedException.Reason.UNAUTHORIZED;

import java.net.URI;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

import org.ocfupdate.pstat.api.DeviceOnboardingState;
import org.ocfupdate.pstat.api.Dpm;
import org.ocfupdate.pstat.api.Pstat;
import org.ocfupdate.pstat.api.PstatChange;
import org.ocfupdate.pstat.api.PstatListener;
import org.ocfupdate.pstat.api.PstatRefusedException;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.api.ProviderInfo;
import org.ocfupdate.pstat.api.TrustedKey;
import org.ocfupdate.pstat.api.UpdateRecord;
import org.ocfupdate.pstat.api.UpdateStatus;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.pstat.internal.svr.SvrState;
import org.ocfupdate.pstat.internal.svr.SvrStore;
import org.ocfupdate.update.engine.UpdateCore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pstat SVR: dos, om, rowneruuid and the owner's checks. Its writes run on the software-update state machine's
 * thread ({@link UpdateCore#call}, update-engine), in one step with the machine's state: validate all-or-nothing,
 * persist, then publish the new snapshot to the listeners in order ({@link PstatFeed}). The software-update bits are
 * the machine's: a {@code tm} write asks it to start an action and the machine's answer is the client's.
 */
@Component
public class PstatServiceImpl implements PstatService {
    private static final Logger LOG = LoggerFactory.getLogger(PstatServiceImpl.class);
    /** Supported operational modes: client-directed only, as IoTivity-Lite. */
    static final int SM = PstatFeed.SM;

    private final SvrStore store;
    private final PstatFeed feed;
    private final UpdateCore machine;

    @Activate
    public PstatServiceImpl(@Reference SvrStore store, @Reference PstatFeed feed, @Reference UpdateCore machine) {
        this.store = store;
        this.feed = feed;
        this.machine = machine;
    }

    @Override
    public Pstat current() {
        // answered by the machine after the events before it (as the lock of old made a reader wait for a transition
        // under way), and never before the recovery of the state the last process left
        try {
            return machine.call(feed::current);
        } catch (RejectedExecutionException stopped) {
            return feed.current();
        }
    }

    @Override
    public Pstat update(PstatChange change, boolean owner) throws PstatRefusedException {
        return machine.call(() -> updateOnMachine(change, owner));
    }

    /** On the machine's thread: the SVR's checks and writes in one step with the software-update state. */
    private Pstat updateOnMachine(PstatChange change, boolean owner) throws PstatRefusedException {
        SvrState s = store.state();
        if (!owner && (change.dos() != null || change.om() != null || change.rowneruuid() != null)) {
            throw new PstatRefusedException(UNAUTHORIZED, "only the owner may write dos, om and rowneruuid");
        }
        if (change.om() != null) {
            int om = change.om();
            if (Integer.bitCount(om) != 1 || (om & SM) != om) {
                throw new PstatRefusedException(BAD_REQUEST, "om " + om + " is not a supported mode (sm " + SM + ")");
            }
        }
        if (change.rowneruuid() != null && !change.rowneruuid().equals(s.rowneruuid())
                && (s.dos() == DeviceOnboardingState.RFPRO || s.dos() == DeviceOnboardingState.RFNOP)) {
            throw new PstatRefusedException(BAD_REQUEST, "rowneruuid cannot change in " + s.dos());
        }
        int action = 0;
        if (change.tm() != null) {
            action = checkTm(change.tm(), s);
        }
        DeviceOnboardingState target = change.dos();
        if (target != null && target != s.dos()) {
            checkDos(s, target, action);
        }

        // all checks passed: apply
        SvrState next = s;
        if (change.om() != null) {
            next = next.withOm(change.om());
        }
        if (change.rowneruuid() != null) {
            next = next.withOwner(change.rowneruuid());
        }
        if (next != s) {
            publish(next, false);
        }
        if (target != null && target != next.dos()) {
            next = changeDos(next, target);
        }
        if (action != 0) {
            act(action, null);
        }
        return feed.current();
    }

    @Override
    public Pstat start(int bit, URI location) throws PstatRefusedException {
        return machine.call(() -> startOnMachine(bit, location));
    }

    private Pstat startOnMachine(int bit, URI location) throws PstatRefusedException {
        if (Integer.bitCount(bit) != 1 || (bit & Dpm.SOFTWARE_UPDATE) == 0) {
            throw new PstatRefusedException(BAD_REQUEST, "not a software-update action: " + bit);
        }
        SvrState s = store.state();
        if (checkTm(bit, s) == 0) {
            throw new PstatRefusedException(BAD_REQUEST, "a software-update action is running (" + s.update() + ")");
        }
        act(bit, location);
        return feed.current();
    }

    /** Returns the software-update bit requested, or 0 for a write that changes nothing. */
    private static int checkTm(int tm, SvrState s) throws PstatRefusedException {
        if (tm < 0 || tm > Dpm.MAX) {
            throw new PstatRefusedException(BAD_REQUEST, "tm must be 0.." + Dpm.MAX + ", not " + tm);
        }
        if ((tm & ~Dpm.SOFTWARE_UPDATE) != 0) {
            throw new PstatRefusedException(BAD_REQUEST, "only the software-update bits 64, 128, 256 may be set in tm");
        }
        int requested = tm & ~s.tm(); // writing back the running bit (or 0) is accepted and changes nothing
        if (requested == 0) {
            return 0;
        }
        if (Integer.bitCount(tm) > 1) {
            throw new PstatRefusedException(BAD_REQUEST, "set one of the tm bits 64, 128, 256 at a time");
        }
        if (s.update().isBusy()) {
            throw new PstatRefusedException(BAD_REQUEST, "a software-update action is running (" + s.update() + ")");
        }
        if (s.dos() != DeviceOnboardingState.RFNOP) {
            throw new PstatRefusedException(BAD_REQUEST, "software update needs dos.s RFNOP, not " + s.dos());
        }
        return requested;
    }

    private static void checkDos(SvrState s, DeviceOnboardingState to, int action) throws PstatRefusedException {
        if (action != 0) {
            throw new PstatRefusedException(BAD_REQUEST, "dos.s and a software-update bit cannot be written together");
        }
        if (s.update().isBusy() && !(to == DeviceOnboardingState.RESET && s.update() != UpdateState.UPGRADING)) {
            throw new PstatRefusedException(BAD_REQUEST, "dos.s cannot change while " + s.update() + " runs");
        }
        if (!DosTransitions.allowed(s.dos(), to, s.owned())) {
            throw new PstatRefusedException(BAD_REQUEST, "dos.s " + s.dos() + " -> " + to + " is not allowed"
                    + (s.owned() ? "" : " (doxm owned is false)"));
        }
        if (to == DeviceOnboardingState.RFPRO || to == DeviceOnboardingState.RFNOP) {
            // what an owned device has (docs/onboarding.md, "Entering RFPRO or RFNOP"); the owner's credential is
            // checked by /oic/sec/pstat, which sees the credentials
            if (SvrState.NIL.equals(s.di()) || SvrState.NIL.equals(s.devowneruuid())
                    || SvrState.NIL.equals(s.rowneruuid())) {
                throw new PstatRefusedException(BAD_REQUEST, "dos.s " + to + " needs non-nil deviceuuid, "
                        + "devowneruuid and rowneruuid");
            }
        }
    }

    private SvrState changeDos(SvrState s, DeviceOnboardingState to) {
        publish(s.withDos(to), true);
        if (to != DeviceOnboardingState.RESET) {
            SvrState done = s.withDos(to);
            publish(done, false);
            return done;
        }
        // RESET wipes the SVR state, enters RFOTM, and (until doxm ownership transfer exists) provisions a new
        // owner as on first start and moves on to RFNOP, so a reset device is never left unreachable.
        machine.reset(); // ends a check or validation, discards the staged package
        SvrState wiped = store.resetState();
        if (wiped.owned()) {
            LOG.warn("Factory reset of the security state: new owner {}", wiped.rowneruuid());
        } else {
            LOG.warn("Factory reset of the security state: RFOTM, waiting for an OCF onboarding tool");
        }
        publish(wiped.withDos(DeviceOnboardingState.RFOTM), true);
        publish(wiped, false);
        return wiped;
    }

    /** Asks the machine to start the action of {@code tm} bit {@code bit}; its refusal is the client's 4.00. */
    private void act(int bit, URI location) throws PstatRefusedException {
        String refused = machine.start(bit, location);
        if (refused != null) {
            throw new PstatRefusedException(BAD_REQUEST, refused);
        }
    }

    @Override
    public boolean cancel() {
        return machine.cancel();
    }

    @Override
    public UpdateStatus status() {
        return machine.status();
    }

    @Override
    public List<ProviderInfo> providers() {
        return machine.providers();
    }

    @Override
    public List<TrustedKey> trustedKeys() {
        return machine.trustedKeys();
    }

    @Override
    public List<UpdateRecord> history() {
        return machine.history();
    }

    private void publish(SvrState s, boolean pending) {
        feed.publish(s, pending);
    }

    @Override
    public void addListener(PstatListener listener) {
        feed.addListener(listener);
    }

    @Override
    public void removeListener(PstatListener listener) {
        feed.removeListener(listener);
    }

    /** WATCHDOG=1 only while the state machine and its worker are alive (progress reports count as life). */
    @Override
    public void heartbeat(Runnable beat) {
        machine.heartbeat(beat);
    }
}
