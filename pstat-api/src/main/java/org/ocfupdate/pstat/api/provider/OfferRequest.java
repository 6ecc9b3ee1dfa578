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
     * True when the package of this version and SHA-256 (hex) was refused before (failed verification or
     * installation): a provider should not offer it again. Refusals are keyed by version and digest, so a forged
     * package does not hide the genuine one of the same version. With a null {@code sha256}: true when any package of
     * this version was refused — a provider that knows no digest from metadata then computes its package's digest
     * and asks again; an offer of a refused version without a digest is ignored by the engine.
     */
    boolean wasRefused(String version, String sha256);

    /** True once the action was cancelled. */
    boolean isCancelled();

    /**
     * Checks a detached signature over metadata the provider read (a release descriptor) with the keys the engine
     * trusts for packages; trust stays in the engine, providers keep no keys of their own.
     *
     * @param data      the signed bytes
     * @param signature the detached signature as the package format defines it
     * @throws UpdateException with {@link org.ocfupdate.pstat.api.UpdateResult#VALIDATION_FAILURE} and the reason when
     *                         no trusted key verifies it
     * @since 1.1
     */
    void verify(byte[] data, byte[] signature) throws UpdateException;
}
