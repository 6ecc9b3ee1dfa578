package org.ocfupdate.gateway.internal.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class RareWarningTest {
    @Test
    void oneLinePerIntervalWithTheNumberLeftOut() {
        List<String> lines = new ArrayList<>();
        RareWarning w = new RareWarning(lines::add, 10, TimeUnit.SECONDS);
        long s = TimeUnit.SECONDS.toNanos(1);
        w.warn("first", 0);
        for (int i = 0; i < 1000; i++) {
            w.warn("flood", 5 * s);
        }
        w.warn("later", 10 * s);
        w.warn("alone", 30 * s);
        assertEquals(List.of("first", "later (and 1000 more since the previous such line, not logged)", "alone"),
                lines);
    }
}
