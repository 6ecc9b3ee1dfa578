package org.ocfupdate.pstat.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.pstat.api.Dpm;
import org.ocfupdate.pstat.api.PstatChange;
import org.ocfupdate.pstat.api.ProviderInfo;
import org.ocfupdate.pstat.api.TrustedKey;
import org.ocfupdate.update.engine.internal.Engine;
import org.ocfupdate.update.engine.internal.History;
import org.ocfupdate.update.engine.internal.Job;
import org.ocfupdate.pstat.internal.svr.SvrStore;

/**
 * The watchdog's proof of life (issue 13): a heartbeat runs on the state machine's own thread when it is free, and
 * while an action runs only when that action makes progress, so a hung action stops the heartbeats.
 */
class HeartbeatTest {
    @TempDir
    Path dir;
    TestPstat pstat;
    final StallingEngine engine = new StallingEngine();
    final BlockingQueue<String> beats = new LinkedBlockingQueue<>();

    /** Our FakeEngine, whose check waits until released and reports progress on demand meanwhile. */
    static final class StallingEngine implements Engine {
        final FakeEngine fake = new FakeEngine();
        final CountDownLatch release = new CountDownLatch(1);
        final Semaphore progress = new Semaphore(0);
        final CountDownLatch checking = new CountDownLatch(1);

        @Override
        public Optional<Offer> check(Job job) {
            checking.countDown();
            try {
                while (!release.await(5, TimeUnit.MILLISECONDS)) {
                    if (progress.tryAcquire()) {
                        job.progress(1000, 2000);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.empty();
        }

        @Override
        public Staged validate(Offer offer, Job job) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String install(Staged staged, Consumer<String> step) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Staged> restaged(String runningVersion) {
            return Optional.empty();
        }

        @Override
        public Optional<String> committedInstallation() {
            return Optional.empty();
        }

        @Override
        public void discard() {
        }

        @Override
        public List<ProviderInfo> providers() {
            return fake.providers();
        }

        @Override
        public List<TrustedKey> trustedKeys() {
            return fake.trustedKeys();
        }
    }

    @BeforeEach
    void start() throws Exception {
        pstat = new TestPstat(new SvrStore(dir.resolve("svr"), "1.0.0"), engine,
                new History(dir.resolve("history")), false);
    }

    @AfterEach
    void stop() throws Exception {
        engine.release.countDown();
        pstat.deactivate();
    }

    void beat() {
        pstat.heartbeat(() -> beats.add(Thread.currentThread().getName()));
    }

    @Test
    void aFreeStateMachineBeatsOnItsOwnThread() throws Exception {
        beat();
        assertEquals("ocf-update-worker", beats.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void aRunningActionBeatsOnlyWhenItMakesProgress() throws Exception {
        pstat.update(PstatChange.tm(Dpm.ISAC), true);
        assertTrue(engine.checking.await(10, TimeUnit.SECONDS));
        beat();
        // no wall-clock assertion: the beat is still waiting, because the only thread that could run it is the
        // busy worker, and it has reported nothing since
        assertNull(beats.poll());
        engine.progress.release();
        assertEquals("ocf-update-worker", beats.poll(10, TimeUnit.SECONDS), "the progress report ran the beat");
        assertNull(beats.poll(), "once");
    }

    @Test
    void aFailingBeatEndsNeitherTheWorkerNorTheOthers() throws Exception {
        pstat.heartbeat(() -> {
            throw new IllegalStateException("thrown by the test");
        });
        beat();
        assertEquals("ocf-update-worker", beats.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void aStoppedStateMachineGivesNoSignOfLife() throws Exception {
        engine.release.countDown();
        pstat.deactivate();
        beat();
        assertNull(beats.poll(), "dropped at once: no thread will ever run it");
    }
}
