package org.ocfupdate.update.engine.internal;

import org.ocfupdate.update.engine.UpdateCore.Work;
import org.ocfupdate.update.engine.UpdateStore;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.ocfupdate.pstat.api.Dpm;
import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.pstat.api.UpdateStatus;
import org.ocfupdate.pstat.api.provider.UpdateException;
import org.ocfupdate.pstat.api.provider.UpdateOffer;
import org.ocfupdate.pstat.api.provider.UpdateOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The software-update state machine (docs/software-update.md §2). One thread, {@code ocf-update-machine}, owns all of
 * its state — the persisted fields (through {@link UpdateStore}), the running action, the offer, the staged package —
 * and answers one {@link Event} at a time with the row of {@link Transitions}. Provider calls, fetching and
 * verification run on {@code ocf-update-worker}, an installation on its own {@code ocf-installer} thread; they only
 * report events. Synchronous callers ({@link #ask}, {@link #call}) wait for the machine's answer.
 */
public final class UpdateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(UpdateMachine.class);

    /** The machine's answer to an event: accepted, or refused with a diagnostic for the client. */
    public record Answer(boolean accepted, String diagnostic) {
        public static final Answer OK = new Answer(true, null);

        public static Answer refused(String why) {
            return new Answer(false, why);
        }
    }

    /** What the configuration sets, changed at runtime without disturbing a running action. */
    public record Settings(boolean autoInstall, int checkIntervalSeconds, InstallWindow window) {
        public static Settings autoInstall(boolean autoInstall) {
            return new Settings(autoInstall, 0, InstallWindow.ANY);
        }
    }

    private final UpdateStore store;
    private final Engine engine;
    private final History history;
    private final CheckSchedule schedule;
    private final UpdateClock clock;
    private final Handover handover;
    /** True once the framework has started every bundle: nothing starts by itself before, and {@link #settle} after. */
    private final BooleanSupplier started;
    private final Duration settle;
    private final ExecutorService machine = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ocf-update-machine");
        thread = t;
        return t;
    });
    private volatile Thread thread;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "ocf-update-worker"));
    /** Heartbeats waiting for the worker to be free or for the running action's next progress report. */
    private final Queue<Runnable> beats = new ConcurrentLinkedQueue<>();
    /** Counted down once {@link Event.Started} was answered: a view of the state waits for the recovery. */
    private final CountDownLatch recovered = new CountDownLatch(1);
    private volatile Settings settings;

    // owned by the machine's thread (written only there); job, offer and staged are volatile for status()
    private volatile Job job;
    private long jobs;
    private volatile Engine.Offer offer;
    private volatile Engine.Staged staged;
    private boolean active = true;
    private Instant startedAt;

    public UpdateMachine(UpdateStore store, Engine engine, History history, Settings settings, CheckSchedule schedule,
            UpdateClock clock, Handover handover, BooleanSupplier started, Duration settle) {
        this.store = store;
        this.engine = engine;
        this.history = history;
        this.settings = settings;
        this.schedule = schedule;
        this.clock = clock;
        this.handover = handover;
        this.started = started;
        this.settle = settle;
        schedule.configure(settings.checkIntervalSeconds(), true);
    }

    /**
     * Starts the machine: its first event recovers what the last process left unfinished (re-verifying a staged
     * package can take a while: never inside a DS constructor or activate, which SCR allows ~5 s).
     */
    public void start() {
        machine.execute(() -> {
            try {
                handle(new Event.Started());
            } catch (Throwable e) {
                LOG.error("Recovering the software-update state after the start failed", e);
            } finally {
                recovered.countDown();
            }
        });
    }

    /** Waits until the first event was answered (the views show the recovered state, not the stored one). */
    public void awaitStarted() {
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            recovered.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Tells the machine and waits for its answer. */
    public Answer ask(Event e) {
        return call(() -> handle(e));
    }

    /** Tells the machine without waiting (dropped once the machine stopped). */
    public void submit(Event e) {
        try {
            machine.execute(() -> {
                try {
                    handle(e);
                } catch (Throwable t) { // the machine lives on: one event's failure is that event's alone
                    LOG.error("The software-update state machine failed to handle {}", e, t);
                }
            });
        } catch (RejectedExecutionException stopped) {
            LOG.debug("{} after the state machine stopped", e);
        }
    }

    /**
     * Runs {@code work} on the machine's thread and waits for it: what must see and change the machine's state in
     * one step with other state (the pstat SVR's checks and writes). On the machine's own thread it runs at once.
     */
    @SuppressWarnings("unchecked")
    public <T, X extends Exception> T call(Work<T, X> work) throws X {
        if (Thread.currentThread() == thread) {
            return work.run();
        }
        Future<T> f = machine.submit(() -> work.run());
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the state machine", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw (X) c;
        }
    }

    /** New settings apply at once; a running action goes on. */
    public void configure(Settings next) {
        call(() -> {
            Settings before = settings;
            settings = next;
            if (before.checkIntervalSeconds() != next.checkIntervalSeconds()) {
                schedule.configure(next.checkIntervalSeconds(), false);
                LOG.info("Availability checks every {} s now{}", next.checkIntervalSeconds(),
                        schedule.next().map(t -> ", the next at " + t).orElse(" (none)"));
            }
            if (before.autoInstall() != next.autoInstall() || !before.window().equals(next.window())) {
                LOG.info("autoInstall {}, install window {}", next.autoInstall(), next.window());
            }
            return null;
        });
    }

    public Settings settings() {
        return settings;
    }

    /**
     * The console's and {@code /oc/swu}'s view: the state with the running action's progress. Read without waiting
     * for the machine: a notification runs inside a transition and may wait for a lock its reader holds
     * (Californium's {@code CoapResource.changed()} notifies under the resource's lock, and {@code /oc/swu}'s POST
     * calls it on a CoAP thread), so a reader that waited for the machine deadlocked the gateway. The fields are each
     * the latest the machine wrote; a transition under way may show its saved state before its offer.
     */
    public UpdateStatus status() {
        UpdateStore.Fields f = store.load();
        Job j = job;
        Engine.Staged pkg = staged;
        Engine.Offer o = offer;
        String offeredBy = pkg != null ? pkg.provider() : o != null ? o.provider() : null;
        return new UpdateStatus(f.state(), store.runningVersion(), f.nv(), UpdateResult.of(f.result()),
                f.lastUpdate(), j == null ? 0 : j.bytes(), j == null ? -1 : j.total(), offeredBy,
                j == null ? null : j.step());
    }

    /**
     * Runs {@code beat} when the machine and its worker are alive (issue 13): on the worker once it is free and the
     * machine answers, or at the running action's next progress report.
     */
    public void heartbeat(Runnable beat) {
        beats.add(beat);
        try {
            worker.execute(() -> {
                try {
                    call(() -> null); // the machine answers: no transition is stuck
                } catch (RuntimeException stopped) {
                    beats.remove(beat);
                    return;
                }
                beat();
            });
        } catch (RejectedExecutionException e) {
            beats.remove(beat); // stopped: a stopped state machine gives no sign of life
        }
    }

    /** Runs the waiting heartbeats, on the worker or from the running action's progress report. */
    private void beat() {
        for (Runnable b = beats.poll(); b != null; b = beats.poll()) {
            try {
                b.run();
            } catch (Throwable e) { // a caller's mistake must not end an action or the worker
                LOG.warn("A heartbeat failed", e);
            }
        }
    }

    /** Stops: the running check or validation is cancelled; an installation goes on and reports to the next revision. */
    public void stop() throws InterruptedException {
        Job running;
        try {
            running = call(() -> {
                active = false;
                return job;
            });
        } catch (RejectedExecutionException e) {
            return; // stopped before
        }
        if (running != null) {
            running.cancel();
        }
        worker.shutdown(); // no interrupt: a cancelled provider returns by itself, and a write is never torn
        if (!worker.awaitTermination(10, TimeUnit.SECONDS)) {
            worker.shutdownNow();
        }
        machine.shutdown();
        if (!machine.awaitTermination(10, TimeUnit.SECONDS)) {
            machine.shutdownNow();
        }
    }

    // ---- dispatch: on the machine's thread ----

    /** Answers one event: events of an action that no longer runs are dropped here, all others go to the table. */
    Answer handle(Event e) {
        if (!active) {
            return Answer.refused("the software-update state machine is stopped");
        }
        if (e instanceof Event.Report r && (job == null || r.action() != job.id())) {
            // a cancel or a reset ended it meanwhile: what it fetched goes (as the next action stages afresh)
            LOG.debug("{} of an action that no longer runs: dropped", e);
            if (e instanceof Event.Staged) {
                engine.discard();
            }
            return Answer.refused("the action no longer runs");
        }
        UpdateStore.Fields f = store.load();
        return Transitions.row(f.state(), e.getClass()).orElseThrow(() -> new IllegalStateException(
                "no row for " + f.state() + " x " + e.getClass().getSimpleName())).apply(this, f, e);
    }

    Answer busy(UpdateStore.Fields f) {
        return Answer.refused("a software-update action is running (" + f.state() + ")");
    }

    Answer unexpected(UpdateStore.Fields f, Event e) {
        LOG.warn("{} in {}: no action sends it there; ignored", e, f.state());
        return Answer.refused("unexpected in " + f.state());
    }

    /**
     * Starts the action of {@code tm} bit {@code bit} (docs/software-update.md §2): a check, or a validation that
     * first finds the offer, or an update that passes through validation unless a verified package is staged.
     */
    Answer start(UpdateStore.Fields f, int bit, URI location) {
        String inoperative = store.inoperative();
        if (inoperative != null) {
            return Answer.refused("software update needs dos.s RFNOP, not " + inoperative);
        }
        Job j = new Job(++jobs, store.runningVersion(), location);
        j.onProgress(this::beat); // a long transfer that makes progress is alive, though the worker is busy
        LOG.info("Software-update action tm {} started", bit);
        if (bit == Dpm.ISSU && f.state() == UpdateState.VERSION_AVAILABLE && staged != null) {
            j.step("installing");
            job = j;
            if (!first(j, f.withState(UpdateState.UPGRADING, Dpm.ISSU))) {
                return Answer.refused("cannot store the state");
            }
            install(j, staged);
            return Answer.OK;
        }
        UpdateState next = bit == Dpm.ISAC ? UpdateState.NEW_VERSION_CHECK : UpdateState.VERSION_VALIDATION;
        j.step("waiting for the worker");
        job = j;
        first(j, f.withState(next, bit));
        boolean restaging = staged != null;
        worker.execute(() -> checkAndValidate(j, restaging));
        return Answer.OK;
    }

    /** The first transition of a job; when it cannot be stored (a full disk), the job never started. */
    private boolean first(Job j, UpdateStore.Fields f) {
        try {
            store.save(f);
            return true;
        } catch (RuntimeException e) {
            j.cancel();
            if (job == j) {
                job = null;
            }
            throw e;
        }
    }

    /**
     * On the worker: finds the offer, validates; every outcome is an event. The machine is asked whether to go on
     * only when a package was staged as the action started (the offer may be that package: no download again);
     * otherwise the download starts at once, without waiting for the machine's answer (issue 15: 2-3 ms of the way to
     * {@code cm} 320), and the offer's event still reaches the machine before the validation's. A job cancelled
     * meanwhile stops its download by itself.
     */
    private void checkAndValidate(Job j, boolean restaging) {
        try {
            Optional<Engine.Offer> found = engine.check(j);
            if (found.isEmpty()) {
                report(new Event.NoOffer(j.id()));
                return;
            }
            if (!restaging) {
                submit(new Event.OfferFound(j.id(), found.get()));
            } else if (!report(new Event.OfferFound(j.id(), found.get())).accepted()) {
                return; // already staged, or the action ended meanwhile
            }
            report(new Event.Staged(j.id(), engine.validate(found.get(), j)));
        } catch (UpdateException e) {
            report(new Event.ActionFailed(j.id(), e.result(), e.getMessage()));
        } catch (Throwable e) {
            // any Throwable (a provider's StackOverflowError, issue 12 item 8) ends this action, or it would stay
            // running for good and refuse every later one
            LOG.error("Software-update action failed unexpectedly", e);
            report(new Event.ActionFailed(j.id(), UpdateResult.CONNECTION_FAILURE, "internal error: " + e));
        }
    }

    /** A report from the worker: it waits for the answer (nothing else to do meanwhile). */
    private Answer report(Event e) {
        try {
            return ask(e);
        } catch (RejectedExecutionException stopped) {
            return Answer.refused("the state machine stopped");
        }
    }

    /**
     * new_version_check (or the start of a validation) found an offer: on to validation, in one transition; or, from
     * version_available, the package is already staged (a fleet server now allows its installation): no download
     * again, back to version_available with what the offer now says, installing when the device may.
     */
    Answer offerFound(UpdateStore.Fields f, Engine.Offer o) {
        Job j = job;
        Engine.Staged pkg = staged;
        if (pkg != null && pkg.version().equals(o.offer().version()) && pkg.provider().equals(o.provider())
                && (o.offer().sha256() == null || pkg.sha256() == null
                        || o.offer().sha256().equalsIgnoreCase(pkg.sha256()))) {
            staged = pkg.with(o.offer());
            tell(j, UpdateOutcome.Action.CHECK, o.provider(), o.offer(), UpdateResult.SUCCESS, "offers "
                    + pkg.version() + ", already staged");
            end(UpdateResult.IDLE, null, pkg.version() + " is already staged", false);
            tick(store.load());
            return Answer.refused("already staged");
        }
        offer = o;
        UpdateStore.Fields s = f.withOutcome(f.result(), o.offer().version());
        // the device initiates the validation itself: tm 256 becomes 64; an update request keeps its 128
        int tm = s.tm() == Dpm.ISSU ? Dpm.ISSU : Dpm.ISVV;
        LOG.info("Version {} offered by {}; validating", o.offer().version(), o.provider());
        if (s.state() == UpdateState.VERSION_VALIDATION) {
            // a validation that found its offer: no transition; nv is saved with the next one (and an interrupted
            // validation ends in idle at the next start anyway)
            store.keep(s);
        } else {
            store.save(s.withState(UpdateState.VERSION_VALIDATION, tm));
        }
        tell(j, UpdateOutcome.Action.CHECK, o.provider(), o.offer(), UpdateResult.SUCCESS, "offers "
                + o.offer().version());
        return Answer.OK;
    }

    /** The offer is staged and verified: version_available, and on to upgrading when the device installs now. */
    Answer validated(UpdateStore.Fields s, Engine.Staged verified) {
        Job j = job;
        Engine.Offer o = offer;
        staged = o != null && o.offer().version().equals(verified.version()) ? verified.with(o.offer()) : verified;
        verified = staged;
        // a client's tm 128 never waits; the device installs by itself (autoInstall, a forced offer) only when the
        // source allows it and the install window is open, else it waits in version_available for the window
        boolean installNow = s.tm() == Dpm.ISSU || installsItself(verified);
        LOG.info("Version {} validated and staged", verified.version());
        if (!installNow && (settings.autoInstall() || verified.forceInstall())) {
            LOG.info("Version {} waits for {}", verified.version(), !verified.installAllowed()
                    ? "its provider to allow the installation" : "the install window " + settings.window());
        }
        store.save(s.withState(UpdateState.VERSION_AVAILABLE, s.tm() == Dpm.ISSU ? Dpm.ISSU : 0));
        tell(j, UpdateOutcome.Action.VALIDATE, verified.provider(), verified.toOffer(), UpdateResult.SUCCESS,
                "validated " + verified.version());
        if (installNow) {
            j.step("installing");
            store.save(store.load().withState(UpdateState.UPGRADING, Dpm.ISSU));
            install(j, verified);
        } else {
            job = null;
            history.add(entry(j, verified.version(), verified.provider(), UpdateResult.IDLE, "validated, staged"));
        }
        return Answer.OK;
    }

    /**
     * Installation runs on a thread of its own: none of the bundles it may update owns it (stack-notes.md). Its
     * typed outcome reaches whichever revision of this bundle is active when it ends ({@link Handover}).
     */
    private void install(Job j, Engine.Staged pkg) {
        engine.installing(pkg, Instant.ofEpochMilli(j.started()));
        var installation = handover.begin();
        await(j, installation);
        Instant began = Instant.ofEpochMilli(j.started());
        new Thread(() -> {
            UpdateOutcome outcome;
            try {
                String version = engine.install(pkg, j::step);
                outcome = installOutcome(pkg, version, UpdateResult.SUCCESS, "installed " + version, began);
            } catch (UpdateException e) {
                outcome = installOutcome(pkg, pkg.version(), e.result(), e.getMessage(), began);
            } catch (Throwable e) { // an Error too: the state machine must hear the end of every installation
                LOG.error("Installation failed unexpectedly", e);
                outcome = installOutcome(pkg, pkg.version(), UpdateResult.UPGRADE_FAILURE, "internal error: " + e,
                        began);
            }
            handover.end(installation, outcome);
        }, "ocf-installer").start();
    }

    private static UpdateOutcome installOutcome(Engine.Staged pkg, String version, UpdateResult result, String reason,
            Instant began) {
        UpdateOffer o = pkg.toOffer();
        if (!version.equals(o.version())) {
            o = UpdateOffer.builder(version, o.location()).sha256(o.sha256()).reference(o.reference()).build();
        }
        return new UpdateOutcome(UpdateOutcome.Action.INSTALL, o, result, reason, began,
                Duration.between(began, Instant.now()));
    }

    /**
     * The installation's end becomes an event of this machine (the revision that runs when it ends). An outcome of a
     * class this revision cannot read (pstat-api was replaced too) arrives as null: {@link #installed} reads the
     * journal.
     */
    private void await(Job j, CompletionStage<?> installation) {
        long id = j.id();
        installation.whenComplete((outcome, e) -> submit(new Event.Installed(id,
                outcome instanceof UpdateOutcome typed ? typed : null)));
    }

    Answer installed(UpdateOutcome outcome) {
        if (outcome == null) {
            String nv = store.load().nv();
            Optional<String> committed = engine.committedInstallation().filter(v -> v.equals(nv));
            return committed.isPresent() ? end(UpdateResult.SUCCESS, committed.get(), "installed " + nv, true)
                    : end(UpdateResult.UPGRADE_FAILURE, null, "the installation of " + nv + " did not commit", true);
        }
        if (outcome.succeeded()) {
            return end(UpdateResult.SUCCESS, outcome.offer().version(), outcome.reason(), true);
        }
        return end(outcome.result(), null, outcome.reason(), true);
    }

    /** Every action ends here: back to idle (or version_available), with its result recorded. */
    Answer end(UpdateResult result, String installed, String reason, boolean tell) {
        Job j = job;
        UpdateStore.Fields s = store.load();
        String to = installed != null ? installed : s.nv();
        // a check that failed before any offer names the provider it asked ("none" when there was none)
        String provider = staged != null ? staged.provider() : offer != null ? offer.provider()
                : j.provider() != null ? j.provider() : "none";
        UpdateState phase = s.state();
        Engine.Offer served = offer;
        Engine.Staged pkg = staged;
        if (installed != null) {
            s = s.withInstalled(installed, Instant.now().toString());
            staged = null;
        } else if (s.state() == UpdateState.UPGRADING) {
            s = s.withInstalled(s.version(), Instant.now().toString());
            staged = null;
        }
        if (staged == null) {
            engine.discard();
        }
        LOG.info("Software-update action tm {} ended: {} (result {})", s.tm(), reason, result.code());
        history.add(entry(j, to, provider, result, reason));
        job = null;
        offer = null;
        // an action started from version_available leaves the verified package staged: back there, not to idle
        UpdateState rest = staged != null ? UpdateState.VERSION_AVAILABLE : UpdateState.IDLE;
        store.save(s.withOutcome(result.code(), s.nv()).withState(rest, 0));
        // the provider that served it hears the outcome; an installation's only now that it committed or rolled back
        if (phase == UpdateState.UPGRADING) {
            engine.installed(result, reason);
        } else if (!tell) {
            return Answer.OK;
        } else if (phase == UpdateState.NEW_VERSION_CHECK && served == null) {
            tell(j, UpdateOutcome.Action.CHECK, j.provider(), null, result == UpdateResult.IDLE && !j.isCancelled()
                    ? UpdateResult.SUCCESS : result, reason);
        } else if (phase == UpdateState.VERSION_VALIDATION || phase == UpdateState.NEW_VERSION_CHECK) {
            tell(j, UpdateOutcome.Action.VALIDATE, provider, served != null ? served.offer()
                    : pkg != null ? pkg.toOffer() : null, result, reason);
        }
        return Answer.OK;
    }

    /** Tells the provider that served it how a check or validation ended (the engine passes it on). */
    private void tell(Job j, UpdateOutcome.Action action, String provider, UpdateOffer o, UpdateResult result,
            String reason) {
        if (provider == null || provider.isEmpty()) {
            return;
        }
        long ms = System.currentTimeMillis() - j.started();
        engine.completed(provider, new UpdateOutcome(action, o, result, reason, Instant.ofEpochMilli(j.started()),
                Duration.ofMillis(Math.max(0, ms))));
    }

    private History.Entry entry(Job j, String to, String provider, UpdateResult result, String reason) {
        return new History.Entry(Instant.now().toString(), j.runningVersion(), to == null ? "" : to,
                provider == null ? "" : provider, result.code(), System.currentTimeMillis() - j.started(), reason);
    }

    /** A client, the console or the provider that serves it cancels the running check or validation. */
    Answer cancel(Event.CancelRequested c) {
        Job j = job;
        if (j == null || (c.by() != null && !c.by().equals(j.provider()))) {
            return Answer.refused("no check or validation of " + (c.by() == null ? "anyone" : c.by()) + " runs");
        }
        j.cancel();
        end(UpdateResult.IDLE, null, c.by() == null ? "cancelled" : "cancelled by " + c.by() + ": " + c.reason(), true);
        return Answer.OK;
    }

    /**
     * The provider that served the package waiting in version_available withdraws it (a fleet server cancelled the
     * action after the download): it must not be installed, by a client or by the device itself, so it is discarded
     * and the state goes back to idle, result 0, with a history entry. A client's cancel, or another provider's,
     * changes nothing: no check or validation runs.
     */
    Answer withdraw(UpdateStore.Fields f, Event.CancelRequested c) {
        Engine.Staged pkg = staged;
        if (c.by() == null || pkg == null || !c.by().equals(pkg.provider())) { // staged: only in version_available
            return Answer.refused("no check or validation runs");
        }
        String reason = "withdrawn by " + c.by() + ": " + c.reason();
        LOG.info("The validated package {} is withdrawn by its provider {} ({}); back to idle", pkg.version(), c.by(),
                c.reason());
        staged = null;
        engine.discard();
        history.add(new History.Entry(Instant.now().toString(), store.runningVersion(), pkg.version(), c.by(),
                UpdateResult.IDLE.code(), 0, reason));
        store.save(f.withOutcome(UpdateResult.IDLE.code(), f.nv()).withState(UpdateState.IDLE, 0));
        return Answer.OK;
    }

    /** dos.s RESET: the running check or validation ends without a transition of its own; the staged files go. */
    Answer reset() {
        if (job != null) {
            job.cancel();
            job = null;
        }
        offer = null;
        staged = null;
        engine.discard();
        return Answer.OK;
    }

    /** A provider saw news (passed on by the engine when it is the provider in use): check when nothing runs. */
    Answer news(UpdateStore.Fields f, String provider) {
        String inoperative = store.inoperative();
        if (inoperative != null) {
            LOG.info("Provider {} saw news; no check started: dos.s is {}", provider, inoperative);
            return Answer.OK;
        }
        LOG.info("Provider {} saw news: availability check", provider);
        return start(f, Dpm.ISAC, null);
    }

    Answer newsWhileBusy(UpdateStore.Fields f, String provider) {
        LOG.info("Provider {} saw news; no check started: an action runs ({})", provider, f.state());
        return Answer.OK;
    }

    /** The framework has started and the gateway settled since: the device may start things by itself. */
    private boolean settled() {
        if (!started.getAsBoolean()) {
            return false;
        }
        if (startedAt == null) {
            startedAt = clock.now();
        }
        return !clock.now().isBefore(startedAt.plus(settle));
    }

    Answer tickWhileBusy() {
        settled(); // a due check waits for the running action to end
        return Answer.OK;
    }

    /**
     * On the timer: starts a due periodic check when nothing runs, and installs a staged package the device may
     * install by itself once the install window is open.
     */
    Answer tick(UpdateStore.Fields s) {
        if (!settled()) {
            return Answer.OK; // the gateway settles first (a check due during the downtime waits for it)
        }
        String inoperative = store.inoperative();
        if (schedule.due()) {
            schedule.checked();
            if (inoperative != null) {
                LOG.info("Periodic availability check skipped: dos.s is {}", inoperative);
            } else {
                LOG.info("Periodic availability check (checkIntervalSeconds {})", settings.checkIntervalSeconds());
                return start(s, Dpm.ISAC, null);
            }
        }
        if (s.state() == UpdateState.VERSION_AVAILABLE && staged != null && inoperative == null
                && installsItself(staged)) {
            LOG.info("Installing {} by itself: {}", staged.version(), settings.window().isAnyTime()
                    ? "no install window" : "the install window " + settings.window() + " is open");
            return start(s, Dpm.ISSU, null);
        }
        return Answer.OK;
    }

    /** May the device install this package now without a client's tm 128? */
    private boolean installsItself(Engine.Staged pkg) {
        Settings c = settings;
        return (c.autoInstall() || pkg.forceInstall()) && pkg.installAllowed() && c.window().contains(clock.localNow());
    }

    // ---- the first event: recovery after a start ----

    Answer recordStart(UpdateStore.Fields f) {
        return Answer.OK;
    }

    /** A verified staged package is verified again (docs/software-update.md §2, after a restart). */
    Answer restage(UpdateStore.Fields f) {
        staged = engine.restaged(store.runningVersion()).orElse(null);
        if (staged == null) {
            LOG.warn("The staged package no longer verifies after the restart; back to idle");
            store.save(f.withState(UpdateState.IDLE, 0).withOutcome(UpdateResult.VALIDATION_FAILURE.code(), f.nv()));
        }
        return Answer.OK;
    }

    /** An interrupted check or validation ends in idle with result 4 (docs/software-update.md §2). */
    Answer interrupted(UpdateStore.Fields f) {
        LOG.warn("The software-update action {} was interrupted by a restart; back to idle", f.state());
        engine.discard();
        store.save(f.withState(UpdateState.IDLE, 0).withOutcome(UpdateResult.CONNECTION_FAILURE.code(), f.nv()));
        return Answer.OK;
    }

    /**
     * In upgrading at the start: the installation that updated this bundle still runs in this JVM (its outcome comes
     * here), or the process ended during it — the engine's journal has rolled it back, or it had committed just
     * before. Only a commit of the version being installed counts: a process killed before the journal was written
     * leaves the previous installation's commit there.
     */
    Answer resumeInstallation(UpdateStore.Fields f) {
        Optional<CompletionStage<?>> running = handover.running();
        if (running.isPresent()) {
            Job j = new Job(++jobs, store.runningVersion(), null);
            job = j;
            store.keep(f.withState(UpdateState.UPGRADING, Dpm.ISSU));
            await(j, running.get());
            return Answer.OK;
        }
        String installing = f.nv();
        Optional<String> committed = engine.committedInstallation().filter(v -> v.equals(installing));
        String what = committed.map(v -> "it had completed, " + v + " runs")
                .orElse("it did not complete, " + store.runningVersion() + " runs");
        LOG.warn("An installation of {} was interrupted by a restart: {}", installing, what);
        String when = Instant.now().toString();
        history.add(new History.Entry(when, store.runningVersion(), installing == null ? "" : installing, "",
                committed.isPresent() ? UpdateResult.SUCCESS.code() : UpdateResult.UPGRADE_FAILURE.code(), 0,
                "interrupted by a restart: " + what));
        UpdateStore.Fields s = committed.map(v -> f.withInstalled(v, when).withOutcome(UpdateResult.SUCCESS.code(), v))
                .orElse(f.withInstalled(f.version(), when).withOutcome(UpdateResult.UPGRADE_FAILURE.code(), f.nv()))
                .withState(UpdateState.IDLE, 0);
        engine.discard();
        store.save(s);
        engine.installed(committed.isPresent() ? UpdateResult.SUCCESS : UpdateResult.UPGRADE_FAILURE,
                "interrupted by a restart: " + what);
        return Answer.OK;
    }
}
