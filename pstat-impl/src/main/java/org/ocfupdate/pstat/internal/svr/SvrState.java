package org.ocfupdate.pstat.internal.svr;

import java.util.UUID;

import org.ocfupdate.pstat.api.DeviceOnboardingState;
import com.fasterxml.jackson.annotation.JsonInclude;
import org.ocfupdate.pstat.api.UpdateState;

/**
 * The persisted Secure Virtual Resource state of the device: identity, onboarding state, owner, the
 * software-update state with its {@code tm}, and the outcome of the last update.
 *
 * @param version    the installed software version, or null before any update (then the release version runs)
 * @param result     {@code /oc/swu} {@code swupdateresult} of the last action
 * @param nv         the version offered by the last check, or null
 * @param lastUpdate when the last installation ended (RFC 3339), or null
 * @param ownership  doxm of a device that an onboarding tool owns or is to own ({@code ownership=transfer}); null
 *                   for a device that owns itself (then owned, and {@code devowneruuid} is {@code rowneruuid}).
 *                   Not written when null, so a self-owned device's state reads as before in older versions
 * @param sdi        {@code /oic/sec/sdi} as last written, or null
 */
public record SvrState(UUID di, UUID piid, DeviceOnboardingState dos, int om, UUID rowneruuid, UpdateState update,
        int tm, String version, int result, String nv, String lastUpdate,
        @JsonInclude(JsonInclude.Include.NON_NULL) Ownership ownership,
        @JsonInclude(JsonInclude.Include.NON_NULL) Sdi sdi) {
    /** The nil UUID: no owner yet. */
    public static final UUID NIL = new UUID(0, 0);
    /** {@code oxmsel} of a device that has no transfer method chosen (after a reset): no transfer handshake. */
    public static final int NO_OXM = 4;

    /**
     * doxm of a device owned (or to be owned) by an onboarding tool.
     *
     * @param owned        doxm {@code owned}
     * @param devowneruuid the owner, or {@link #NIL}
     * @param oxmsel       the transfer method chosen, or {@link #NO_OXM}
     */
    public record Ownership(boolean owned, UUID devowneruuid, int oxmsel) {
        public Ownership withOxmsel(int o) {
            return new Ownership(owned, devowneruuid, o);
        }
    }

    /** {@code /oic/sec/sdi}: the security domain the onboarding tool put the device in. */
    public record Sdi(String uuid, String name, boolean priv) {
    }

    SvrState(UUID di, UUID piid, DeviceOnboardingState dos, int om, UUID rowneruuid, UpdateState update, int tm,
            String version, int result, String nv, String lastUpdate) {
        this(di, piid, dos, om, rowneruuid, update, tm, version, result, nv, lastUpdate, null, null);
    }

    /** What a device looks like on first start: owning itself, or waiting in RFOTM for an onboarding tool. */
    static SvrState fresh(UUID di, UUID piid, boolean transfer) {
        if (transfer) {
            return new SvrState(di, piid, DeviceOnboardingState.RFOTM, 4, NIL, UpdateState.IDLE, 0, null, 0, null,
                    null, new Ownership(false, NIL, NO_OXM), null);
        }
        return new SvrState(di, piid, DeviceOnboardingState.RFNOP, 4, UUID.randomUUID(), UpdateState.IDLE, 0, null, 0,
                null, null);
    }

    /** True unless an onboarding tool has yet to take ownership. */
    public boolean owned() {
        return ownership == null || ownership.owned();
    }

    public UUID devowneruuid() {
        return ownership == null ? rowneruuid : ownership.devowneruuid();
    }

    /** {@code oxmsel}: 0 for a device owning itself (as before: Just-Works is what it reports). */
    public int oxmsel() {
        return ownership == null ? 0 : ownership.oxmsel();
    }

    public SvrState withOwnership(Ownership o) {
        return new SvrState(di, piid, dos, om, rowneruuid, update, tm, version, result, nv, lastUpdate, o, sdi);
    }

    /** The device identity changes (doxm {@code deviceuuid} written during a transfer). */
    public SvrState withDi(UUID d) {
        return new SvrState(d, piid, dos, om, rowneruuid, update, tm, version, result, nv, lastUpdate, ownership, sdi);
    }

    public SvrState withSdi(Sdi s) {
        return new SvrState(di, piid, dos, om, rowneruuid, update, tm, version, result, nv, lastUpdate, ownership, s);
    }

    public SvrState withDos(DeviceOnboardingState d) {
        return new SvrState(di, piid, d, om, rowneruuid, update, tm, version, result, nv, lastUpdate, ownership, sdi);
    }

    public SvrState withOm(int o) {
        return new SvrState(di, piid, dos, o, rowneruuid, update, tm, version, result, nv, lastUpdate, ownership, sdi);
    }

    public SvrState withOwner(UUID owner) {
        return new SvrState(di, piid, dos, om, owner, update, tm, version, result, nv, lastUpdate, ownership, sdi);
    }

    public SvrState withUpdate(UpdateState u, int t) {
        return new SvrState(di, piid, dos, om, rowneruuid, u, t, version, result, nv, lastUpdate, ownership, sdi);
    }

    public SvrState withOutcome(int r, String offered) {
        return new SvrState(di, piid, dos, om, rowneruuid, update, tm, version, r, offered, lastUpdate, ownership, sdi);
    }

    public SvrState withInstalled(String installed, String when) {
        return new SvrState(di, piid, dos, om, rowneruuid, update, tm, installed, result, nv, when, ownership, sdi);
    }
}
