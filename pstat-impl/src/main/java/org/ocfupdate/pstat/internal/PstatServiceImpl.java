package org.ocfupdate.pstat.internal;

import static org.ocfupdate.pstat.api.PstatRefusedException.Reason.BAD_REQUEST;
import static org.ocfupdate.pstat.api.PstatRefusedException.Reason.UNAUTHORIZED;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
import org.ocfupdate.pstat.internal.engine.CheckSchedule;
import org.ocfupdate.pstat.internal.engine.Engine;
import org.ocfupdate.pstat.internal.engine.Event;
import org.ocfupdate.pstat.internal.engine.Handover;
import org.ocfupdate.pstat.internal.engine.History;
import org.ocfupdate.pstat.internal.engine.InstallWindow;
import org.ocfupdate.pstat.internal.engine.UpdateClock;
import org.ocfupdate.pstat.internal.engine.UpdateMachine;
import org.ocfupdate.pstat.internal.engine.UpdateMachine.Settings;
import org.ocfupdate.pstat.internal.engine.UpdateStore;
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
 * The pstat SVR: dos, om, rowneruuid and the owner's checks. Its writes run on the software-update state machine's
 * thread ({@link UpdateMachine#call}), in one step with the machine's state: validate all-or-nothing, persist, then
 * publish the new snapshot to the listeners in order. The software-update bits are the machine's: a {@code tm} write
 * becomes an {@link Event} and the machine's answer is the client's.
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

    /** How often the timer tells the machine to look whether a check is due or the install window opened. */
    static final long TICK_MS = 1000;

    private final SvrStore store;
    private final Engine engine;
    private final History history;
    private final UpdateMachine machine;
    private final List<PstatListener> listeners = new CopyOnWriteArrayList<>();
    /** Periodic checks and the install window: the timer only submits {@link Event.Tick}. */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "ocf-update-timer"));
    /** The last published snapshot (written on the machine's thread). */
    private volatile Pstat current;

    @Activate
    public PstatServiceImpl(BundleContext context, @Reference SvrStore store, @Reference Engine engine,
            @Reference History history, Config config) {
        this(store, engine, history, settings(config, null), context.getProperty(JAR_APPLIED),
                new CheckSchedule(GatewayHome.data(context).resolve("schedule"), UpdateClock.SYSTEM,
                        new SecureRandom()), UpdateClock.SYSTEM, TICK_MS, Handover.of(context),
                () -> context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).getState() == Bundle.ACTIVE, SETTLE);
    }

    /** The device starts nothing by itself until the framework started every bundle, and this long after. */
    static final Duration SETTLE = Duration.ofSeconds(5);

    PstatServiceImpl(SvrStore store, Engine engine, History history, boolean autoInstall) {
        this(store, engine, history, autoInstall, null);
    }

    PstatServiceImpl(SvrStore store, Engine engine, History history, boolean autoInstall, String jarApplied) {
        this(store, engine, history, autoInstall, jarApplied, Handover.inMemory());
    }

    /** @param handover the JVM the tests simulate: one instance for a process, a new one after a "crash" */
    PstatServiceImpl(SvrStore store, Engine engine, History history, boolean autoInstall, String jarApplied,
            Handover handover) {
        this(store, engine, history, Settings.autoInstall(autoInstall), jarApplied,
                new CheckSchedule(null, UpdateClock.SYSTEM, new SecureRandom()), UpdateClock.SYSTEM, TICK_MS,
                handover, () -> true, Duration.ZERO);
    }

    PstatServiceImpl(SvrStore store, Engine engine, History history, Settings settings, String jarApplied,
            CheckSchedule schedule, UpdateClock clock, long tickMs, BooleanSupplier started, Duration settle) {
        this(store, engine, history, settings, jarApplied, schedule, clock, tickMs, Handover.inMemory(), started,
                settle);
    }

    /**
     * Returns at once: the recovery of an interrupted action is the machine's first event, on its own thread (a
     * re-verification of the staged package must not hold SCR's activation).
     *
     * @param jarApplied the release of a gateway.jar whose bundles were installed at this start (launch.Main)
     * @param tickMs     how often the timer ticks; 0: never (unit tests call {@link #tick})
     * @param started    true once the framework started every bundle: nothing starts by itself before
     * @param settle     and for this long after
     */
    PstatServiceImpl(SvrStore store, Engine engine, History history, Settings settings, String jarApplied,
            CheckSchedule schedule, UpdateClock clock, long tickMs, Handover handover, BooleanSupplier started,
            Duration settle) {
        this.store = store;
        this.engine = engine;
        this.history = history;
        recordJar(jarApplied);
        current = snapshot(store.state(), false);
        machine = new UpdateMachine(new Fields(), engine, history, settings, schedule, clock, handover, started,
                settle);
        machine.start();
        engine.listen(new Engine.Listener() {
            @Override
            public void offerMayHaveChanged(String provider) {
                machine.submit(new Event.ProviderNews(provider));
            }

            @Override
            public boolean cancel(String provider, String reason) {
                return machine.ask(new Event.CancelRequested(provider, reason)).accepted();
            }
        });
        if (tickMs > 0) {
            timer.scheduleWithFixedDelay(() -> machine.submit(new Event.Tick()), tickMs, tickMs,
                    TimeUnit.MILLISECONDS);
        }
    }

    /** The machine's update fields are part of the persisted SVR state; every save is a pstat transition. */
    private final class Fields implements UpdateStore {
        @Override
        public UpdateStore.Fields load() {
            SvrState s = store.state();
            return new UpdateStore.Fields(s.update(), s.tm(), s.version(), s.result(), s.nv(), s.lastUpdate());
        }

        private SvrState with(UpdateStore.Fields f) {
            return store.state().withUpdate(f.state(), f.tm()).withOutcome(f.result(), f.nv())
                    .withInstalled(f.version(), f.lastUpdate());
        }

        @Override
        public void save(UpdateStore.Fields f) {
            publish(with(f), false);
        }

        @Override
        public void keep(UpdateStore.Fields f) {
            SvrState s = with(f);
            store.keep(s);
            synchronized (listeners) {
                current = snapshot(s, false);
            }
        }

        @Override
        public String inoperative() {
            DeviceOnboardingState dos = store.state().dos();
            return dos == DeviceOnboardingState.RFNOP ? null : dos.toString();
        }

        @Override
        public String runningVersion() {
            return store.softwareVersion();
        }
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
        machine.configure(settings(config, machine.settings().window()));
    }

    /** The timer's tick, answered before it returns (unit tests call it with a clock of their own). */
    void tick() {
        machine.ask(new Event.Tick());
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        engine.listen(null);
        timer.shutdownNow();
        machine.stop();
    }

    @Override
    public Pstat current() {
        // answered by the machine after the events before it (as the lock of old made a reader wait for a transition
        // under way), and never before the recovery of the state the last process left
        try {
            return machine.call(() -> current);
        } catch (RejectedExecutionException stopped) {
            return current;
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
        return current;
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
        machine.ask(new Event.Reset()); // ends a check or validation, discards the staged package
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
        Event e = bit == Dpm.ISAC ? new Event.CheckRequested(location)
                : bit == Dpm.ISVV ? new Event.ValidateRequested(location) : new Event.InstallRequested(true, location);
        UpdateMachine.Answer a = machine.ask(e);
        if (!a.accepted()) {
            throw new PstatRefusedException(BAD_REQUEST, a.diagnostic());
        }
    }

    @Override
    public boolean cancel() {
        return machine.ask(new Event.CancelRequested(null, null)).accepted();
    }

    @Override
    public UpdateStatus status() {
        return machine.status();
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

    /** On the machine's thread: persists, then every listener sees the new snapshot, in order. */
    private void publish(SvrState s, boolean pending) {
        store.save(s);
        synchronized (listeners) {
            current = snapshot(s, pending);
            for (PstatListener l : listeners) {
                try {
                    l.pstatChanged(current);
                } catch (Throwable e) { // one listener's Error must not stop the others or the machine
                    LOG.warn("A pstat listener failed", e);
                }
            }
        }
    }

    private static Pstat snapshot(SvrState s, boolean pending) {
        // cm 2 (TAKE_OWNER) while the device waits for its owner
        int cm = s.dos() == DeviceOnboardingState.RFOTM ? 2 : s.update().cm();
        return new Pstat(s.dos(), pending, s.dos() == DeviceOnboardingState.RFNOP, cm, s.tm(), s.om(), SM,
                s.rowneruuid(), s.update());
    }

    @Override
    public void addListener(PstatListener listener) {
        // the listener sees the current snapshot, then every later one in order; without waiting for the machine,
        // which may still be verifying a staged package again (resources add their listener in activate)
        synchronized (listeners) {
            listeners.add(listener);
            listener.pstatChanged(current);
        }
    }

    @Override
    public void removeListener(PstatListener listener) {
        listeners.remove(listener);
    }

    /** WATCHDOG=1 only while the state machine and its worker are alive (progress reports count as life). */
    @Override
    public void heartbeat(Runnable beat) {
        machine.heartbeat(beat);
    }
}
