package org.ocfupdate.gateway.internal.console;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Cross-site request forgery protection of the console's POSTs. A browser sends Basic credentials with any request
 * to the gateway, also one a foreign page makes it send; such a page cannot read the token embedded in the console
 * page (same-origin policy) nor set a custom header without a CORS preflight, which the gateway never grants. So
 * every POST must carry the token in the header {@value #HEADER}, and an Origin or Referer header, when present,
 * must name the host the request was sent to. (ConsoleSecurity has already refused, for the whole console, a POST
 * with neither header or from another origin: see SameOrigin. This token is a second guard for the page's actions.)
 */
final class Csrf {
    static final String HEADER = "X-OCF-CSRF";
    /** One per start of the bundle: a page loaded before a restart must be reloaded. */
    static final String TOKEN = ConsoleCredentials.random(32);

    private Csrf() {
    }

    /** Null when the request may change state, else why not. */
    static String refusal(String token, String origin, String referer, String host) {
        if (token == null || !MessageDigest.isEqual(TOKEN.getBytes(StandardCharsets.US_ASCII),
                token.getBytes(StandardCharsets.US_ASCII))) {
            return "missing or stale " + HEADER + " token: reload the page";
        }
        String from = origin != null ? origin : referer; // Origin "null" (a sandboxed page) matches no host
        if (from != null && !sameHost(from, host)) {
            return "request from another site (" + from + ") refused";
        }
        return null;
    }

    private static boolean sameHost(String url, String host) {
        try {
            URI u = URI.create(url);
            String authority = u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
            return u.getHost() != null && authority.equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
