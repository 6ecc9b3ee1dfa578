package org.ocfupdate.pstat.api.provider;

import java.net.URI;
import java.util.Objects;

/**
 * A package a provider offers: its version and where it is, with what metadata told of it. Immutable; built with
 * {@link #builder(String, URI)} so that later metadata can be added without breaking providers.
 */
public final class UpdateOffer {
    private final String version;
    private final URI location;
    private final long size;
    private final String sha256;
    private final String description;

    private UpdateOffer(Builder b) {
        this.version = b.version;
        this.location = b.location;
        this.size = b.size;
        this.sha256 = b.sha256;
        this.description = b.description == null ? version + " at " + location : b.description;
    }

    public static Builder builder(String version, URI location) {
        return new Builder(version, location);
    }

    /** The package's semantic version. */
    public String version() {
        return version;
    }

    /** Where the package is (a file or an http(s) URL). */
    public URI location() {
        return location;
    }

    /** The package size in bytes, or -1 when metadata did not say. */
    public long size() {
        return size;
    }

    /** The package's SHA-256 (lowercase hex) when metadata declared it, else null. */
    public String sha256() {
        return sha256;
    }

    /** For operators, e.g. "2.1.0 on medium /media/USB1". */
    public String description() {
        return description;
    }

    @Override
    public String toString() {
        return description;
    }

    public static final class Builder {
        private final String version;
        private final URI location;
        private long size = -1;
        private String sha256;
        private String description;

        private Builder(String version, URI location) {
            this.version = Objects.requireNonNull(version, "version");
            this.location = Objects.requireNonNull(location, "location");
        }

        public Builder size(long bytes) {
            this.size = bytes;
            return this;
        }

        public Builder sha256(String hex) {
            this.sha256 = hex;
            return this;
        }

        public Builder description(String text) {
            this.description = text;
            return this;
        }

        public UpdateOffer build() {
            return new UpdateOffer(this);
        }
    }
}
