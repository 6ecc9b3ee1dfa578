package org.ocfupdate.pstat.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The table of docs/software-update.md §2: cm and swupdatestate of each state. */
class UpdateStateTest {
    @Test
    void cmAndSwUpdateStateOfEachState() {
        assertEquals(0, UpdateState.IDLE.cm());
        assertEquals(0, UpdateState.NEW_VERSION_CHECK.cm());
        assertEquals(256, UpdateState.VERSION_VALIDATION.cm());
        assertEquals(320, UpdateState.VERSION_AVAILABLE.cm());
        assertEquals(448, UpdateState.UPGRADING.cm());
        assertEquals("idle", UpdateState.NEW_VERSION_CHECK.swUpdateState());
        assertEquals("nsa", UpdateState.VERSION_VALIDATION.swUpdateState());
        assertEquals("sva", UpdateState.VERSION_AVAILABLE.swUpdateState());
        assertEquals("upgrading", UpdateState.UPGRADING.swUpdateState());
    }

    @Test
    void busyStatesRefuseNewActions() {
        assertFalse(UpdateState.IDLE.isBusy());
        assertFalse(UpdateState.VERSION_AVAILABLE.isBusy());
        assertTrue(UpdateState.NEW_VERSION_CHECK.isBusy());
        assertTrue(UpdateState.VERSION_VALIDATION.isBusy());
        assertTrue(UpdateState.UPGRADING.isBusy());
    }

    @Test
    void onboardingStatesUseTheOcfNumbers() {
        assertEquals(DeviceOnboardingState.RFNOP, DeviceOnboardingState.of(3));
        assertEquals(4, DeviceOnboardingState.SRESET.value());
        assertThrows(IllegalArgumentException.class, () -> DeviceOnboardingState.of(5));
        assertThrows(IllegalArgumentException.class, () -> DeviceOnboardingState.of(-1));
    }

    @Test
    void softwareUpdateBits() {
        assertEquals(448, Dpm.SOFTWARE_UPDATE);
        assertEquals(511, Dpm.MAX);
    }
}
