package org.ocfupdate.pstat.api;

import java.util.Objects;
import java.util.UUID;

/**
 * An immutable snapshot of {@code /oic/sec/pstat}. {@code cm}, {@code tm} and the update state always come
 * from the same transition.
 *
 * @param dos        {@code dos.s}
 * @param pending    {@code dos.p}: a {@code dos.s} change is being carried out
 * @param isop       true in RFNOP
 * @param cm         current mode
 * @param tm         target mode
 * @param om         operational mode
 * @param sm         supported operational modes
 * @param rowneruuid the resource owner
 * @param update     the software-update state that {@code cm}/{@code tm} show
 */
public record Pstat(DeviceOnboardingState dos, boolean pending, boolean isop, int cm, int tm, int om, int sm,
        UUID rowneruuid, UpdateState update) {

    public Pstat {
        Objects.requireNonNull(dos, "dos");
        Objects.requireNonNull(rowneruuid, "rowneruuid");
        Objects.requireNonNull(update, "update");
    }
}
