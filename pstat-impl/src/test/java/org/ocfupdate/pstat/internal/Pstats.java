package org.ocfupdate.pstat.internal;

import java.io.IOException;
import java.nio.file.Path;

import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.update.engine.internal.History;
import org.ocfupdate.pstat.internal.svr.SvrStore;

/** The real pstat state machine for tests in other packages (its constructor is the package's). */
public final class Pstats {
    private Pstats() {
    }

    public static PstatService create(SvrStore store, Path dir) throws IOException {
        return new TestPstat(store, new FakeEngine(), new History(dir.resolve("history")), false);
    }

    /** The state machine behind {@code pstat}: the SVR state's writer (Onboarding, /oic/sec/sdi). */
    public static org.ocfupdate.update.engine.UpdateCore core(PstatService pstat) {
        return ((TestPstat) pstat).core;
    }

    public static void stop(PstatService pstat) throws InterruptedException {
        ((TestPstat) pstat).deactivate();
    }
}
