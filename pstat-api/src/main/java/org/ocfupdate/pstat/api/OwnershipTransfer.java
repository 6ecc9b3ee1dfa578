package org.ocfupdate.pstat.api;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The device's ownership transfer to an OCF onboarding tool ({@code ownership=transfer}), as the operator sees it.
 * Registered by the device; absent in {@code ownership=self}.
 */
@ProviderType
public interface OwnershipTransfer {
    /**
     * The 8-digit Random PIN while a Random-PIN transfer waits for the onboarding tool (the operator types it into
     * the tool), else empty.
     */
    Optional<String> waitingPin();
}
