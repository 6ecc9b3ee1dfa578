package org.ocfupdate.pstat.internal.svr;

import java.util.UUID;

import org.ocfupdate.pstat.api.DeviceOnboardingState;
import org.ocfupdate.pstat.api.UpdateState;

/**
 * The persisted Secure Virtual Resource state of the device: identity, onboarding state, owner, the
 * software-update state with its {@code tm}, and the outcome of the last update.
 *
 * @param version    the installed software version, or null before any update (then the release version runs)
 * @param result     {@code /oc/swu} {@code swupdateresult} of the last action
 * @param nv         the version offered by the last check, or null
 * @param lastUpdate when the last installation ended (RFC 3339), or null
 */
public record SvrState(UUID di, UUID piid, DeviceOnboardingState dos, int om, UUID rowneruuid, UpdateState update,
        int tm, String version, int result, String nv, String lastUpdate) {

    /** What a device looks like on first start. */
    static SvrState fresh(UUID di, UUID piid) {
        return new SvrState(di, piid, DeviceOnboardingState.RFNOP, 4, UUID.randomUUID(), UpdateState.IDLE, 0, null, 0,
                null, null);
    }

    public SvrState withDos(DeviceOnboardingState d) {
        return new SvrState(di, piid, d, om, rowneruuid, update, tm, version, result, nv, lastUpdate);
    }

    public SvrState withOm(int o) {
        return new SvrState(di, piid, dos, o, rowneruuid, update, tm, version, result, nv, lastUpdate);
    }

    public SvrState withOwner(UUID owner) {
        return new SvrState(di, piid, dos, om, owner, update, tm, version, result, nv, lastUpdate);
    }

    public SvrState withUpdate(UpdateState u, int t) {
        return new SvrState(di, piid, dos, om, rowneruuid, u, t, version, result, nv, lastUpdate);
    }

    public SvrState withOutcome(int r, String offered) {
        return new SvrState(di, piid, dos, om, rowneruuid, update, tm, version, r, offered, lastUpdate);
    }

    public SvrState withInstalled(String installed, String when) {
        return new SvrState(di, piid, dos, om, rowneruuid, update, tm, installed, result, nv, when);
    }
}
