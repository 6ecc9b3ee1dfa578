package org.ocfupdate.gateway.internal.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class CsrfTest {
    static final String HOST = "127.0.0.1:8080";

    @Test
    void theTokenFromThePageAndTheSameOriginPass() {
        assertNull(Csrf.refusal(Csrf.TOKEN, "http://127.0.0.1:8080", null, HOST));
        assertNull(Csrf.refusal(Csrf.TOKEN, null, "http://127.0.0.1:8080/system/console/ocf-update", HOST));
        assertNull(Csrf.refusal(Csrf.TOKEN, null, null, HOST), "a script without Origin/Referer, with the token");
    }

    @Test
    void aMissingOrWrongTokenOrAForeignOriginIsRefused() {
        assertNotNull(Csrf.refusal(null, "http://127.0.0.1:8080", null, HOST));
        assertNotNull(Csrf.refusal(Csrf.TOKEN.substring(1) + "x", "http://127.0.0.1:8080", null, HOST));
        assertEquals("request from another site (http://evil.example) refused",
                Csrf.refusal(Csrf.TOKEN, "http://evil.example", null, HOST));
        assertNotNull(Csrf.refusal(Csrf.TOKEN, "null", null, HOST), "a sandboxed page");
        assertNotNull(Csrf.refusal(Csrf.TOKEN, null, "http://127.0.0.1:9999/x", HOST), "another port");
    }
}
