package org.ocfupdate.pstat.internal.svr;

import java.util.UUID;

import org.ocfupdate.pstat.api.DeviceOnboardingState;
import org.ocfupdate.pstat.api.UpdateState;

/**
 * The persisted Secure Virtual Resource state of the device: identity, onboarding state, owner, and the
 * software-update state with its {@code tm}.
 */
public record SvrState(UUID di, UUID piid, DeviceOnboardingState dos, int om, UUID rowneruuid, UpdateState update,
        int tm) {

    /** What a device looks like on first start, and after a reset (with its identity kept). */
    static SvrState fresh(UUID di, UUID piid) {
        return new SvrState(di, piid, DeviceOnboardingState.RFNOP, 4, UUID.randomUUID(), UpdateState.IDLE, 0);
    }

    public SvrState withDos(DeviceOnboardingState d) {
        return new SvrState(di, piid, d, om, rowneruuid, update, tm);
    }

    public SvrState withOm(int o) {
        return new SvrState(di, piid, dos, o, rowneruuid, update, tm);
    }

    public SvrState withOwner(UUID owner) {
        return new SvrState(di, piid, dos, om, owner, update, tm);
    }

    public SvrState withUpdate(UpdateState u, int t) {
        return new SvrState(di, piid, dos, om, rowneruuid, u, t);
    }
}
