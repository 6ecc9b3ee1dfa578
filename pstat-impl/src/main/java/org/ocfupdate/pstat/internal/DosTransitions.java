package org.ocfupdate.pstat.internal;

import static org.ocfupdate.pstat.api.DeviceOnboardingState.RESET;
import static org.ocfupdate.pstat.api.DeviceOnboardingState.RFNOP;
import static org.ocfupdate.pstat.api.DeviceOnboardingState.RFOTM;
import static org.ocfupdate.pstat.api.DeviceOnboardingState.RFPRO;
import static org.ocfupdate.pstat.api.DeviceOnboardingState.SRESET;

import org.ocfupdate.pstat.api.DeviceOnboardingState;

/**
 * The {@code dos.s} transitions a client may ask for (docs/software-update.md §1), without IoTivity-Lite's RESET
 * quirk.
 */
final class DosTransitions {
    private DosTransitions() {
    }

    static boolean allowed(DeviceOnboardingState from, DeviceOnboardingState to, boolean owned) {
        if (from == to || to == RESET) {
            return true;
        }
        return switch (from) {
            case RFOTM -> (to == RFPRO || to == RFNOP) && owned;
            case RFPRO -> to == RFNOP || to == SRESET;
            case RFNOP -> to == RFPRO || to == SRESET;
            case SRESET -> to == RFPRO;
            case RESET -> to == RFOTM; // the device's own step after a reset
        };
    }
}
