package org.ocfupdate.pstat.internal;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.provider.UpdateException;
import org.ocfupdate.pstat.api.provider.UpdateOffer;
import org.ocfupdate.update.engine.internal.Engine;
import org.ocfupdate.update.engine.internal.Job;

/** A fake of our own Engine: each step waits for a permit when {@link #gated}, then does what it was told. */
class FakeEngine implements Engine {
    volatile String offered;
    volatile UpdateResult validateFails;
    volatile UpdateResult installFails;
    volatile boolean gated;
    volatile Staged restaged;
    volatile String committed;
    final Semaphore permits = new Semaphore(0);
    volatile int discarded;
    /** The check fails after asking the provider (as a server that cannot be reached). */
    volatile UpdateResult checkFails;
    volatile boolean forceInstall;
    volatile boolean installAllowed = true;
    volatile int validations;
    volatile Listener listener;
    /** What the providers were told: checks and validations, then installations as {@link #installed} ends them. */
    final java.util.List<org.ocfupdate.pstat.api.provider.UpdateOutcome> told = new java.util.concurrent.CopyOnWriteArrayList<>();
    final java.util.List<String> installs = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Waits for a permit while gated; a cancelled job goes on at once, as a real provider returns when cancelled. */
    private void gate(Job job) {
        try {
            for (int i = 0; i < 1000 && gated && (job == null || !job.isCancelled()); i++) {
                if (permits.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public Optional<Offer> check(Job job) throws UpdateException {
        gate(job);
        job.provider("fake");
        if (checkFails != null) {
            throw new UpdateException(checkFails, "fake check failure");
        }
        if (offered == null) {
            return Optional.empty();
        }
        return Optional.of(new Offer(UpdateOffer.builder(offered, URI.create("file:/fake/" + offered))
                .reference("ref-" + offered).forceInstall(forceInstall).installAllowed(installAllowed).build(), "fake"));
    }

    @Override
    public Staged validate(Offer offer, Job job) throws UpdateException {
        gate(job);
        validations++;
        if (validateFails != null) {
            throw new UpdateException(validateFails, "fake validation failure");
        }
        return new Staged(Path.of("/fake/package.zip"), offer.offer().version(), "00", "fake");
    }

    @Override
    public String install(Staged staged, java.util.function.Consumer<String> step) throws UpdateException {
        gate(null);
        if (installFails != null) {
            throw new UpdateException(installFails, "fake installation failure");
        }
        return staged.version();
    }

    @Override
    public Optional<Staged> restaged(String runningVersion) {
        return Optional.ofNullable(restaged);
    }

    @Override
    public Optional<String> committedInstallation() {
        return Optional.ofNullable(committed);
    }

    @Override
    public void discard() {
        discarded++;
    }

    @Override
    public java.util.List<org.ocfupdate.pstat.api.ProviderInfo> providers() {
        return java.util.List.of(new org.ocfupdate.pstat.api.ProviderInfo("fake", 0, 1, "fake offers " + offered, true));
    }

    @Override
    public java.util.List<org.ocfupdate.pstat.api.TrustedKey> trustedKeys() {
        return java.util.List.of();
    }

    @Override
    public void listen(Listener l) {
        listener = l;
    }

    @Override
    public void completed(String provider, org.ocfupdate.pstat.api.provider.UpdateOutcome outcome) {
        told.add(outcome);
    }

    @Override
    public void installing(Staged staged, java.time.Instant started) {
        installs.add("installing " + staged.version() + " " + staged.reference());
    }

    @Override
    public void installed(UpdateResult result, String reason) {
        installs.add("installed " + result.code());
    }
}
