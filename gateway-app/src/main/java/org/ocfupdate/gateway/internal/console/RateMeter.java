package org.ocfupdate.gateway.internal.console;

import java.util.concurrent.TimeUnit;

/** The average rate of the running transfer since this console first saw it, in bytes per second. */
final class RateMeter {
    private long startNanos = -1;
    private long startBytes;
    private long lastBytes;

    synchronized long sample(long bytes, long nowNanos) {
        if (bytes <= 0) {
            startNanos = -1; // no transfer: the next one starts afresh
            return 0;
        }
        if (startNanos < 0 || bytes < lastBytes) {
            startNanos = nowNanos;
            startBytes = bytes;
        }
        lastBytes = bytes;
        long elapsed = nowNanos - startNanos;
        return elapsed < TimeUnit.MILLISECONDS.toNanos(200) ? 0
                : (long) ((bytes - startBytes) * 1e9 / elapsed);
    }
}
