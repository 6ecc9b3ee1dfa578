package org.ocfupdate.update.engine;

import org.ocfupdate.pstat.api.UpdateState;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * What the state machine needs of the device it updates (pstat-impl registers it as a service): its persisted update
 * fields, whether it is operational, and the running version. The machine calls it on its own thread, except
 * {@link #load} and {@link #runningVersion}: the status view reads them from any thread, and they must not wait.
 */
@ConsumerType
public interface UpdateStore {

    /**
     * The persisted software-update fields.
     *
     * @param version    the installed version, or null before any update
     * @param result     {@code swupdateresult} of the last action
     * @param nv         the version on offer, or null
     * @param lastUpdate when the last installation ended (RFC 3339), or null
     */
    record Fields(UpdateState state, int tm, String version, int result, String nv, String lastUpdate) {
        public Fields withState(UpdateState s, int t) {
            return new Fields(s, t, version, result, nv, lastUpdate);
        }

        public Fields withOutcome(int r, String offered) {
            return new Fields(state, tm, version, r, offered, lastUpdate);
        }

        public Fields withInstalled(String installed, String when) {
            return new Fields(state, tm, installed, result, nv, when);
        }
    }

    Fields load();

    /** Saves durably, then tells the observers: one transition. Throws when it cannot be stored (nothing changed). */
    void save(Fields f);

    /** Makes {@code f} current without writing it: a detail the next {@link #save} carries. */
    void keep(Fields f);

    /** Null when the device is operational (RFNOP), else why not: update actions start only in RFNOP. */
    String inoperative();

    /** The running software version. */
    String runningVersion();
}
