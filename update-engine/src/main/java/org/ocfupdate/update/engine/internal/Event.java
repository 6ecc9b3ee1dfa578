package org.ocfupdate.update.engine.internal;

import java.net.URI;

import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.provider.UpdateOutcome;

/**
 * What the software-update state machine ({@link UpdateMachine}) is told. Every change of its state is the answer
 * of {@link Transitions}' table to one of these, on the machine's own thread.
 */
public sealed interface Event {

    /**
     * tm 256 from a client, {@code /oc/swu} or the console: look for newer software. (The checks the device starts
     * itself come from {@link Tick} and {@link ProviderNews}.)
     */
    record CheckRequested(URI location) implements Event {
    }

    /** tm 64: find the offer and validate it. */
    record ValidateRequested(URI location) implements Event {
    }

    /** tm 128: install (through validation unless a verified package is staged). */
    record InstallRequested(boolean byClient, URI location) implements Event {
    }

    /** Cancel the running check or validation; {@code by} is the provider that asks, or null (a client, the console). */
    record CancelRequested(String by, String reason) implements Event {
    }

    /** A provider saw news ({@code ProviderContext.offerMayHaveChanged}): check when nothing runs. */
    record ProviderNews(String provider) implements Event {
    }

    /** The timer: a periodic check may be due, or the install window may have opened. */
    record Tick() implements Event {
    }

    /** {@code dos.s} RESET: the running check or validation ends and the staged package goes. */
    record Reset() implements Event {
    }

    /** The first event of every machine: recovers what the last process (or revision) left unfinished. */
    record Started() implements Event {
    }

    /** What the running action reports, from the worker or the installer; {@code action} is its id. */
    sealed interface Report extends Event {
        long action();
    }

    /** The check found an offer newer than the running version. */
    record OfferFound(long action, Engine.Offer offer) implements Report {
    }

    /** The check found nothing newer. */
    record NoOffer(long action) implements Report {
    }

    /** The offer is fetched and verified in staging. */
    record Staged(long action, Engine.Staged pkg) implements Report {
    }

    /** The check or validation failed. */
    record ActionFailed(long action, UpdateResult result, String reason) implements Report {
    }

    /**
     * The installation committed or was rolled back ({@link UpdateOutcome.Action#INSTALL}); null when it came from
     * an older revision whose {@code UpdateOutcome} class this one cannot read (the journal then says).
     */
    record Installed(long action, UpdateOutcome outcome) implements Report {
    }
}
