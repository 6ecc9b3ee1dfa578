package org.ocfupdate.pstat.internal;

import static org.ocfupdate.pstat.api.PstatRefusedException.Reason.BAD_REQUEST;
import static org.ocfupdate.pstat.api.PstatRefusedException.Reason.UNAUTHORIZED;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import java.util.concurrent.TimeUnit;

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
import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.UpdateStatus;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.pstat.api.provider.UpdateException;
import org.ocfupdate.pstat.api.provider.UpdateOffer;
import org.ocfupdate.pstat.api.provider.UpdateOutcome;
import org.ocfupdate.pstat.internal.engine.CheckSchedule;
import org.ocfupdate.pstat.internal.engine.Engine;
import org.ocfupdate.pstat.internal.engine.History;
import org.ocfupdate.pstat.internal.engine.InstallLock;
import org.ocfupdate.pstat.internal.engine.InstallWindow;
import org.ocfupdate.pstat.internal.engine.Job;
import org.ocfupdate.pstat.internal.engine.UpdateClock;
import org.ocfupdate.pstat.internal.svr.GatewayHome;
import org.ocfupdate.pstat.internal.svr.SvrState;
import org.ocfupdate.pstat.internal.svr.SvrStore;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pstat SVR. Every transition happens under this object's lock: validate all-or-nothing, persist, then
 * publish the new snapshot to the listeners in order. Software-update actions run on a worker and report back
 * through {@link #finish}.
 */
@Component(configurationPid = "org.ocfupdate.pstat")
@Designate(ocd = PstatServiceImpl.Config.class)
public class PstatServiceImpl implements PstatService {
    private static final Logger LOG = LoggerFactory.getLogger(PstatServiceImpl.class);
    /** Supported operational modes: client-directed only, as IoTivity-Lite. */
    static final int SM = 4;
    /** Set by gateway.jar's launcher when it installed its embedded bundles over an existing storage. */
    static final String JAR_APPLIED = "gateway.jar.applied";

    @ObjectClassDefinition(name = "OCF software update state machine",
            description = "The pstat tm/cm software-update state machine.")
    public @interface Config {
        @AttributeDefinition(description = "Install a validated package without waiting for tm 128 (inside the "
                + "install window).")
        boolean autoInstall() default false;

        @AttributeDefinition(description = "Seconds between autonomous availability checks (tm 256 by the device, "
                + "+/-10 % random jitter); 0 = none.", min = "0")
        int checkIntervalSeconds() default 0;

        @AttributeDefinition(description = "When the device installs on its own (autoInstall, forced offers), local "
                + "time: e.g. 02:00-04:00, or Sat,Sun 00:00-06:00; several separated by ';'; empty = any time. A tm "
                + "128 from a client is never delayed.")
        String installWindow() default "";

        @AttributeDefinition(description = "The provider.name of the update provider to use while it is present "
                + "(the console's and the shell's choice); empty: the one with the highest service.ranking.")
        String preferredProvider() default "";
    }

    /** What {@link Config} sets, changed at runtime by {@link #modified} without disturbing a running action. */
    record Settings(boolean autoInstall, int checkIntervalSeconds, InstallWindow window) {
        static Settings autoInstall(boolean autoInstall) {
            return new Settings(autoInstall, 0, InstallWindow.ANY);
        }
    }

    /** How often the timer looks whether a check is due or the install window opened. */
    static final long TICK_MS = 1000;

    private final SvrStore store;
    private final Engine engine;
    private final History history;
    private volatile Settings settings;
    private final CheckSchedule schedule;
    private final UpdateClock clock;
    private final List<PstatListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "ocf-update-worker"));
    /** Periodic checks, the install window, and providers' news: actions the device starts by itself. */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "ocf-update-timer"));
    /** Heartbeats waiting for the worker to be free or for the running action's next progress report. */
    private final Queue<Runnable> beats = new ConcurrentLinkedQueue<>();
    private Pstat current;
    private Job job;
    private long jobs;
    private Engine.Offer offer;
    private Engine.Staged staged;
    private boolean active = true;

    @Activate
    public PstatServiceImpl(BundleContext context, @Reference SvrStore store, @Reference Engine engine,
            @Reference History history, Config config) {
        this(store, engine, history, settings(config, null), context.getProperty(JAR_APPLIED),
                new CheckSchedule(GatewayHome.data(context).resolve("schedule"), UpdateClock.SYSTEM,
                        new SecureRandom()), UpdateClock.SYSTEM, TICK_MS,
                () -> context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).getState() == Bundle.ACTIVE, SETTLE);
    }

    /** The device starts nothing by itself until the framework started every bundle, and this long after. */
    static final Duration SETTLE = Duration.ofSeconds(5);
    /** True once the framework has started every bundle. */
    private final BooleanSupplier started;
    private final Duration settle;
    /** When {@link #tick} first saw the framework started. */
    private Instant startedAt;

    PstatServiceImpl(SvrStore store, Engine engine, History history, boolean autoInstall) {
        this(store, engine, history, autoInstall, null);
    }

    PstatServiceImpl(SvrStore store, Engine engine, History history, boolean autoInstall, String jarApplied) {
        this(store, engine, history, Settings.autoInstall(autoInstall), jarApplied,
                new CheckSchedule(null, UpdateClock.SYSTEM, new SecureRandom()), UpdateClock.SYSTEM, TICK_MS,
                () -> true, Duration.ZERO);
    }

    /**
     * @param jarApplied the release of a gateway.jar whose bundles were installed at this start (launch.Main)
     * @param tickMs     how often the timer runs {@link #tick}; 0: never (unit tests call it)
     * @param started    true once the framework started every bundle: nothing starts by itself before
     * @param settle     and for this long after
     */
    PstatServiceImpl(SvrStore store, Engine engine, History history, Settings settings, String jarApplied,
            CheckSchedule schedule, UpdateClock clock, long tickMs, BooleanSupplier started, Duration settle) {
        this.started = started;
        this.settle = settle;
        this.store = store;
        this.engine = engine;
        this.history = history;
        this.settings = settings;
        this.schedule = schedule;
        this.clock = clock;
        schedule.configure(settings.checkIntervalSeconds(), true);
        recordJar(jarApplied);
        startUp();
        engine.listen(new Engine.Listener() {
            @Override
            public void offerMayHaveChanged(String provider) {
                newsFrom(provider);
            }

            @Override
            public boolean cancel(String provider, String reason) {
                return cancelFor(provider, reason);
            }
        });
        if (tickMs > 0) {
            timer.scheduleWithFixedDelay(this::tick, tickMs, tickMs, TimeUnit.MILLISECONDS);
        }
    }

    /** The state after a start: an action the last process left unfinished ends here. */
    private void startUp() {
        SvrState s = store.state();
        switch (s.update()) {
            case IDLE -> { }
            case VERSION_AVAILABLE -> {
                // a verified staged package is verified again (docs/software-update.md §2, after a restart)
                staged = engine.restaged(store.softwareVersion()).orElse(null);
                if (staged == null) {
                    LOG.warn("The staged package no longer verifies after the restart; back to idle");
                    s = s.withUpdate(UpdateState.IDLE, 0).withOutcome(UpdateResult.VALIDATION_FAILURE.code(), s.nv());
                    store.save(s);
                }
            }
            case UPGRADING -> {
                CompletableFuture<String> running = InstallLock.running();
                if (running != null) {
                    // the running installation updated this bundle: its installer thread reports to this revision
                    s = s.withUpdate(UpdateState.UPGRADING, Dpm.ISSU);
                    Job j = new Job(++jobs, store.softwareVersion(), null);
                    job = j;
                    current = snapshot(s, false);
                    running.whenComplete((outcome, e) -> installationEnded(j, outcome));
                    return;
                }
                // the process ended during an installation: the engine's journal has rolled it back, or it had
                // committed just before. Only a commit of the version being installed counts: a process killed
                // before the journal was written leaves the previous installation's commit there
                String installing = s.nv();
                Optional<String> committed = engine.committedInstallation().filter(v -> v.equals(installing));
                String what = committed.map(v -> "it had completed, " + v + " runs")
                        .orElse("it did not complete, " + store.softwareVersion() + " runs");
                LOG.warn("An installation of {} was interrupted by a restart: {}", installing, what);
                String when = Instant.now().toString();
                history.add(new History.Entry(when, store.softwareVersion(), installing == null ? "" : installing, "",
                        committed.isPresent() ? UpdateResult.SUCCESS.code() : UpdateResult.UPGRADE_FAILURE.code(), 0,
                        "interrupted by a restart: " + what));
                s = committed.map(v -> store.state().withInstalled(v, when).withOutcome(UpdateResult.SUCCESS.code(), v))
                        .orElse(store.state().withInstalled(store.state().version(), when)
                                .withOutcome(UpdateResult.UPGRADE_FAILURE.code(), store.state().nv()))
                        .withUpdate(UpdateState.IDLE, 0);
                engine.discard();
                store.save(s);
                engine.installed(committed.isPresent() ? UpdateResult.SUCCESS : UpdateResult.UPGRADE_FAILURE,
                        "interrupted by a restart: " + what);
            }
            default -> {
                // an interrupted check or validation ends here (docs/software-update.md §2)
                LOG.warn("The software-update action {} was interrupted by a restart; back to idle", s.update());
                engine.discard();
                s = s.withUpdate(UpdateState.IDLE, 0).withOutcome(UpdateResult.CONNECTION_FAILURE.code(), s.nv());
                store.save(s);
            }
        }
        current = snapshot(s, false);
    }

    /**
     * The operator installed another gateway.jar (or deleted the framework storage): its embedded bundles replaced
     * those an update had installed, so {@code sv} is the jar's release again and the history says why.
     */
    private void recordJar(String release) {
        SvrState s = store.state();
        if (release == null || s.version() == null || release.equals(s.version()) || s.update() == UpdateState.UPGRADING) {
            return;
        }
        LOG.warn("gateway.jar {} was installed: its bundles replace those of update {}", release, s.version());
        String now = Instant.now().toString();
        history.add(new History.Entry(now, s.version(), release, "gateway.jar", UpdateResult.SUCCESS.code(), 0,
                "gateway.jar " + release + " installed by the operator"));
        store.save(s.withInstalled(release, now));
    }

    /**
     * {@code installWindow} and the other settings as configured; a window that does not parse is refused with an
     * error that says why, and the one in force before stays (at the start: no autonomous installation until the
     * text is corrected — installing outside the hours an operator meant is worse than waiting).
     */
    static Settings settings(Config c, InstallWindow before) {
        InstallWindow w;
        try {
            w = InstallWindow.parse(c.installWindow());
        } catch (IllegalArgumentException e) {
            w = before != null ? before : InstallWindow.NEVER;
            LOG.error("org.ocfupdate.pstat installWindow '{}' refused: {}; {}", c.installWindow(), e.getMessage(),
                    before != null ? "the window stays " + before
                            : "no installation starts on its own until it is corrected");
        }
        if (c.checkIntervalSeconds() < 0) {
            LOG.error("org.ocfupdate.pstat checkIntervalSeconds {} refused: it must be 0 (no checks) or more; no "
                    + "periodic checks", c.checkIntervalSeconds());
        }
        return new Settings(c.autoInstall(), Math.max(0, c.checkIntervalSeconds()), w);
    }

    /** New settings apply at once; a running action goes on (DS would otherwise rebuild the component). */
    @Modified
    void modified(Config config) {
        Settings next = settings(config, settings.window());
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
    }

    /**
     * On the timer: starts a due periodic check when nothing runs (a due check waits for a running action to end),
     * and installs a staged package the device may install by itself once the install window is open.
     */
    void tick() {
        try {
            synchronized (this) {
                if (!active || !started.getAsBoolean()) {
                    return;
                }
                if (startedAt == null) {
                    startedAt = clock.now();
                }
                if (clock.now().isBefore(startedAt.plus(settle))) {
                    return; // the gateway settles first (a check due during the downtime waits for it)
                }
                SvrState s = store.state();
                if (schedule.due()) {
                    if (s.dos() != DeviceOnboardingState.RFNOP) {
                        schedule.checked(); // not operational: this one is skipped
                        LOG.info("Periodic availability check skipped: dos.s is {}", s.dos());
                    } else if (job == null && !s.update().isBusy()) {
                        schedule.checked();
                        LOG.info("Periodic availability check (checkIntervalSeconds {})",
                                settings.checkIntervalSeconds());
                        start(s, Dpm.ISAC, null);
                        return;
                    }
                }
                if (job == null && s.update() == UpdateState.VERSION_AVAILABLE && staged != null
                        && s.dos() == DeviceOnboardingState.RFNOP && installsItself(staged)) {
                    LOG.info("Installing {} by itself: {}", staged.version(), settings.window().isAnyTime()
                            ? "no install window" : "the install window " + settings.window() + " is open");
                    start(s, Dpm.ISSU, null);
                }
            }
        } catch (Throwable e) { // the timer lives on: the next tick tries again
            LOG.warn("The update timer failed", e);
        }
    }

    /** May the device install this package now without a client's tm 128? */
    private boolean installsItself(Engine.Staged pkg) {
        Settings c = settings;
        return (c.autoInstall() || pkg.forceInstall()) && pkg.installAllowed() && c.window().contains(clock.localNow());
    }

    /** A provider saw news: the engine passes it on when that provider is the one in use. */
    private void newsFrom(String provider) {
        try {
            timer.execute(() -> {
                try {
                    synchronized (this) {
                        SvrState s = store.state();
                        if (!active) {
                            return;
                        }
                        if (job != null || s.update().isBusy() || s.dos() != DeviceOnboardingState.RFNOP) {
                            LOG.info("Provider {} saw news; no check started: {}", provider, job != null
                                    || s.update().isBusy() ? "an action runs (" + s.update() + ")" : "dos.s is " + s.dos());
                            return;
                        }
                        LOG.info("Provider {} saw news: availability check", provider);
                        start(s, Dpm.ISAC, null);
                    }
                } catch (Throwable e) {
                    LOG.warn("The check for provider {}'s news failed to start", provider, e);
                }
            });
        } catch (RejectedExecutionException e) {
            // deactivated
        }
    }

    /** A provider cancels its running check or validation (never an installation). */
    private synchronized boolean cancelFor(String provider, String reason) {
        SvrState s = store.state();
        Job j = job;
        if (j == null || !provider.equals(j.provider()) || s.update() == UpdateState.UPGRADING
                || !s.update().isBusy()) {
            return false;
        }
        j.cancel();
        end(j, UpdateResult.IDLE, null, "cancelled by " + provider + ": " + reason);
        return true;
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        Job running;
        synchronized (this) {
            active = false;
            running = job;
        }
        engine.listen(null);
        timer.shutdownNow();
        if (running != null) {
            running.cancel();
        }
        worker.shutdown(); // no interrupt: a cancelled provider returns by itself, and a write is never torn
        if (!worker.awaitTermination(10, TimeUnit.SECONDS)) {
            worker.shutdownNow();
        }
    }

    @Override
    public synchronized Pstat current() {
        return current;
    }

    @Override
    public synchronized Pstat update(PstatChange change, boolean owner) throws PstatRefusedException {
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
            start(next, action, null);
        }
        return current;
    }

    @Override
    public synchronized Pstat start(int bit, URI location) throws PstatRefusedException {
        if (Integer.bitCount(bit) != 1 || (bit & Dpm.SOFTWARE_UPDATE) == 0) {
            throw new PstatRefusedException(BAD_REQUEST, "not a software-update action: " + bit);
        }
        SvrState s = store.state();
        if (checkTm(bit, s) == 0) {
            throw new PstatRefusedException(BAD_REQUEST, "a software-update action is running (" + s.update() + ")");
        }
        start(s, bit, location);
        return current;
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
        if (!DosTransitions.allowed(s.dos(), to, true)) {
            throw new PstatRefusedException(BAD_REQUEST, "dos.s " + s.dos() + " -> " + to + " is not allowed");
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
        if (job != null) {
            job.cancel();
            job = null;
        }
        offer = null;
        staged = null;
        engine.discard();
        SvrState wiped = store.resetState();
        LOG.warn("Factory reset of the security state: new owner {}", wiped.rowneruuid());
        publish(wiped.withDos(DeviceOnboardingState.RFOTM), true);
        publish(wiped, false);
        return wiped;
    }

    /**
     * Starts the action of {@code tm} bit {@code bit} (docs/software-update.md §2): a check, or a validation that
     * first finds the offer, or an update that passes through validation unless a verified package is staged.
     */
    private void start(SvrState s, int bit, URI location) {
        job = new Job(++jobs, store.softwareVersion(), location);
        Job j = job;
        j.onProgress(this::beat); // a long transfer that makes progress is alive, though the worker is busy
        LOG.info("Software-update action tm {} started", bit);
        if (bit == Dpm.ISSU && s.update() == UpdateState.VERSION_AVAILABLE && staged != null) {
            j.step("installing");
            publishOrDrop(j, s.withUpdate(UpdateState.UPGRADING, Dpm.ISSU));
            install(j, staged);
            return;
        }
        UpdateState first = bit == Dpm.ISAC ? UpdateState.NEW_VERSION_CHECK : UpdateState.VERSION_VALIDATION;
        j.step("waiting for the worker");
        publishOrDrop(j, s.withUpdate(first, bit));
        worker.execute(() -> checkAndValidate(j, bit));
    }

    /** The first transition of a job; when it cannot be stored (a full disk), the job never started. */
    private void publishOrDrop(Job j, SvrState s) {
        try {
            publish(s, false);
        } catch (RuntimeException e) {
            if (job == j) {
                job = null;
            }
            throw e;
        }
    }

    private void checkAndValidate(Job j, int bit) {
        try {
            Optional<Engine.Offer> found = engine.check(j);
            if (found.isEmpty()) {
                end(j, UpdateResult.IDLE, null, "no newer version is offered");
                return;
            }
            if (sameAsStaged(j, found.get())) {
                return;
            }
            if (!validating(j, found.get())) {
                return;
            }
            Engine.Staged verified = engine.validate(found.get(), j);
            validated(j, verified);
        } catch (UpdateException e) {
            end(j, e.result(), null, e.getMessage());
        } catch (Throwable e) {
            // any Throwable (a provider's StackOverflowError, issue 12 item 8) ends this action, or it would stay
            // running for good and refuse every later one
            LOG.error("Software-update action failed unexpectedly", e);
            end(j, UpdateResult.CONNECTION_FAILURE, null, "internal error: " + e);
        }
    }

    /**
     * A check from version_available found the package already staged (a fleet server now allows its installation):
     * no download again; back to version_available with what the offer now says, installing when the device may.
     */
    private synchronized boolean sameAsStaged(Job j, Engine.Offer o) {
        Engine.Staged pkg = staged;
        if (j != job || pkg == null || !pkg.version().equals(o.offer().version()) || !pkg.provider().equals(o.provider())
                || (o.offer().sha256() != null && pkg.sha256() != null && !o.offer().sha256().equalsIgnoreCase(pkg.sha256()))) {
            return false;
        }
        staged = pkg.with(o.offer());
        tell(j, UpdateOutcome.Action.CHECK, o.provider(), o.offer(), UpdateResult.SUCCESS, "offers " + pkg.version()
                + ", already staged");
        end(j, UpdateResult.IDLE, null, pkg.version() + " is already staged", false);
        tick();
        return true;
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

    /** new_version_check (or the start of a validation) found an offer: on to validation, in one transition. */
    private synchronized boolean validating(Job j, Engine.Offer o) {
        if (j != job) {
            return false;
        }
        offer = o;
        SvrState s = store.state().withOutcome(store.state().result(), o.offer().version());
        // the device initiates the validation itself: tm 256 becomes 64; an update request keeps its 128
        int tm = s.tm() == Dpm.ISSU ? Dpm.ISSU : Dpm.ISVV;
        LOG.info("Version {} offered by {}; validating", o.offer().version(), o.provider());
        if (s.update() == UpdateState.VERSION_VALIDATION) {
            // a validation that found its offer: no transition; nv is saved with the next one (and an
            // interrupted validation ends in idle at the next start anyway)
            store.keep(s);
        } else {
            publish(s.withUpdate(UpdateState.VERSION_VALIDATION, tm), false);
        }
        tell(j, UpdateOutcome.Action.CHECK, o.provider(), o.offer(), UpdateResult.SUCCESS, "offers " + o.offer().version());
        return true;
    }

    private synchronized void validated(Job j, Engine.Staged verified) {
        if (j != job) {
            engine.discard();
            return;
        }
        Engine.Offer o = offer;
        staged = o != null && o.offer().version().equals(verified.version()) ? verified.with(o.offer()) : verified;
        verified = staged;
        SvrState s = store.state();
        // a client's tm 128 never waits; the device installs by itself (autoInstall, a forced offer) only when the
        // source allows it and the install window is open, else it waits in version_available for the window
        boolean installNow = s.tm() == Dpm.ISSU || installsItself(verified);
        LOG.info("Version {} validated and staged", verified.version());
        if (!installNow && (settings.autoInstall() || verified.forceInstall())) {
            LOG.info("Version {} waits for {}", verified.version(), !verified.installAllowed()
                    ? "its provider to allow the installation" : "the install window " + settings.window());
        }
        publish(s.withUpdate(UpdateState.VERSION_AVAILABLE, s.tm() == Dpm.ISSU ? Dpm.ISSU : 0), false);
        tell(j, UpdateOutcome.Action.VALIDATE, verified.provider(), verified.toOffer(), UpdateResult.SUCCESS,
                "validated " + verified.version());
        if (installNow) {
            j.step("installing");
            publish(store.state().withUpdate(UpdateState.UPGRADING, Dpm.ISSU), false);
            install(j, verified);
        } else {
            job = null;
            history.add(entry(j, verified.version(), verified.provider(), UpdateResult.IDLE, "validated, staged"));
        }
    }

    /**
     * Installation runs on a thread of its own: none of the bundles it may update owns it (stack-notes.md). Its
     * outcome reaches whichever revision of this component is active when it ends (it may have updated this one).
     */
    private void install(Job j, Engine.Staged pkg) {
        engine.installing(pkg, Instant.ofEpochMilli(j.started()));
        CompletableFuture<String> lock = InstallLock.begin();
        lock.whenComplete((outcome, e) -> installationEnded(j, outcome));
        new Thread(() -> {
            String outcome;
            try {
                outcome = UpdateResult.SUCCESS.code() + " " + engine.install(pkg, j::step);
            } catch (UpdateException e) {
                outcome = e.result().code() + " " + e.getMessage();
            } catch (Throwable e) { // an Error too: the state machine must hear the end of every installation
                LOG.error("Installation failed unexpectedly", e);
                outcome = UpdateResult.UPGRADE_FAILURE.code() + " internal error: " + e;
            }
            InstallLock.end(lock, outcome);
        }, "ocf-installer").start();
    }

    private synchronized void installationEnded(Job j, String outcome) {
        if (!active) {
            return; // this revision was replaced; the new one records the outcome
        }
        int space = outcome.indexOf(' ');
        UpdateResult result = UpdateResult.of(Integer.parseInt(outcome.substring(0, space)));
        String text = outcome.substring(space + 1);
        if (result == UpdateResult.SUCCESS) {
            end(j, result, text, "installed " + text);
        } else {
            end(j, result, null, text);
        }
    }

    /** Every action ends here: back to idle, with its result recorded. */
    synchronized void end(Job j, UpdateResult result, String installed, String reason) {
        end(j, result, installed, reason, true);
    }

    /** @param tell whether the provider hears the outcome here (false: the caller told it) */
    private void end(Job j, UpdateResult result, String installed, String reason, boolean tell) {
        if (j != job || !active) {
            return; // a reset or a cancel ended it meanwhile
        }
        SvrState s = store.state();
        String to = installed != null ? installed : s.nv();
        // a check that failed before any offer names the provider it asked ("none" when there was none)
        String provider = staged != null ? staged.provider() : offer != null ? offer.provider()
                : j.provider() != null ? j.provider() : "none";
        UpdateState phase = s.update();
        Engine.Offer served = offer;
        Engine.Staged pkg = staged;
        if (installed != null) {
            s = s.withInstalled(installed, Instant.now().toString());
            staged = null;
        } else if (s.update() == UpdateState.UPGRADING) {
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
        publish(s.withOutcome(result.code(), s.nv()).withUpdate(rest, 0), false);
        // the provider that served it hears the outcome; an installation's only now that it committed or rolled back
        if (phase == UpdateState.UPGRADING) {
            engine.installed(result, reason);
        } else if (!tell) {
            return;
        } else if (phase == UpdateState.NEW_VERSION_CHECK && served == null) {
            tell(j, UpdateOutcome.Action.CHECK, j.provider(), null, result == UpdateResult.IDLE && !j.isCancelled()
                    ? UpdateResult.SUCCESS : result, reason);
        } else if (phase == UpdateState.VERSION_VALIDATION || phase == UpdateState.NEW_VERSION_CHECK) {
            tell(j, UpdateOutcome.Action.VALIDATE, provider, served != null ? served.offer()
                    : pkg != null ? pkg.toOffer() : null, result, reason);
        }
    }

    private History.Entry entry(Job j, String to, String provider, UpdateResult result, String reason) {
        return new History.Entry(Instant.now().toString(), j.runningVersion(), to == null ? "" : to,
                provider == null ? "" : provider, result.code(), System.currentTimeMillis() - j.started(), reason);
    }

    @Override
    public synchronized boolean cancel() {
        SvrState s = store.state();
        if (job == null || s.update() == UpdateState.UPGRADING || !s.update().isBusy()) {
            return false;
        }
        Job j = job;
        j.cancel();
        end(j, UpdateResult.IDLE, null, "cancelled");
        return true;
    }

    @Override
    public synchronized UpdateStatus status() {
        SvrState s = store.state();
        Job j = job;
        String offeredBy = staged != null ? staged.provider() : offer != null ? offer.provider() : null;
        return new UpdateStatus(s.update(), store.softwareVersion(), s.nv(), UpdateResult.of(s.result()), s.lastUpdate(),
                j == null ? 0 : j.bytes(), j == null ? -1 : j.total(), offeredBy, j == null ? null : j.step());
    }

    @Override
    public List<ProviderInfo> providers() {
        return engine.providers();
    }

    @Override
    public List<TrustedKey> trustedKeys() {
        return engine.trustedKeys();
    }

    @Override
    public List<UpdateRecord> history() {
        return history.entries().stream().map(e -> new UpdateRecord(e.time(), e.from(), e.to(), e.provider(),
                UpdateResult.of(e.result()), e.durationMs(), e.reason())).toList();
    }

    private void publish(SvrState s, boolean pending) {
        store.save(s);
        current = snapshot(s, pending);
        for (PstatListener l : listeners) {
            try {
                l.pstatChanged(current);
            } catch (Throwable e) { // one listener's Error must not stop the others or escape the lock
                LOG.warn("A pstat listener failed", e);
            }
        }
    }

    private static Pstat snapshot(SvrState s, boolean pending) {
        return new Pstat(s.dos(), pending, s.dos() == DeviceOnboardingState.RFNOP, s.update().cm(), s.tm(), s.om(), SM,
                s.rowneruuid(), s.update());
    }

    @Override
    public synchronized void addListener(PstatListener listener) {
        listeners.add(listener);
        listener.pstatChanged(current);
    }

    @Override
    public void removeListener(PstatListener listener) {
        listeners.remove(listener);
    }

    @Override
    public void heartbeat(Runnable beat) {
        beats.add(beat);
        try {
            worker.execute(() -> {
                synchronized (this) {
                    // the lock can be taken: no transition is stuck holding it
                }
                beat();
            });
        } catch (RejectedExecutionException e) {
            beats.remove(beat); // deactivated: a stopped state machine gives no sign of life
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
}
