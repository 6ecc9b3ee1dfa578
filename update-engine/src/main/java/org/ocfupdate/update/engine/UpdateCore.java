package org.ocfupdate.update.engine;

import java.net.URI;
import java.util.List;

import org.ocfupdate.pstat.api.ProviderInfo;
import org.ocfupdate.pstat.api.TrustedKey;
import org.ocfupdate.pstat.api.UpdateRecord;
import org.ocfupdate.pstat.api.UpdateStatus;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The software-update state machine, as the pstat SVR sees it. Every action runs on the machine's one thread; the
 * SVR's own checks and writes run there too ({@link #call}), so that a pstat write and the update state change in
 * one step.
 */
@ProviderType
public interface UpdateCore {

    /** Work run on the machine's thread for a caller that waits ({@link #call}). */
    interface Work<T, X extends Exception> {
        T run() throws X;
    }

    /**
     * Runs {@code work} on the machine's thread, after the events before it and never before the recovery of the
     * state the last process left, and waits for it; on the machine's own thread it runs at once.
     *
     * @throws java.util.concurrent.RejectedExecutionException once the machine stopped
     */
    <T, X extends Exception> T call(Work<T, X> work) throws X;

    /**
     * Asks the machine to start the action of one software-update {@code tm} bit (64 check, 128 install, 256
     * validate) for a client.
     *
     * @param location where to look for the offer (/oc/swu purl), or null for the configured providers
     * @return null when the action started, else why it was refused (the client's diagnostic)
     */
    String start(int bit, URI location);

    /** A factory reset of the security state: ends a check or validation and discards the staged package. */
    void reset();

    /** Cancels the running check or validation; false when nothing could be cancelled. */
    boolean cancel();

    /** The state with the running action's progress. */
    UpdateStatus status();

    /** Runs {@code beat} once the machine and its worker are alive (the service manager's watchdog). */
    void heartbeat(Runnable beat);

    List<ProviderInfo> providers();

    List<TrustedKey> trustedKeys();

    /** The past actions, oldest first. */
    List<UpdateRecord> history();
}
