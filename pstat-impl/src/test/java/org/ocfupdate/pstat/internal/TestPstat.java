package org.ocfupdate.pstat.internal;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import org.ocfupdate.pstat.internal.svr.SvrStore;
import org.ocfupdate.update.engine.internal.CheckSchedule;
import org.ocfupdate.update.engine.internal.Engine;
import org.ocfupdate.update.engine.internal.Handover;
import org.ocfupdate.update.engine.internal.History;
import org.ocfupdate.update.engine.internal.UpdateClock;
import org.ocfupdate.update.engine.internal.UpdateMachine.Settings;
import org.ocfupdate.update.engine.internal.UpdateMachineComponent;

/**
 * The pstat SVR wired to the update engine's state machine as DS wires them in the gateway (PstatFeed → the
 * machine → PstatServiceImpl), with an engine of the test's choice: the tests of the machine together with the SVR.
 */
final class TestPstat extends PstatServiceImpl {
    final UpdateMachineComponent core;

    TestPstat(SvrStore store, Engine engine, History history, boolean autoInstall) {
        this(store, engine, history, autoInstall, null);
    }

    TestPstat(SvrStore store, Engine engine, History history, boolean autoInstall, String jarApplied) {
        this(store, engine, history, autoInstall, jarApplied, Handover.inMemory());
    }

    /** @param handover the JVM the tests simulate: one instance for a process, a new one after a "crash" */
    TestPstat(SvrStore store, Engine engine, History history, boolean autoInstall, String jarApplied,
            Handover handover) {
        this(store, engine, history, Settings.autoInstall(autoInstall), jarApplied,
                new CheckSchedule(null, UpdateClock.SYSTEM, new SecureRandom()), UpdateClock.SYSTEM,
                UpdateMachineComponent.TICK_MS, handover, () -> true, Duration.ZERO);
    }

    TestPstat(SvrStore store, Engine engine, History history, Settings settings, String jarApplied,
            CheckSchedule schedule, UpdateClock clock, long tickMs, BooleanSupplier started, Duration settle) {
        this(store, engine, history, settings, jarApplied, schedule, clock, tickMs, Handover.inMemory(), started,
                settle);
    }

    TestPstat(SvrStore store, Engine engine, History history, Settings settings, String jarApplied,
            CheckSchedule schedule, UpdateClock clock, long tickMs, Handover handover, BooleanSupplier started,
            Duration settle) {
        this(store, new PstatFeed(store), engine, history, settings, jarApplied, schedule, clock, tickMs, handover,
                started, settle);
    }

    private TestPstat(SvrStore store, PstatFeed feed, Engine engine, History history, Settings settings,
            String jarApplied, CheckSchedule schedule, UpdateClock clock, long tickMs, Handover handover,
            BooleanSupplier started, Duration settle) {
        this(store, feed, new UpdateMachineComponent(feed, engine, history, settings, jarApplied, schedule, clock,
                tickMs, handover, started, settle));
    }

    private TestPstat(SvrStore store, PstatFeed feed, UpdateMachineComponent core) {
        super(store, feed, core);
        this.core = core;
    }

    void tick() {
        core.tick();
    }

    void modified(UpdateMachineComponent.Config config) {
        core.modified(config);
    }

    void deactivate() throws InterruptedException {
        core.deactivate();
    }
}
