package org.ocfupdate.pstat.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.pstat.api.DeviceOnboardingState;
import org.ocfupdate.pstat.api.Dpm;
import org.ocfupdate.pstat.api.Pstat;
import org.ocfupdate.pstat.api.PstatChange;
import org.ocfupdate.pstat.api.PstatRefusedException;
import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.update.engine.internal.Engine;
import org.ocfupdate.update.engine.internal.History;
import org.ocfupdate.pstat.internal.svr.SvrStore;

/** The software-update state machine of docs/software-update.md §2 driven with a fake engine. */
class UpdateFlowTest {
    @TempDir
    Path dir;
    final FakeEngine engine = new FakeEngine();
    final List<Pstat> seen = new CopyOnWriteArrayList<>();
    SvrStore store;
    History history;
    TestPstat pstat;
    /** The installation running in this simulated process, handed from one revision to the next. */
    org.ocfupdate.update.engine.internal.Handover jvm = org.ocfupdate.update.engine.internal.Handover.inMemory();

    @BeforeEach
    void start() throws Exception {
        engine.offered = "1.1.0";
        start(false);
    }

    void start(boolean autoInstall) throws Exception {
        store = new SvrStore(dir.resolve("svr"), "1.0.0");
        history = new History(dir.resolve("history"));
        pstat = new TestPstat(store, engine, history, autoInstall, null, jvm);
        seen.clear();
        pstat.addListener(seen::add);
    }

    @AfterEach
    void stop() throws Exception {
        engine.permits.release(100);
        pstat.deactivate();
    }

    void restart() throws Exception {
        pstat.deactivate();
        start(false);
    }

    /** A new process: the installer thread of the old one is gone (its lock with it). */
    void crashRestart() throws Exception {
        jvm = org.ocfupdate.update.engine.internal.Handover.inMemory();
        restart();
    }

    /** The (cm, tm, swupdatestate) of every snapshot seen, without the first (current at subscription). */
    List<String> transitions() {
        return seen.subList(1, seen.size()).stream()
                .map(p -> p.cm() + "/" + p.tm() + "/" + p.update().swUpdateState()).toList();
    }

    void awaitState(UpdateState state) throws InterruptedException {
        for (int i = 0; i < 500 && pstat.current().update() != state; i++) {
            Thread.sleep(10);
        }
        assertEquals(state, pstat.current().update(), transitions().toString());
    }

    @Test
    void aCheckThatFindsANewerVersionGoesOnToValidationAndRestsWithItStaged() throws Exception {
        engine.gated = false;
        pstat.update(PstatChange.tm(Dpm.ISAC), true);
        awaitState(UpdateState.VERSION_AVAILABLE);
        assertEquals(List.of("0/256/idle", "256/64/nsa", "320/0/sva"), transitions());
        assertEquals("1.0.0", store.softwareVersion());
        assertEquals(List.of("1.1.0", "fake"), List.of(pstat.status().offeredVersion(), pstat.status().offeredBy()),
                "the console shows the offer with its provider");
    }

    @Test
    void aRunningActionSaysWhatItDoes() throws Exception {
        engine.gated = true;
        pstat.update(PstatChange.tm(Dpm.ISAC), true);
        assertEquals("waiting for the worker", pstat.status().step());
        assertEquals(null, pstat.status().offeredBy(), "nothing offered yet");
        engine.permits.release(2);
        awaitState(UpdateState.VERSION_AVAILABLE);
        assertEquals(null, pstat.status().step(), "no action runs");
    }

    @Test
    void anUpdateFromIdlePassesThroughValidationAndInstalls() throws Exception {
        engine.gated = false;
        pstat.update(PstatChange.tm(Dpm.ISSU), true);
        awaitState(UpdateState.IDLE);
        for (int i = 0; i < 100 && seen.size() < 5; i++) {
            Thread.sleep(10);
        }
        assertEquals(List.of("256/128/nsa", "320/128/sva", "448/128/upgrading", "0/0/idle"), transitions());
        assertEquals("1.1.0", store.softwareVersion());
        assertEquals(UpdateResult.SUCCESS.code(), store.state().result());
        var last = pstat.history().get(pstat.history().size() - 1);
        assertEquals(List.of("1.0.0", "1.1.0", "fake", UpdateResult.SUCCESS),
                List.of(last.from(), last.to(), last.provider(), last.result()));
        var status = pstat.status();
        assertEquals(List.of("1.1.0", "1.1.0", UpdateResult.SUCCESS),
                List.of(status.runningVersion(), status.offeredVersion(), status.result()));
        assertTrue(status.lastUpdate() != null);
    }

    @Test
    void tm128InVersionAvailableInstallsTheStagedPackage() throws Exception {
        engine.gated = false;
        pstat.update(PstatChange.tm(Dpm.ISVV), true);
        awaitState(UpdateState.VERSION_AVAILABLE);
        pstat.update(PstatChange.tm(Dpm.ISSU), true);
        awaitState(UpdateState.IDLE);
        assertEquals(List.of("256/64/nsa", "320/0/sva", "448/128/upgrading", "0/0/idle"), transitions());
        assertEquals("1.1.0", store.softwareVersion());
    }

    @Test
    void autoInstallInstallsAfterValidation() throws Exception {
        pstat.deactivate();
        engine.gated = false;
        start(true);
        pstat.update(PstatChange.tm(Dpm.ISAC), true);
        awaitState(UpdateState.IDLE);
        for (int i = 0; i < 100 && !"1.1.0".equals(store.softwareVersion()); i++) {
            Thread.sleep(10);
        }
        assertEquals("1.1.0", store.softwareVersion());
        assertTrue(transitions().contains("448/128/upgrading"), transitions().toString());
    }

    @Test
    void noNewerVersionEndsTheCheckInIdle() throws Exception {
        engine.offered = null;
        engine.gated = false;
        pstat.update(PstatChange.tm(Dpm.ISAC), true);
        awaitState(UpdateState.IDLE);
        assertEquals(List.of("0/256/idle", "0/0/idle"), transitions());
        assertEquals(UpdateResult.IDLE.code(), store.state().result());
    }

    @Test
    void aFailedValidationEndsInIdleWithResult5() throws Exception {
        engine.validateFails = UpdateResult.VALIDATION_FAILURE;
        engine.gated = false;
        pstat.update(PstatChange.tm(Dpm.ISVV), true);
        awaitState(UpdateState.IDLE);
        assertEquals(List.of("256/64/nsa", "0/0/idle"), transitions());
        assertEquals(5, store.state().result());
    }

    @Test
    void aFailedInstallationEndsInIdleWithResult8AndTheOldVersion() throws Exception {
        engine.installFails = UpdateResult.UPGRADE_FAILURE;
        engine.gated = false;
        pstat.update(PstatChange.tm(Dpm.ISSU), true);
        awaitState(UpdateState.IDLE);
        for (int i = 0; i < 100 && store.state().result() == 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(8, store.state().result());
        assertEquals("1.0.0", store.softwareVersion());
        assertTrue(store.state().lastUpdate() != null, "lastupdate is set when an installation ends");
    }

    @Test
    void aValidationCanBeCancelledButNotAnInstallation() throws Exception {
        engine.gated = true;
        pstat.update(PstatChange.tm(Dpm.ISVV), true);
        assertTrue(pstat.cancel());
        assertEquals(UpdateState.IDLE, pstat.current().update());
        assertFalse(pstat.cancel(), "nothing left to cancel");
        engine.gated = false;
        pstat.update(PstatChange.tm(Dpm.ISVV), true);
        awaitState(UpdateState.VERSION_AVAILABLE);
        engine.gated = true;
        pstat.update(PstatChange.tm(Dpm.ISSU), true);
        assertEquals(UpdateState.UPGRADING, pstat.current().update());
        assertFalse(pstat.cancel());
        assertThrows(PstatRefusedException.class,
                () -> pstat.update(new PstatChange(DeviceOnboardingState.RESET, null, null, null), true),
                "even RESET waits for the installation to end");
        engine.permits.release();
        awaitState(UpdateState.IDLE);
    }

    @Test
    void aFreshCheckInVersionAvailableThatFindsNothingNewerReturnsThere() throws Exception {
        engine.gated = false;
        pstat.update(PstatChange.tm(Dpm.ISVV), true);
        awaitState(UpdateState.VERSION_AVAILABLE);
        engine.offered = null;
        pstat.update(PstatChange.tm(Dpm.ISAC), true);
        for (int i = 0; i < 100 && seen.size() < 5; i++) {
            Thread.sleep(10);
        }
        awaitState(UpdateState.VERSION_AVAILABLE);
        assertEquals(List.of("256/64/nsa", "320/0/sva", "0/256/idle", "320/0/sva"), transitions());
    }

    @Test
    void aRestartInVersionAvailableVerifiesTheStagedPackageAgain() throws Exception {
        engine.gated = false;
        pstat.update(PstatChange.tm(Dpm.ISVV), true);
        awaitState(UpdateState.VERSION_AVAILABLE);
        engine.restaged = new Engine.Staged(Path.of("/fake/package.zip"), "1.1.0", "00", "fake");
        restart();
        assertEquals(UpdateState.VERSION_AVAILABLE, pstat.current().update());
        engine.restaged = null;
        restart();
        assertEquals(UpdateState.IDLE, pstat.current().update());
        assertEquals(5, store.state().result());
    }

    @Test
    void aRestartDuringAnInstallationEndsCommittedOrRolledBack() throws Exception {
        engine.gated = false;
        pstat.update(PstatChange.tm(Dpm.ISVV), true);
        awaitState(UpdateState.VERSION_AVAILABLE);
        engine.gated = true;
        pstat.update(PstatChange.tm(Dpm.ISSU), true);
        crashRestart(); // the journal rolled it back
        assertEquals(UpdateState.IDLE, pstat.current().update());
        assertEquals(8, store.state().result());
        assertEquals("1.0.0", store.softwareVersion());

        engine.gated = false;
        pstat.update(PstatChange.tm(Dpm.ISVV), true);
        awaitState(UpdateState.VERSION_AVAILABLE);
        engine.gated = true;
        pstat.update(PstatChange.tm(Dpm.ISSU), true);
        assertEquals(UpdateState.UPGRADING, pstat.current().update());
        engine.committed = "1.1.0"; // the journal says the installation had committed
        crashRestart();
        assertEquals(UpdateState.IDLE, pstat.current().update());
        assertEquals(1, store.state().result());
        assertEquals("1.1.0", store.softwareVersion());
    }

    /** Issue 12.3: killed after the tm 128 answer, before the journal was written: the last commit is an older one. */
    @Test
    void aRestartBeforeTheJournalIsNotReportedAsSuccess() throws Exception {
        engine.committed = "1.0.5"; // an earlier installation committed; this one never wrote its journal
        engine.gated = false;
        pstat.update(PstatChange.tm(Dpm.ISVV), true);
        awaitState(UpdateState.VERSION_AVAILABLE);
        engine.gated = true;
        pstat.update(PstatChange.tm(Dpm.ISSU), true);
        assertEquals(UpdateState.UPGRADING, pstat.current().update());
        crashRestart();
        assertEquals(UpdateState.IDLE, pstat.current().update());
        assertEquals(8, store.state().result(), "an installation that never ran is an upgrade failure, never 1");
        assertEquals("1.0.0", store.softwareVersion());
        assertEquals(8, history.entries().get(history.entries().size() - 1).result());
    }
}
