package org.ocfupdate.update.engine.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;

import org.ocfupdate.gateway.support.AtomicStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * When the next autonomous availability check is due ({@code checkIntervalSeconds}): every interval with ±10 %
 * random jitter, so that a fleet of gateways does not call its server in lockstep. The due time is persisted
 * ({@code data/schedule/}) so that a restart does not postpone it; one that passed while the gateway was down is
 * due a few seconds after the start (never in its first second: the gateway first settles).
 */
public final class CheckSchedule {
    private static final Logger LOG = LoggerFactory.getLogger(CheckSchedule.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** An overdue check waits this long after the start, plus up to as much again at random. */
    static final Duration START_DELAY = Duration.ofSeconds(5);

    record Saved(String nextCheck) {
    }

    private final AtomicStore store;
    private final UpdateClock clock;
    private final RandomGenerator random;
    private int intervalSeconds;
    private Instant next;

    /**
     * @param dir where the due time is kept, or null to keep it in memory only
     */
    public CheckSchedule(Path dir, UpdateClock clock, RandomGenerator random) {
        this.clock = clock;
        this.random = random;
        AtomicStore s = null;
        Instant saved = null;
        if (dir != null) {
            try {
                s = new AtomicStore(dir, "schedule.json");
                saved = s.load(b -> JSON.readValue(b, Saved.class)).map(Saved::nextCheck).map(Instant::parse)
                        .orElse(null);
            } catch (IOException | RuntimeException e) {
                LOG.warn("The time of the next availability check cannot be read ({}); it is computed anew", e.toString());
            }
        }
        this.store = s;
        this.next = saved;
    }

    /**
     * Applies {@code checkIntervalSeconds} (0: no checks). At the start the persisted due time is kept (moved to a few
     * seconds after the start when it passed, or closer when the interval was shortened meanwhile); a changed
     * interval counts from now.
     */
    public synchronized void configure(int seconds, boolean atStart) {
        int before = intervalSeconds;
        intervalSeconds = Math.max(0, seconds);
        Instant now = clock.now();
        if (intervalSeconds == 0) {
            next = null;
        } else if (atStart && next != null && !next.isAfter(now)) {
            next = now.plus(START_DELAY).plusMillis(random.nextLong(START_DELAY.toMillis() + 1));
            LOG.info("An availability check was due while the gateway was down: it starts at {}", next);
        } else if (next == null || (atStart ? next.isAfter(now.plusMillis(maxJittered()))
                : before != intervalSeconds)) {
            next = now.plusMillis(jittered());
        } else {
            return; // unchanged
        }
        save();
    }

    /** True when a check is due now. */
    public synchronized boolean due() {
        return next != null && !next.isAfter(clock.now());
    }

    /** A check starts (or a due one is skipped): the next one is an interval (±10 %) from now. */
    public synchronized void checked() {
        if (intervalSeconds > 0) {
            next = clock.now().plusMillis(jittered());
            save();
        }
    }

    public synchronized Optional<Instant> next() {
        return Optional.ofNullable(next);
    }

    private long jittered() {
        long ms = intervalSeconds * 1000L;
        return ms - ms / 10 + random.nextLong(ms / 5 + 1);
    }

    private long maxJittered() {
        long ms = intervalSeconds * 1000L;
        return ms + ms / 10;
    }

    private void save() {
        if (store == null) {
            return;
        }
        try {
            store.save(JSON.writeValueAsBytes(new Saved(next == null ? null : next.toString())));
        } catch (IOException | RuntimeException e) {
            // the check still happens in this run; only a restart may then postpone it
            LOG.warn("Cannot save the time of the next availability check: {}", e.toString());
        }
    }
}
