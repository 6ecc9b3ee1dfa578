package org.ocfupdate.gateway.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReadinessTest {
    @Test
    void reportsTheInnermostCauseOfAFailedComponent() {
        String scrFailure = "java.lang.reflect.InvocationTargetException\n\tat x.y(Z.java:1)\n"
                + "Caused by: java.io.UncheckedIOException: wrapper\n\tat a.b(C.java:2)\n"
                + "Caused by: java.io.IOException: cannot bind CoAP to udp *:5683 (port taken?)\n\tat d.e(F.java:3)\n";
        assertEquals("java.io.IOException: cannot bind CoAP to udp *:5683 (port taken?)", Readiness.firstLine(scrFailure));
    }

    @Test
    void copesWithNoFailureText() {
        assertEquals("unknown cause", Readiness.firstLine(null));
        assertEquals("boom", Readiness.firstLine("boom\n\tat x"));
    }
}
