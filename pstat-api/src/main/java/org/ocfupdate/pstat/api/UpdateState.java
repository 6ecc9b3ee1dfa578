package org.ocfupdate.pstat.api;

/**
 * The software-update state machine shared by {@code /oic/sec/pstat} and {@code /oc/swu}: each state fixes
 * {@code cm} and {@code swupdatestate} (docs/software-update.md §2).
 */
public enum UpdateState {
    IDLE(0, "idle"),
    NEW_VERSION_CHECK(0, "idle"),
    VERSION_VALIDATION(Dpm.ISAC, "nsa"),
    VERSION_AVAILABLE(Dpm.ISAC | Dpm.ISVV, "sva"),
    UPGRADING(Dpm.ISAC | Dpm.ISVV | Dpm.ISSU, "upgrading");

    private final int cm;
    private final String swUpdateState;

    UpdateState(int cm, String swUpdateState) {
        this.cm = cm;
        this.swUpdateState = swUpdateState;
    }

    /** The software-update bits of {@code cm} in this state. */
    public int cm() {
        return cm;
    }

    /** {@code /oc/swu} {@code swupdatestate} in this state. */
    public String swUpdateState() {
        return swUpdateState;
    }

    /** True while an action runs: a new software-update request is refused. */
    public boolean isBusy() {
        return this == NEW_VERSION_CHECK || this == VERSION_VALIDATION || this == UPGRADING;
    }
}
