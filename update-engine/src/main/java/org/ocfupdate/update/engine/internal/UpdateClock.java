package org.ocfupdate.update.engine.internal;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;

/** The time the update timer goes by: the system clock in the gateway; unit tests give their own. */
public interface UpdateClock {
    UpdateClock SYSTEM = new UpdateClock() {
        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public LocalDateTime localNow() {
            return LocalDateTime.now(ZoneId.systemDefault());
        }
    };

    /** The current instant (when checks are due). */
    Instant now();

    /** The local wall-clock time (what an install window is written in). */
    LocalDateTime localNow();
}
