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

    /**
     * The newest data saved under {@code name} that {@code reader} accepts, as it read it, or empty when none was
     * saved. Data the reader rejects (it throws) counts as corrupt: it is set aside with an error log and the data
     * saved before it is used, as for a torn write.
     *
     * @throws IOException when data was saved but none of it is usable
     * @since 1.2
     */
    <T> Optional<T> load(String name, Reader<T> reader) throws IOException;

    /** Saves durably before returning. */
    void save(String name, byte[] data) throws IOException;

    /** Reads saved data into what a resource keeps; an exception rejects the data. */
    @FunctionalInterface
    interface Reader<T> {
        T read(byte[] data) throws IOException;
    }
}
