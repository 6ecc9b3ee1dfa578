package org.ocfupdate.pstat.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.pstat.api.Dpm;
import org.ocfupdate.pstat.api.PstatChange;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.pstat.api.UpdateStatus;
import org.ocfupdate.pstat.internal.svr.SvrStore;
import org.ocfupdate.update.engine.internal.History;

/**
 * A reader of the update status never waits for the state machine. Californium's {@code CoapResource.changed()}
 * notifies observers under the resource's lock, and {@code /oc/swu}'s representation reads the status: its POST
 * (which calls {@code changed()} on a CoAP thread) and the machine's own notification (which waits for that lock
 * inside a transition) deadlocked, and the whole gateway hung (a clean-clone SwuIT run).
 */
class StatusWhileNotifyingTest {
    @TempDir
    Path dir;

    @Test
    void theStatusAnswersWhileATransitionWaitsForALockTheReaderHolds() throws Exception {
        FakeEngine engine = new FakeEngine();
        TestPstat pstat = new TestPstat(new SvrStore(dir.resolve("svr"), "1.0.0"), engine,
                new History(dir.resolve("history")), false);
        ReentrantLock resourceLock = new ReentrantLock(); // as CoapResource.changed() holds it while it notifies
        CountDownLatch notifying = new CountDownLatch(1);
        pstat.addListener(p -> {
            if (p.tm() == Dpm.ISAC) {
                notifying.countDown();
                resourceLock.lock(); // the machine's notification of the check waits for the resource
                resourceLock.unlock();
            }
        });
        resourceLock.lock();
        try {
            Thread client = new Thread(() -> {
                try {
                    pstat.update(PstatChange.tm(Dpm.ISAC), true);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "client");
            client.start();
            assertTrue(notifying.await(10, TimeUnit.SECONDS), "the check's transition notified");
            // the deadlock guard is generous: an answer takes microseconds, a deadlock never ends
            UpdateStatus status = assertTimeoutPreemptively(Duration.ofSeconds(10), pstat::status,
                    "status() waited for the state machine, which waits for the lock this reader holds");
            assertEquals(UpdateState.NEW_VERSION_CHECK, status.state());
        } finally {
            resourceLock.unlock();
        }
        pstat.deactivate();
    }
}
