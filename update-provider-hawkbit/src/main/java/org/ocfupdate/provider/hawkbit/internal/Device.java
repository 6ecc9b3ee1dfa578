package org.ocfupdate.provider.hawkbit.internal;

/** What the provider needs to know of the device; the manager answers from the gateway's services. */
interface Device {
    /** The device id ({@code /oic/d} {@code di}), or null while not known yet. */
    String di();

    /** The running software version ({@code /oic/d} {@code sv}). */
    String runningVersion();

    /** True while an installation runs (it can no longer be cancelled). */
    boolean installing();
}
