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
    private final String reference;
    private final boolean forceValidate;
    private final boolean forceInstall;
    private final boolean installAllowed;

    private UpdateOffer(Builder b) {
        this.version = b.version;
        this.location = b.location;
        this.size = b.size;
        this.sha256 = b.sha256;
        this.description = b.description == null ? version + " at " + location : b.description;
        this.reference = b.reference;
        this.forceValidate = b.forceValidate || b.forceInstall;
        this.forceInstall = b.forceInstall;
        this.installAllowed = b.installAllowed;
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

    /**
     * The provider's own key for this offer (e.g. a fleet server's action id), kept by the engine with the action
     * and given back in {@link UpdateOutcome#offer()}, also after a restart; null when the provider set none.
     *
     * @since 1.1
     */
    public String reference() {
        return reference;
    }

    /**
     * The source demands a download and validation without waiting for a {@code tm} 64 (a fleet server's
     * {@code forced} download): the engine validates right after the check that found this offer.
     *
     * @since 1.1
     */
    public boolean forceValidate() {
        return forceValidate;
    }

    /**
     * The source demands the installation without waiting for a {@code tm} 128 (a fleet server's {@code forced}
     * update): once validated, the engine installs as soon as {@link #installAllowed()} and the device's install
     * window allow. Implies {@link #forceValidate()}.
     *
     * @since 1.1
     */
    public boolean forceInstall() {
        return forceInstall;
    }

    /**
     * False while the source forbids installing (a fleet server's maintenance window is closed): the engine then never
     * installs this offer on its own (forced or {@code autoInstall}); a {@code tm} 128 from a privileged client, an
     * operator's explicit decision, still installs. The provider tells the engine when this changes through
     * {@link ProviderContext#offerMayHaveChanged()}. True unless set.
     *
     * @since 1.1
     */
    public boolean installAllowed() {
        return installAllowed;
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
        private String reference;
        private boolean forceValidate;
        private boolean forceInstall;
        private boolean installAllowed = true;

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

        /** @since 1.1 */
        public Builder reference(String key) {
            this.reference = key;
            return this;
        }

        /** @since 1.1 */
        public Builder forceValidate(boolean forced) {
            this.forceValidate = forced;
            return this;
        }

        /** @since 1.1 */
        public Builder forceInstall(boolean forced) {
            this.forceInstall = forced;
            return this;
        }

        /** @since 1.1 */
        public Builder installAllowed(boolean allowed) {
            this.installAllowed = allowed;
            return this;
        }

        public UpdateOffer build() {
            return new UpdateOffer(this);
        }
    }
}
