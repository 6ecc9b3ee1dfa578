package org.ocfupdate.provider.usb.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.ocfupdate.pstat.api.provider.ProviderContext;

/**
 * The engine's context as the provider sees it: records the news told; while {@link #busy} is set it counts them as
 * ignored (the engine starts no check while an action runs).
 */
final class FakeContext implements ProviderContext {
    static final String NEWS = "offerMayHaveChanged";
    final List<String> changes = new CopyOnWriteArrayList<>();
    volatile boolean busy;
    volatile int refusals;
    /** Thrown by the next call (a failure no caller expects), then cleared. */
    volatile Error failNext;
    /** What {@link #context} returned at each recorded change (e.g. the media the provider knew then). */
    final List<Object> contexts = new CopyOnWriteArrayList<>();
    volatile java.util.function.Supplier<Object> context = () -> null;

    @Override
    public void offerMayHaveChanged() {
        Error e = failNext;
        if (e != null) {
            failNext = null;
            throw e;
        }
        if (busy) {
            refusals++;
            return;
        }
        contexts.add(String.valueOf(context.get()));
        changes.add(NEWS);
    }

    @Override
    public boolean cancel(String reason) {
        return false;
    }
}
