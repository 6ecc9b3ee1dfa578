package org.ocfupdate.update.engine.internal;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.ocfupdate.gateway.support.GatewayHome;
import org.ocfupdate.pstat.api.Dpm;
import org.ocfupdate.pstat.api.ProviderInfo;
import org.ocfupdate.pstat.api.TrustedKey;
import org.ocfupdate.pstat.api.UpdateRecord;
import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.pstat.api.UpdateStatus;
import org.ocfupdate.update.engine.UpdateCore;
import org.ocfupdate.update.engine.UpdateStore;
import org.ocfupdate.update.engine.internal.UpdateMachine.Settings;
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
 * The software-update state machine as a service: it updates the device whose {@link UpdateStore} it is given (the
 * pstat SVR of pstat-impl), with the engine and the history of this bundle, and ticks it for periodic checks and the
 * install window. Its configuration is the operator's {@code org.ocfupdate.pstat} (docs/operator-contract.md).
 */
@Component(configurationPid = UpdateEngine.PID)
@Designate(ocd = UpdateMachineComponent.Config.class)
public class UpdateMachineComponent implements UpdateCore {
    private static final Logger LOG = LoggerFactory.getLogger(UpdateMachineComponent.class);
    /** Set by gateway.jar's launcher when it installed its embedded bundles over an existing storage. */
    public static final String JAR_APPLIED = "gateway.jar.applied";

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
    public static final long TICK_MS = 1000;
    /** The device starts nothing by itself until the framework started every bundle, and this long after. */
    static final Duration SETTLE = Duration.ofSeconds(5);

    private final Engine engine;
    private final History history;
    private final UpdateMachine machine;
    /** Periodic checks and the install window: the timer only submits {@link Event.Tick}. */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "ocf-update-timer"));

    @Activate
    public UpdateMachineComponent(BundleContext context, @Reference UpdateStore store, @Reference Engine engine,
            @Reference History history, Config config) {
        this(store, engine, history, settings(config, null), context.getProperty(JAR_APPLIED),
                new CheckSchedule(GatewayHome.data(context).resolve("schedule"), UpdateClock.SYSTEM,
                        new SecureRandom()), UpdateClock.SYSTEM, TICK_MS, Handover.of(context),
                () -> context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).getState() == Bundle.ACTIVE, SETTLE);
    }

    /**
     * Returns at once: the recovery of an interrupted action is the machine's first event, on its own thread (a
     * re-verification of the staged package must not hold SCR's activation).
     *
     * @param jarApplied the release of a gateway.jar whose bundles were installed at this start (launch.Main)
     * @param tickMs     how often the timer ticks; 0: never (unit tests call {@link #tick})
     * @param handover   the JVM the tests simulate: one instance for a process, a new one after a "crash"
     * @param started    true once the framework started every bundle: nothing starts by itself before
     * @param settle     and for this long after
     */
    public UpdateMachineComponent(UpdateStore store, Engine engine, History history, Settings settings,
            String jarApplied, CheckSchedule schedule, UpdateClock clock, long tickMs, Handover handover,
            BooleanSupplier started, Duration settle) {
        this.engine = engine;
        this.history = history;
        recordJar(store, jarApplied);
        machine = new UpdateMachine(store, engine, history, settings, schedule, clock, handover, started, settle);
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

    /**
     * The operator installed another gateway.jar (or deleted the framework storage): its embedded bundles replaced
     * those an update had installed, so {@code sv} is the jar's release again and the history says why. Before the
     * machine starts: nothing else uses the store yet.
     */
    private void recordJar(UpdateStore store, String release) {
        UpdateStore.Fields f = store.load();
        if (release == null || f.version() == null || release.equals(f.version())
                || f.state() == UpdateState.UPGRADING) {
            return;
        }
        LOG.warn("gateway.jar {} was installed: its bundles replace those of update {}", release, f.version());
        String now = Instant.now().toString();
        history.add(new History.Entry(now, f.version(), release, "gateway.jar", UpdateResult.SUCCESS.code(), 0,
                "gateway.jar " + release + " installed by the operator"));
        store.save(f.withInstalled(release, now));
    }

    /**
     * {@code installWindow} and the other settings as configured; a window that does not parse is refused with an
     * error that says why, and the one in force before stays (at the start: no autonomous installation until the
     * text is corrected — installing outside the hours an operator meant is worse than waiting).
     */
    public static Settings settings(Config c, InstallWindow before) {
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
    public void modified(Config config) {
        machine.configure(settings(config, machine.settings().window()));
    }

    /** The timer's tick, answered before it returns (unit tests call it with a clock of their own). */
    public void tick() {
        machine.ask(new Event.Tick());
    }

    @Deactivate
    public void deactivate() throws InterruptedException {
        engine.listen(null);
        timer.shutdownNow();
        machine.stop();
    }

    @Override
    public <T, X extends Exception> T call(Work<T, X> work) throws X {
        return machine.call(work);
    }

    @Override
    public String start(int bit, URI location) {
        Event e = bit == Dpm.ISAC ? new Event.CheckRequested(location)
                : bit == Dpm.ISVV ? new Event.ValidateRequested(location) : new Event.InstallRequested(true, location);
        UpdateMachine.Answer a = machine.ask(e);
        return a.accepted() ? null : a.diagnostic();
    }

    @Override
    public void reset() {
        machine.ask(new Event.Reset());
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
    public void heartbeat(Runnable beat) {
        machine.heartbeat(beat);
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
}
