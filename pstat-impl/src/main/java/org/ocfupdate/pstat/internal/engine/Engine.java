package org.ocfupdate.pstat.internal.engine;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.ocfupdate.pstat.api.ProviderInfo;
import org.ocfupdate.pstat.api.TrustedKey;

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

    /** A fetched and verified package in staging. */
    record Staged(Path file, String version, String sha256, String provider) {
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
}
