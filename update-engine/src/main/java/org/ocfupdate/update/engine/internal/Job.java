package org.ocfupdate.update.engine.internal;

import java.net.URI;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** One running software-update action: what it started from, its cancellation and its progress. */
public final class Job {
    private final long id;
    private final String runningVersion;
    private final URI location;
    private final long started = System.currentTimeMillis();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong total = new AtomicLong(-1);
    private volatile boolean cancelled;
    private volatile String step;
    private volatile String provider;
    private volatile Runnable onProgress = () -> { };

    public Job(long id, String runningVersion, URI location) {
        this.id = id;
        this.runningVersion = runningVersion;
        this.location = location;
    }

    public long id() {
        return id;
    }

    public String runningVersion() {
        return runningVersion;
    }

    public Optional<URI> location() {
        return Optional.ofNullable(location);
    }

    public long started() {
        return started;
    }

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    public void progress(long done, long of) {
        bytes.set(done);
        total.set(of);
        onProgress.run();
    }

    /** Called at each progress report and step (the state machine's heartbeat while the action runs). */
    public void onProgress(Runnable r) {
        onProgress = r;
    }

    public long bytes() {
        return bytes.get();
    }

    public long total() {
        return total.get();
    }

    /** What the action is doing now, for operators (e.g. "fetching from usb"). */
    public void step(String what) {
        step = what;
        onProgress.run();
    }

    public String step() {
        return step;
    }

    /** The provider asked (set by the engine before it asks, so that a failure before any offer names it). */
    public void provider(String name) {
        provider = name;
    }

    public String provider() {
        return provider;
    }
}
