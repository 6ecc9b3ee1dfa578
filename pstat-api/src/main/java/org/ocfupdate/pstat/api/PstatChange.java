package org.ocfupdate.pstat.api;

import java.util.UUID;

/**
 * The writable properties of a pstat update; {@code null} means "not in the request". Applied all-or-nothing.
 *
 * @param dos        new {@code dos.s}, or null
 * @param tm         new {@code tm}, or null
 * @param om         new {@code om}, or null
 * @param rowneruuid new resource owner, or null
 */
public record PstatChange(DeviceOnboardingState dos, Integer tm, Integer om, UUID rowneruuid) {

    /** A change of {@code tm} alone. */
    public static PstatChange tm(int tm) {
        return new PstatChange(null, tm, null, null);
    }

    public boolean isEmpty() {
        return dos == null && tm == null && om == null && rowneruuid == null;
    }
}
