package org.ocfupdate.pstat.internal.coap;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.network.KeyMID;
import org.eclipse.californium.core.network.deduplication.Deduplicator;
import org.eclipse.californium.elements.config.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Duplicate detection (RFC 7252 §4.5) with a bound on the total number of exchanges kept, which none of
 * Californium 3.14's deduplicators has: they keep every exchange for {@code EXCHANGE_LIFETIME} (247 s), per peer at
 * most the last 64 with {@code PEERS_MARK_AND_SWEEP}, so requests from many source ports (~1 KB each) grow the heap
 * without limit. Here at most {@code capacity} exchanges are kept; when full, the oldest gives way. Losing an old
 * entry only means that a retransmission of that request, should it still come, is handled twice — what the
 * protocol allows for NON requests anyway and what every resource here tolerates (a repeated write is refused or
 * changes nothing). Entries older than {@code EXCHANGE_LIFETIME} are swept every {@code MARK_AND_SWEEP_INTERVAL}.
 * <p>
 * As Californium's deduplicators with {@code DEDUPLICATOR_AUTO_REPLACE}, an entry whose exchange came from the other
 * side (a message id reused by a peer for a request after this endpoint's request) is replaced.
 */
final class BoundedDeduplicator implements Deduplicator {
    private static final Logger LOG = LoggerFactory.getLogger(BoundedDeduplicator.class);

    private record Entry(Exchange exchange, long nanos) {
    }

    private final int capacity;
    private final long lifetimeNanos;
    private final long sweepMillis;
    private final boolean replace;
    /** In insertion order: the eldest first, for eviction and sweeping. Guarded by itself. */
    private final LinkedHashMap<KeyMID, Entry> entries = new LinkedHashMap<>();
    private ScheduledExecutorService executor;
    private ScheduledFuture<?> sweep;
    private long evicted;

    BoundedDeduplicator(Configuration config, int capacity) {
        this.capacity = capacity;
        this.lifetimeNanos = config.get(CoapConfig.EXCHANGE_LIFETIME, TimeUnit.NANOSECONDS);
        this.sweepMillis = Math.max(1, config.get(CoapConfig.MARK_AND_SWEEP_INTERVAL, TimeUnit.MILLISECONDS));
        this.replace = config.get(CoapConfig.DEDUPLICATOR_AUTO_REPLACE);
    }

    @Override
    public synchronized void start() {
        if (sweep == null && executor != null) {
            sweep = executor.scheduleWithFixedDelay(this::sweep, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void stop() {
        if (sweep != null) {
            sweep.cancel(false);
            sweep = null;
        }
        clear();
    }

    @Override
    public synchronized void setExecutor(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    @Override
    public Exchange findPrevious(KeyMID key, Exchange exchange) {
        synchronized (entries) {
            Entry previous = entries.get(key);
            if (previous != null && !(replace && previous.exchange().getOrigin() != exchange.getOrigin())) {
                return previous.exchange();
            }
            add(key, exchange);
            return null;
        }
    }

    @Override
    public boolean replacePrevious(KeyMID key, Exchange previous, Exchange exchange) {
        synchronized (entries) {
            Entry current = entries.get(key);
            if (current != null && current.exchange() != previous) {
                return false;
            }
            add(key, exchange);
            return true;
        }
    }

    /** Adds as the youngest entry; the eldest gives way when full. Holds the lock. */
    private void add(KeyMID key, Exchange exchange) {
        entries.remove(key);
        entries.put(key, new Entry(exchange, System.nanoTime()));
        if (entries.size() > capacity) {
            Iterator<Entry> eldest = entries.values().iterator();
            eldest.next();
            eldest.remove();
            evicted++;
        }
    }

    @Override
    public Exchange find(KeyMID key) {
        synchronized (entries) {
            Entry e = entries.get(key);
            return e == null ? null : e.exchange();
        }
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    @Override
    public void clear() {
        synchronized (entries) {
            entries.clear();
        }
    }

    /** Removes the entries older than the exchange lifetime; runs on Californium's secondary executor. */
    void sweep() {
        try {
            long now = System.nanoTime();
            int removed = 0;
            long evictedSoFar;
            synchronized (entries) {
                for (Iterator<Entry> it = entries.values().iterator(); it.hasNext();) {
                    if (now - it.next().nanos() < lifetimeNanos) {
                        break; // insertion order: the rest is younger
                    }
                    it.remove();
                    removed++;
                }
                evictedSoFar = evicted;
                evicted = 0;
            }
            if (evictedSoFar > 0) {
                LOG.info("Duplicate detection full ({} exchanges): {} older ones dropped since the last sweep",
                        capacity, evictedSoFar);
            }
            LOG.debug("Duplicate detection swept {} expired exchanges", removed);
        } catch (Throwable t) {
            // the sweep is periodic: a failure of one run must not end the schedule
            LOG.warn("Duplicate detection sweep failed: {}", t.toString(), t);
        }
    }
}
