package org.ocfupdate.provider.http.internal;

import java.nio.file.Path;
import java.time.Duration;

/** The provider's settings from {@link HttpProviderManager.Config}; unit tests construct them directly. */
record Settings(String url, Duration connectTimeout, Duration readTimeout, int retries, Path caFile,
        Duration backoff) {
    static final Duration BACKOFF = Duration.ofMillis(500);

    static Settings of(HttpProviderManager.Config c) {
        String ca = c.caFile() == null ? "" : c.caFile().trim();
        return new Settings(c.url() == null ? "" : c.url().trim(),
                Duration.ofSeconds(Math.max(1, c.connectTimeoutSeconds())),
                Duration.ofSeconds(Math.max(1, c.readTimeoutSeconds())), Math.max(0, c.retries()),
                ca.isEmpty() ? null : Path.of(ca), BACKOFF);
    }

    /** The back-off before retry {@code n} (1, 2, ...): 0.5 s, 1 s, 2 s, ... at most 30 s. */
    Duration backoff(int n) {
        return backoff.multipliedBy(1L << Math.min(n - 1, 6)).compareTo(Duration.ofSeconds(30)) > 0
                ? Duration.ofSeconds(30) : backoff.multipliedBy(1L << Math.min(n - 1, 6));
    }
}
