package org.ocfupdate.pstat.api.provider;

import java.net.URI;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** What the engine asks of {@link UpdateProvider#offer}. */
@ProviderType
public interface OfferRequest {
    /** The running software version (semantic version). */
    String runningVersion();

    /** A location given for this one action ({@code /oc/swu} {@code purl}), overriding the configured one. */
    Optional<URI> location();

    /**
     * True when a package of this version and SHA-256 (lowercase hex, or null when not known from metadata) was
     * refused before: a provider should not offer it again.
     */
    boolean wasRefused(String version, String sha256);

    /** True once the action was cancelled. */
    boolean isCancelled();
}
