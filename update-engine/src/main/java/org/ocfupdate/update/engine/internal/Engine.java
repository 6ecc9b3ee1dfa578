package org.ocfupdate.update.engine.internal;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.ocfupdate.pstat.api.ProviderInfo;
import org.ocfupdate.pstat.api.TrustedKey;
import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.provider.UpdateOutcome;

import org.ocfupdate.pstat.api.provider.UpdateException;
import org.ocfupdate.pstat.api.provider.UpdateOffer;

/**
 * The work behind the state machine's transitions, done on worker threads: find an offer, fetch and verify it,
 * install it. The state machine ({@code PstatServiceImpl}) decides when; the engine does, and reports back.
 */
public interface Engine {

    /** An offer and the provider that made it. */
    record Offer(UpdateOffer offer, String provider) {
    }

    /**
     * A fetched and verified package in staging, with what its offer said that matters after a restart (kept in
     * {@code staged.json}): where it came from, the provider's reference, whether the source forces or allows its
     * installation.
     */
    record Staged(Path file, String version, String sha256, String provider, String location, String reference,
            boolean forceInstall, boolean installAllowed) {

        public Staged(Path file, String version, String sha256, String provider) {
            this(file, version, sha256, provider, null, null, false, true);
        }

        /** The same package as a newer offer describes it (whether its installation is allowed may have changed). */
        public Staged with(UpdateOffer o) {
            return new Staged(file, version, sha256, provider, o.location().toString(), o.reference(),
                    o.forceInstall(), o.installAllowed());
        }

        /** The offer as the provider made it, for {@link UpdateOutcome#offer()}. */
        public UpdateOffer toOffer() {
            return UpdateOffer.builder(version, URI.create(location != null ? location : file.toUri().toString()))
                    .sha256(sha256).reference(reference).forceInstall(forceInstall).installAllowed(installAllowed)
                    .build();
        }
    }

    /** What the state machine hears from providers through the engine (SPI 2 {@code ProviderContext}). */
    interface Listener {
        /** The provider in use saw news: start a check when idle. Called on the engine's thread. */
        void offerMayHaveChanged(String provider);

        /** The provider asks to cancel its running check or validation; false when none of its ran. */
        boolean cancel(String provider, String reason);
    }

    /** Finds the newest offer newer than the running version; empty when there is none. */
    Optional<Offer> check(Job job) throws UpdateException;

    /** Fetches the offer into staging and verifies it completely. */
    Staged validate(Offer offer, Job job) throws UpdateException;

    /**
     * Installs a verified package; returns the installed version. Runs on a thread of its own, which the bundles
     * being updated do not own, so that an update of this very bundle completes. {@code step} hears what it does.
     */
    String install(Staged staged, Consumer<String> step) throws UpdateException;

    /** After a restart in version_available: the staged package, verified again; empty when it no longer is. */
    Optional<Staged> restaged(String runningVersion);

    /** The version the last installation committed, when the last installation committed (not rolled back). */
    Optional<String> committedInstallation();

    /** Deletes anything staged. */
    void discard();

    /** The providers present, the one in use first. */
    List<ProviderInfo> providers();

    /** The trusted signing keys. */
    List<TrustedKey> trustedKeys();

    /** The state machine listens to providers' news (null: stops listening). */
    default void listen(Listener listener) {
    }

    /** Tells the provider named {@code provider} how a check or validation it served ended. */
    default void completed(String provider, UpdateOutcome outcome) {
    }

    /** An installation of {@code staged} starts: its outcome is kept until its provider was told (also after a restart). */
    default void installing(Staged staged, Instant started) {
    }

    /** The running installation committed or was rolled back: tell its provider (now, or when it binds). */
    default void installed(UpdateResult result, String reason) {
    }
}
