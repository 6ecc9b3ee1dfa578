package org.ocfupdate.pstat.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.pstat.api.Dpm;
import org.ocfupdate.pstat.api.PstatChange;
import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.pstat.api.ProviderInfo;
import org.ocfupdate.pstat.api.TrustedKey;
import org.ocfupdate.pstat.api.provider.UpdateException;
import org.ocfupdate.update.engine.internal.Engine;
import org.ocfupdate.update.engine.internal.History;
import org.ocfupdate.update.engine.internal.Job;
import org.ocfupdate.pstat.internal.svr.SvrStore;

/**
 * Issue 12, item 8: a StackOverflowError from a provider's check left pstat at tm 256 ("a software-update action is
 * running") for good. Any Throwable of one action ends that action with a result; the worker takes the next one.
 */
class WorkerRobustnessTest {
    @TempDir
    Path dir;
    TestPstat pstat;

    /** Our FakeEngine, whose check throws {@link #failNext} once. */
    static final class ThrowingEngine implements Engine {
        final FakeEngine fake = new FakeEngine();
        volatile Error failNext;

        @Override
        public Optional<Offer> check(Job job) throws UpdateException {
            Error e = failNext;
            if (e != null) {
                failNext = null;
                throw e;
            }
            return fake.check(job);
        }

        @Override
        public Staged validate(Offer offer, Job job) throws UpdateException {
            return fake.validate(offer, job);
        }

        @Override
        public String install(Staged staged, Consumer<String> step) throws UpdateException {
            return fake.install(staged, step);
        }

        @Override
        public Optional<Staged> restaged(String runningVersion) {
            return fake.restaged(runningVersion);
        }

        @Override
        public Optional<String> committedInstallation() {
            return fake.committedInstallation();
        }

        @Override
        public void discard() {
            fake.discard();
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

    @AfterEach
    void stop() throws Exception {
        if (pstat != null) {
            pstat.deactivate();
        }
    }

    @Test
    void anErrorFromACheckEndsTheActionAndTheNextCheckRuns() throws Exception {
        ThrowingEngine engine = new ThrowingEngine();
        SvrStore store = new SvrStore(dir.resolve("svr"), "1.0.0");
        pstat = new TestPstat(store, engine, new History(dir.resolve("history")), false);
        engine.failNext = new StackOverflowError("thrown by the test");

        pstat.update(PstatChange.tm(Dpm.ISAC), true);
        awaitIdle();

        assertEquals(0, pstat.current().tm(), "not stuck at tm 256");
        assertEquals(UpdateResult.CONNECTION_FAILURE.code(), store.state().result());
        assertEquals(UpdateResult.CONNECTION_FAILURE, pstat.history().get(pstat.history().size() - 1).result());

        engine.fake.offered = "1.1.0";
        pstat.update(PstatChange.tm(Dpm.ISAC), true);
        for (int i = 0; i < 500 && pstat.current().update() != UpdateState.VERSION_AVAILABLE; i++) {
            Thread.sleep(10);
        }
        assertEquals(UpdateState.VERSION_AVAILABLE, pstat.current().update(), "the worker took the next action");
    }

    void awaitIdle() throws InterruptedException {
        for (int i = 0; i < 500 && pstat.current().update() != UpdateState.IDLE; i++) {
            Thread.sleep(10);
        }
        assertEquals(UpdateState.IDLE, pstat.current().update(), "the action ended");
    }
}
