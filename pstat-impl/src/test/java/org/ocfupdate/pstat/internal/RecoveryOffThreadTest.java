package org.ocfupdate.pstat.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.update.engine.internal.History;
import org.ocfupdate.pstat.internal.svr.SvrStore;

/**
 * Issue 15: the recovery after a start (here: the staged package verified again) runs as the state machine's first
 * event on its own thread, never inside the DS constructor, which SCR gives ~5 s.
 */
class RecoveryOffThreadTest {
    @TempDir
    Path dir;
    TestPstat pstat;
    final CountDownLatch constructed = new CountDownLatch(1);
    volatile boolean sawConstructorReturn;
    volatile String restagedOn;

    /** Our FakeEngine whose re-verification waits until the constructor has returned (at most 10 s). */
    final FakeEngine engine = new FakeEngine() {
        @Override
        public Optional<Staged> restaged(String runningVersion) {
            restagedOn = Thread.currentThread().getName();
            try {
                sawConstructorReturn = constructed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.of(new Staged(Path.of("/fake/package.zip"), "1.1.0", "00", "fake"));
        }
    };

    @AfterEach
    void stop() throws Exception {
        constructed.countDown();
        if (pstat != null) {
            pstat.deactivate();
        }
    }

    @Test
    void theStagedPackageIsVerifiedAgainOnTheMachinesThreadAfterTheConstructorReturned() throws Exception {
        SvrStore store = new SvrStore(dir.resolve("svr"), "1.0.0");
        store.save(store.state().withUpdate(UpdateState.VERSION_AVAILABLE, 0).withOutcome(0, "1.1.0"));
        pstat = new TestPstat(store, engine, new History(dir.resolve("history")), false);
        // the resources add their listeners in their activate: that must not wait for the recovery either
        java.util.List<org.ocfupdate.pstat.api.Pstat> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        pstat.addListener(seen::add);
        assertEquals(UpdateState.VERSION_AVAILABLE, seen.get(0).update());
        constructed.countDown();
        assertEquals(UpdateState.VERSION_AVAILABLE, pstat.current().update(), "the views wait for the recovery");
        assertTrue(sawConstructorReturn, "the constructor and addListener returned while the staged package was being verified");
        assertEquals("ocf-update-machine", restagedOn);
        assertEquals("fake", pstat.status().offeredBy(), "the re-verified package is the staged one");
    }
}
