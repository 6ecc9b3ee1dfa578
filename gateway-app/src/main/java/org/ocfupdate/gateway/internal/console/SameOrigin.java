package org.ocfupdate.gateway.internal.console;

import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * Cross-site request forgery protection of the whole Web Console (every page, the stock ones included). A browser
 * sends the operator's Basic credentials with any request to the console, also with a form POST that a page of
 * another site makes it send. Browsers always name the page's origin in {@code Origin} on such a POST (Referer is
 * the fallback of old browsers), and a page cannot forge either. So a request that may change state (any method but
 * GET, HEAD, OPTIONS) passes only when its {@code Origin}, or without one its {@code Referer}, has the console's own
 * scheme, host and port. {@code Origin: null} (a sandboxed page, a redirect) is foreign. A request with neither
 * header is refused too: it cannot be told apart from a forged one by a browser that leaves them out, and a script
 * can send {@code Origin} as easily as its credentials.
 */
final class SameOrigin {
    static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    private SameOrigin() {
    }

    /**
     * Null when the request may go on, else why not (for the 403 answer and the log).
     *
     * @param console the console's origin as the client addressed it, {@link #of}
     */
    static String refusal(String method, String origin, String referer, String console) {
        if (SAFE_METHODS.contains(method)) {
            return null;
        }
        if (origin == null && referer == null) {
            return "a " + method + " without Origin or Referer header may come from a page of another site; "
                    + "a script must send Origin: " + console;
        }
        String from = origin != null ? origin : referer;
        String seen = normalized(from);
        if (seen == null || !seen.equals(normalized(console))) {
            return "a " + method + " from " + (origin != null ? "Origin " : "Referer ") + clip(from)
                    + ", which is not this console's origin " + console;
        }
        return null;
    }

    /** The console's origin, {@code scheme://host[:port]}, from the request's scheme and its Host header. */
    static String of(String scheme, String host, String serverName, int serverPort) {
        // Host is what the browser addressed, as in its Origin; without it (HTTP/1.0) the server's own name
        String authority = host != null && !host.isBlank() ? host.trim()
                : (serverName.contains(":") && !serverName.startsWith("[") ? "[" + serverName + "]" : serverName)
                        + ":" + serverPort;
        return scheme.toLowerCase(Locale.ROOT) + "://" + authority;
    }

    /** {@code scheme://host:port} of a URL with the default port made explicit, lower case; null if no URL. */
    static String normalized(String url) {
        try {
            URI u = new URI(url);
            String scheme = u.getScheme();
            if (scheme == null || u.getHost() == null || u.getRawUserInfo() != null) {
                return null; // also "null", and a URL with user info, which no browser sends as origin
            }
            scheme = scheme.toLowerCase(Locale.ROOT);
            int port = u.getPort() >= 0 ? u.getPort() : scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
            return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + ":" + port;
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    /** A header as far as a log line or an error page should quote it. */
    private static String clip(String value) {
        String printable = value.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 100 ? printable : printable.substring(0, 100) + "...";
    }
}
