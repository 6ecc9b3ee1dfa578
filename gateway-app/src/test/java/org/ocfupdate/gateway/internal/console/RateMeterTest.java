package org.ocfupdate.gateway.internal.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RateMeterTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void averagesSinceTheTransferWasFirstSeenAndStartsAfreshForTheNext() {
        RateMeter m = new RateMeter();
        assertEquals(0, m.sample(0, 0));
        assertEquals(0, m.sample(1000, SECOND), "one sample is no rate");
        assertEquals(500, m.sample(2000, 3 * SECOND));
        assertEquals(0, m.sample(0, 4 * SECOND), "the transfer ended");
        m.sample(100, 5 * SECOND);
        assertEquals(900, m.sample(1000, 6 * SECOND));
    }
}
