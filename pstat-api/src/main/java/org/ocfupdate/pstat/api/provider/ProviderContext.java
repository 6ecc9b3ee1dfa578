package org.ocfupdate.pstat.api.provider;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What the engine lets a provider ask of it, given through {@link UpdateProvider#attach}. Providers never write pstat:
 * they tell the engine what they saw and the engine decides. Calls return at once (the engine acts on its own thread)
 * and are ignored once the provider is no longer bound.
 *
 * @since 1.1
 */
@ProviderType
public interface ProviderContext {

    /**
     * Something this provider serves may have changed (a medium was inserted, a fleet server assigned or changed a
     * deployment, a maintenance window opened). The engine starts a check ({@code tm} 256, as the device itself,
     * observers see it) when this provider is the one in use and no action runs; otherwise it does nothing.
     */
    void offerMayHaveChanged();

    /**
     * Asks the engine to cancel the running check or validation of an offer this provider made, or to withdraw the
     * validated package of this provider that waits in {@code version_available} (a fleet server cancelled the
     * action): the package is discarded, the state goes back to {@code idle}, and neither a client nor the device
     * itself can install it any more. An installation is never cancelled.
     *
     * @param reason for the history and the log
     * @return true when a check or validation of this provider was running and is now cancelled, or its waiting
     *         package withdrawn; false when there was neither, or it is installing
     */
    boolean cancel(String reason);
}
