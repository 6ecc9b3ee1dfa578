package org.ocfupdate.gateway.internal.console;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A warning logged at most once per interval, with the number of those left out since the last one: a client that
 * repeats a refused request thousands of times a second must not flood the log, yet the operator sees the first one
 * at once and how many followed.
 */
final class RareWarning {
    private final Consumer<String> log;
    private final long intervalNanos;
    private boolean logged;
    private long last;
    private int skipped;

    /** @param log where a line goes, e.g. {@code LOG::warn} */
    RareWarning(Consumer<String> log, long interval, TimeUnit unit) {
        this.log = log;
        this.intervalNanos = unit.toNanos(interval);
    }

    void warn(String message, long nowNanos) {
        int before;
        synchronized (this) {
            if (logged && nowNanos - last < intervalNanos) {
                skipped++;
                return;
            }
            before = skipped;
            skipped = 0;
            logged = true;
            last = nowNanos;
        }
        log.accept(before == 0 ? message : message + " (and " + before + " more since the previous such line, not logged)");
    }
}
