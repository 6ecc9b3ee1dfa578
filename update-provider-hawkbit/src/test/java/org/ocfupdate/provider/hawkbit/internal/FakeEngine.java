package org.ocfupdate.provider.hawkbit.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.provider.ProviderContext;
import org.ocfupdate.pstat.api.provider.UpdateException;
import org.ocfupdate.pstat.api.provider.UpdateOffer;
import org.ocfupdate.pstat.api.provider.UpdateOutcome;
import org.ocfupdate.pstat.api.provider.UpdateProvider;
import org.ocfupdate.testsupport.TestFetchRequest;
import org.ocfupdate.testsupport.TestOfferRequest;

/**
 * Our own SPI's engine side, played by the test (the real engine is update-engine's): it records what the provider tells
 * it and runs the provider's offer and fetch as the engine would, telling outcomes as the test decides.
 */
final class FakeEngine implements ProviderContext, Device {
    final AtomicInteger changes = new AtomicInteger();
    final List<String> cancels = new CopyOnWriteArrayList<>();
    final AtomicBoolean cancelled = new AtomicBoolean();
    final AtomicBoolean installing = new AtomicBoolean();
    final AtomicLong bytes = new AtomicLong();
    volatile String running = "1.0.0";
    volatile String di = "5f0b3c2e-4a5d-4e36-9d0e-000000000001";

    @Override
    public void offerMayHaveChanged() {
        changes.incrementAndGet();
    }

    @Override
    public boolean cancel(String reason) {
        cancels.add(reason);
        cancelled.set(true);
        return true;
    }

    @Override
    public String di() {
        return di;
    }

    @Override
    public String runningVersion() {
        return running;
    }

    @Override
    public boolean installing() {
        return installing.get();
    }

    Optional<UpdateOffer> check(UpdateProvider p) throws UpdateException {
        return p.offer(new TestOfferRequest(running).cancelledWhen(cancelled::get));
    }

    void fetch(UpdateProvider p, UpdateOffer offer, Path target) throws UpdateException {
        p.fetch(new TestFetchRequest(offer, target).cancelledWhen(cancelled::get)
                .onProgress(f -> bytes.set(f.lastBytes())));
    }

    static UpdateOutcome outcome(UpdateOutcome.Action action, UpdateOffer offer, UpdateResult result,
            String reason) {
        return new UpdateOutcome(action, offer, result, reason, Instant.now(), Duration.ofSeconds(1));
    }
}
