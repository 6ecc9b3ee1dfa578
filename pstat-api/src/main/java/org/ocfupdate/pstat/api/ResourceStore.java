package org.ocfupdate.pstat.api;

import java.io.IOException;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Durable storage for the data of the device's resources under {@code data/}: kept across restarts and across
 * software updates (docs/software-update.md §3). Each save is atomic; a torn write leaves the previous data.
 */
@ProviderType
public interface ResourceStore {

    /** The data saved under {@code name} (letters, digits, '.', '_', '-'), or empty when none was. */
    Optional<byte[]> load(String name) throws IOException;

    /** Saves durably before returning. */
    void save(String name, byte[] data) throws IOException;
}
