package org.ocfupdate.testsupport;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.ocfupdate.pstat.api.provider.FetchRequest;
import org.ocfupdate.pstat.api.provider.UpdateOffer;

/**
 * The engine's side of one fetch, played by a provider's test: a fetch of {@code offer} into {@code target} that
 * records every progress report; the test cancels it at a report ({@link #onProgress}) or from outside.
 */
public final class TestFetchRequest implements FetchRequest {
    /** Every report as {bytes, total}, in order. */
    public final List<long[]> progress = new CopyOnWriteArrayList<>();
    private final UpdateOffer offer;
    private final Path target;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile BooleanSupplier cancelledElsewhere = () -> false;
    private volatile Consumer<TestFetchRequest> onProgress = f -> { };

    public TestFetchRequest(UpdateOffer offer, Path target) {
        this.offer = offer;
        this.target = target;
    }

    /** Runs at each report, after it was recorded (e.g. to cancel at some point). */
    public TestFetchRequest onProgress(Consumer<TestFetchRequest> onProgress) {
        this.onProgress = onProgress;
        return this;
    }

    /** Also cancelled while {@code cancelled} says so (e.g. an engine's cancel shared by the check and the fetch). */
    public TestFetchRequest cancelledWhen(BooleanSupplier cancelled) {
        this.cancelledElsewhere = cancelled;
        return this;
    }

    public void cancel() {
        cancelled.set(true);
    }

    /** The bytes of the last report, 0 before any. */
    public long lastBytes() {
        return progress.isEmpty() ? 0 : progress.get(progress.size() - 1)[0];
    }

    @Override
    public UpdateOffer offer() {
        return offer;
    }

    @Override
    public Path target() {
        return target;
    }

    @Override
    public void progress(long bytes, long total) {
        progress.add(new long[] {bytes, total});
        onProgress.accept(this);
    }

    @Override
    public boolean isCancelled() {
        return cancelled.get() || cancelledElsewhere.getAsBoolean();
    }
}
