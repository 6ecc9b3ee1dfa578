package org.ocfupdate.provider.hawkbit.internal;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The provider's settings, from {@link HawkbitProviderManager.Config}; tests construct them directly.
 *
 * @param server         the server's base URL, e.g. https://hawkbit.example.com
 * @param tenant         the tenant, e.g. DEFAULT
 * @param controllerId   the controller id, or empty for the one chosen once from the device's {@code di}
 * @param authorization  the Authorization header value ("TargetToken x" or "GatewayToken x"), or null
 * @param caFile         a PEM file of CA certificates trusted besides the JDK's, or null
 * @param minSleep       the shortest polling interval honoured (the server's own minimum is 30 s)
 * @param maxBackoff     the longest wait after errors
 * @param connectTimeout TCP/TLS connect timeout
 * @param readTimeout    response headers, and any pause within a body
 * @param dataDir        where the provider keeps its state ({@code data/hawkbit})
 * @param distribution   the distribution set name reported with installedBase
 */
record Settings(URI server, String tenant, String controllerId, String authorization, Path caFile,
        Duration minSleep, Duration maxBackoff, Duration connectTimeout, Duration readTimeout, Path dataDir,
        String distribution) {
    static final Duration SERVER_MIN_SLEEP = Duration.ofSeconds(30);
    /** The interval used before the server suggested one, and when its suggestion is unreadable. */
    static final Duration DEFAULT_SLEEP = Duration.ofMinutes(5);
    /** Progress feedback at most once in this interval. */
    static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(5);

    /** The controller base URL for {@code controllerId}. */
    URI controllerBase(String id) {
        String base = server.toString().replaceAll("/+$", "");
        return URI.create(base + "/" + enc(tenant) + "/controller/v1/" + enc(id));
    }

    private static String enc(String segment) {
        return java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
