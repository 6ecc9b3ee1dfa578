package org.ocfupdate.pstat.api;

/**
 * The software-update side of the device at one moment: what {@code /oc/swu} and the console show beside pstat.
 *
 * @param state          the state machine's state
 * @param runningVersion the running software version ({@code /oic/d} {@code sv})
 * @param offeredVersion the version found by the last check ({@code /oc/swu} {@code nv}), or null
 * @param result         the result of the last action ({@code swupdateresult})
 * @param lastUpdate     when the last installation ended (RFC 3339), or null
 * @param bytes          bytes fetched so far by the running action
 * @param total          the size being fetched, or -1 when unknown or nothing is fetched
 * @param offeredBy      the name of the provider that offered {@code offeredVersion}, or null when not known
 * @param step           what the running action is doing, for operators (e.g. "fetching from usb"), or null
 * @since 1.1
 */
public record UpdateStatus(UpdateState state, String runningVersion, String offeredVersion, UpdateResult result,
        String lastUpdate, long bytes, long total, String offeredBy, String step) {

    /** The status of version 1.0 of this package, without provider and step. */
    public UpdateStatus(UpdateState state, String runningVersion, String offeredVersion, UpdateResult result,
            String lastUpdate, long bytes, long total) {
        this(state, runningVersion, offeredVersion, result, lastUpdate, bytes, total, null, null);
    }
}
