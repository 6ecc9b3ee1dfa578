package org.ocfupdate.provider.http.internal;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.ocfupdate.pstat.api.provider.FetchRequest;
import org.ocfupdate.pstat.api.provider.UpdateOffer;

/**
 * bench/http.sh's provider side: fetches URL (SIZE bytes) RUNS times with the HTTP provider, as the engine would
 * (staging file, progress on every buffer), and prints one line per run: ms, MB/s and the peak heap in use sampled
 * every 5 ms. Compiled into the provider's package because the provider is internal to its bundle.
 */
public final class HttpBench {
    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        long size = Long.parseLong(args[1]);
        int runs = Integer.parseInt(args[2]);
        Path target = Path.of(args[3]);
        HttpProvider provider = new HttpProvider(new Settings("", Duration.ofSeconds(10), Duration.ofSeconds(30), 0,
                null, Settings.BACKOFF), List::of);
        UpdateOffer offer = UpdateOffer.builder("9.9.9", url).size(size).build();
        var memory = ManagementFactory.getMemoryMXBean();
        for (int run = 1; run <= runs; run++) {
            Files.deleteIfExists(target);
            System.gc();
            long base = memory.getHeapMemoryUsage().getUsed();
            AtomicLong peak = new AtomicLong(base);
            AtomicLong progressCalls = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.setDaemon(true);
            sampler.start();
            long t0 = System.nanoTime();
            provider.fetch(new FetchRequest() {
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
                    progressCalls.incrementAndGet();
                }

                @Override
                public boolean isCancelled() {
                    return false;
                }
            });
            long ns = System.nanoTime() - t0;
            sampler.interrupt();
            if (Files.size(target) != size) {
                throw new IllegalStateException("fetched " + Files.size(target) + " bytes, not " + size);
            }
            System.out.printf("provider run %d: %d ms, %.0f MB/s, heap peak %+.1f MB over the %.1f MB before "
                    + "(%d progress calls)%n", run, ns / 1_000_000, size / 1e6 / (ns / 1e9),
                    (peak.get() - base) / 1e6, base / 1e6, progressCalls.get());
        }
    }
}
