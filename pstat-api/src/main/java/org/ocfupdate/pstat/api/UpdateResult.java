package org.ocfupdate.pstat.api;

/** {@code /oc/swu} {@code swupdateresult}, with IoTivity-Lite's codes (docs/software-update.md §4). */
public enum UpdateResult {
    IDLE(0), SUCCESS(1), NOT_ENOUGH_RAM(2), NOT_ENOUGH_FLASH(3), CONNECTION_FAILURE(4), VALIDATION_FAILURE(5),
    INVALID_URL(6), UNSUPPORTED_PROTOCOL(7), UPGRADE_FAILURE(8);

    private final int code;

    UpdateResult(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static UpdateResult of(int code) {
        for (UpdateResult r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        throw new IllegalArgumentException("no swupdateresult " + code);
    }
}
