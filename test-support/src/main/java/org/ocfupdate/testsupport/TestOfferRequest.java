package org.ocfupdate.testsupport;

import java.net.URI;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;

import org.ocfupdate.pstat.api.provider.OfferRequest;
import org.ocfupdate.pstat.api.provider.UpdateException;

/**
 * The engine's side of one availability check, played by a provider's test (our own SPI, {@code @ProviderType}): the
 * running version, and what the test decides for the location, the refused versions, cancellation and verification.
 */
public final class TestOfferRequest implements OfferRequest {
    /** What {@link OfferRequest#verify} does for this request. */
    @FunctionalInterface
    public interface Verifier {
        void verify(byte[] data, byte[] signature) throws UpdateException;
    }

    private final String running;
    private volatile URI location;
    private volatile BiPredicate<String, String> refused = (version, sha256) -> false;
    private volatile BooleanSupplier cancelled = () -> false;
    // a provider that verifies nothing must not call verify: an assertion, not a validation result, says so
    private volatile Verifier verifier = (data, signature) -> {
        throw new AssertionError("this test's provider was not expected to verify metadata");
    };

    public TestOfferRequest(String running) {
        this.running = running;
    }

    /** The location a privileged client asked for ({@code null}: none). */
    public TestOfferRequest location(URI location) {
        this.location = location;
        return this;
    }

    /** Which (version, sha256) the engine refused before. */
    public TestOfferRequest refusing(BiPredicate<String, String> refused) {
        this.refused = refused;
        return this;
    }

    public TestOfferRequest cancelledWhen(BooleanSupplier cancelled) {
        this.cancelled = cancelled;
        return this;
    }

    public TestOfferRequest verifiedBy(Verifier verifier) {
        this.verifier = verifier;
        return this;
    }

    @Override
    public String runningVersion() {
        return running;
    }

    @Override
    public Optional<URI> location() {
        return Optional.ofNullable(location);
    }

    @Override
    public boolean wasRefused(String version, String sha256) {
        return refused.test(version, sha256);
    }

    @Override
    public boolean isCancelled() {
        return cancelled.getAsBoolean();
    }

    @Override
    public void verify(byte[] data, byte[] signature) throws UpdateException {
        verifier.verify(data, signature);
    }
}
