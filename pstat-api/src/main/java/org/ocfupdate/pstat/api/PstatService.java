package org.ocfupdate.pstat.api;

import org.osgi.annotation.versioning.ProviderType;

/** The device's pstat Secure Virtual Resource: one owner of the state, read and changed through here. */
@ProviderType
public interface PstatService {

    /** The current snapshot. */
    Pstat current();

    /**
     * Applies a change all-or-nothing, as a pstat POST does.
     *
     * @param change the properties to write
     * @param owner  true when the requester is the device owner (may write {@code dos}, {@code om},
     *               {@code rowneruuid}); others may write only the software-update bits of {@code tm}
     * @return the snapshot right after the change
     * @throws PstatRefusedException when refused; then nothing changed
     */
    Pstat update(PstatChange change, boolean owner) throws PstatRefusedException;

    /**
     * Starts the software-update action of {@code tm} bit {@code bit} (64, 128 or 256) as a {@code tm} write by the
     * owner does, refused the same way, with {@code location} (e.g. {@code /oc/swu} {@code purl}) telling the
     * provider where to look for this one action.
     *
     * @param location where the provider should look, or null for its configured default
     * @throws PstatRefusedException when refused; then nothing changed
     */
    Pstat start(int bit, java.net.URI location) throws PstatRefusedException;

    /** Cancels a running check or validation (never an installation); false when there was none. */
    boolean cancel();

    /** The software-update status: versions, last result, progress of a running transfer. */
    UpdateStatus status();

    /** The persisted update history, oldest first. */
    java.util.List<UpdateRecord> history();

    /** The update providers present, the one in use first. */
    java.util.List<ProviderInfo> providers();

    /** The keys whose signatures on packages are trusted now (keys that could not be read are left out). */
    java.util.List<TrustedKey> trustedKeys();

    /**
     * Runs {@code beat} once as a sign that the state machine's own thread lives (a service manager's watchdog): on
     * that thread as soon as it is free, after taking the state machine's lock; or, while it runs an action, at that
     * action's next progress report (a transfer reports as it goes). A thread that hangs never runs it; a stopped
     * state machine drops it.
     *
     * @param beat returns at once and never throws
     * @since 1.2
     */
    void heartbeat(Runnable beat);

    /** Adds a listener of every transition; it is called with the current snapshot first. */
    void addListener(PstatListener listener);

    void removeListener(PstatListener listener);
}
