package org.ocfupdate.gateway.internal.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class SameOriginTest {
    static final String CONSOLE = "http://127.0.0.1:8080";

    @Test
    void readingIsNeverRefused() {
        for (String method : new String[] {"GET", "HEAD", "OPTIONS"}) {
            assertNull(SameOrigin.refusal(method, "http://evil.example", null, CONSOLE), method);
            assertNull(SameOrigin.refusal(method, null, null, CONSOLE), method);
        }
    }

    @Test
    void aChangeFromTheConsoleItselfPasses() {
        assertNull(SameOrigin.refusal("POST", "http://127.0.0.1:8080", null, CONSOLE));
        assertNull(SameOrigin.refusal("POST", "HTTP://127.0.0.1:8080", "http://evil.example/", CONSOLE),
                "Origin decides when present");
        assertNull(SameOrigin.refusal("POST", null, "http://127.0.0.1:8080/system/console/configMgr", CONSOLE));
        assertNull(SameOrigin.refusal("DELETE", "http://gw.local", null, "http://GW.local:80"), "default port");
        assertNull(SameOrigin.refusal("POST", "https://[::1]", null, "https://[::1]:443"));
    }

    @Test
    void aChangeFromAnywhereElseIsRefused() {
        assertEquals("a POST from Origin http://evil.example, which is not this console's origin " + CONSOLE,
                SameOrigin.refusal("POST", "http://evil.example", null, CONSOLE));
        assertNotNull(SameOrigin.refusal("POST", "null", null, CONSOLE), "a sandboxed page");
        assertNotNull(SameOrigin.refusal("POST", "null", CONSOLE + "/system/console", CONSOLE),
                "Origin null is not overruled by a Referer");
        assertNotNull(SameOrigin.refusal("POST", "http://127.0.0.1:8081", null, CONSOLE), "another port");
        assertNotNull(SameOrigin.refusal("POST", "https://127.0.0.1:8080", null, CONSOLE), "another scheme");
        assertNotNull(SameOrigin.refusal("POST", "http://127.0.0.1.evil.example:8080", null, CONSOLE));
        assertNotNull(SameOrigin.refusal("POST", null, "http://evil.example/?http://127.0.0.1:8080", CONSOLE));
        assertNotNull(SameOrigin.refusal("POST", null, "http://127.0.0.1:8080@evil.example/", CONSOLE));
        assertNotNull(SameOrigin.refusal("PUT", "not a url", null, CONSOLE));
        assertEquals("a POST without Origin or Referer header may come from a page of another site; a script must "
                + "send Origin: " + CONSOLE, SameOrigin.refusal("POST", null, null, CONSOLE));
    }

    @Test
    void theConsolesOriginIsWhatTheClientAddressed() {
        assertEquals("http://gw.example:8080", SameOrigin.of("http", "gw.example:8080", "127.0.0.1", 8080));
        assertEquals("http://127.0.0.1:8080", SameOrigin.of("HTTP", null, "127.0.0.1", 8080), "HTTP/1.0: no Host");
        assertEquals("http://[::1]:8080", SameOrigin.of("http", "", "::1", 8080));
    }
}
