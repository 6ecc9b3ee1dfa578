package org.ocfupdate.pstat.api.provider;

import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A source of update packages, registered as an OSGi service; the engine uses the one with the highest
 * {@code service.ranking}. A provider lacking the configuration it needs registers no service. Both actions
 * run on the engine's worker thread and may block; they must return soon after the request is cancelled.
 */
@ConsumerType
public interface UpdateProvider {

    /**
     * Is a version newer than {@link OfferRequest#runningVersion()} offered? Reads metadata only (a descriptor, a
     * manifest), never the payload.
     *
     * @return the newest offer, or empty when nothing newer is offered
     * @throws UpdateException when the source cannot be read (result 4, 6 or 7)
     */
    Optional<UpdateOffer> offer(OfferRequest request) throws UpdateException;

    /**
     * Writes the package of {@link FetchRequest#offer()} to {@link FetchRequest#target()}, reporting progress.
     * On failure or cancellation the engine deletes the target.
     *
     * @throws UpdateException when the transfer fails (result 4), the target is full (3), the bytes do not match
     *                         what the offer declared (5)
     */
    void fetch(FetchRequest request) throws UpdateException;

    /** A short, human-readable status for operators, e.g. "medium /media/USB1 with 2.1.0". */
    String status();

    /**
     * Gives the provider the engine's {@link ProviderContext}, once, when the engine binds it (before any other call).
     * Keep it to tell the engine about news later; it is valid until the provider is unbound.
     *
     * @since 1.1
     */
    default void attach(ProviderContext context) {
    }

    /**
     * Tells the provider how an action it served ended (see {@link UpdateOutcome} for when). Called on the engine's
     * thread: return soon, never throw. An outcome may be told again after a restart of the gateway (at least once):
     * match it by {@link UpdateOffer#reference()} and ignore what you already reported.
     *
     * @since 1.1
     */
    default void completed(UpdateOutcome outcome) {
    }
}
