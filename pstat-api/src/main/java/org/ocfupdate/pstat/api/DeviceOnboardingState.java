package org.ocfupdate.pstat.api;

/** {@code dos.s} of {@code /oic/sec/pstat}, with the OCF numbering. */
public enum DeviceOnboardingState {
    RESET, RFOTM, RFPRO, RFNOP, SRESET;

    /** The OCF number of this state (0..4). */
    public int value() {
        return ordinal();
    }

    /** @throws IllegalArgumentException when {@code value} is not 0..4 */
    public static DeviceOnboardingState of(int value) {
        DeviceOnboardingState[] all = values();
        if (value < 0 || value >= all.length) {
            throw new IllegalArgumentException("dos.s must be 0..4, not " + value);
        }
        return all[value];
    }
}
