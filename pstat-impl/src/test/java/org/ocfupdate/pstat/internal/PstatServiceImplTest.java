package org.ocfupdate.pstat.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfupdate.pstat.api.DeviceOnboardingState.RESET;
import static org.ocfupdate.pstat.api.DeviceOnboardingState.RFNOP;
import static org.ocfupdate.pstat.api.DeviceOnboardingState.RFOTM;
import static org.ocfupdate.pstat.api.DeviceOnboardingState.RFPRO;
import static org.ocfupdate.pstat.api.DeviceOnboardingState.SRESET;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.pstat.api.DeviceOnboardingState;
import org.ocfupdate.pstat.api.Dpm;
import org.ocfupdate.pstat.api.Pstat;
import org.ocfupdate.pstat.api.PstatChange;
import org.ocfupdate.pstat.api.PstatRefusedException;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.update.engine.internal.History;
import org.ocfupdate.pstat.internal.svr.SvrStore;

class PstatServiceImplTest {
    @TempDir
    Path dir;
    SvrStore store;
    TestPstat pstat;
    final FakeEngine engine = new FakeEngine();
    final List<Pstat> seen = new CopyOnWriteArrayList<>();
    History history;

    @BeforeEach
    void start() throws Exception {
        store = new SvrStore(dir, "1.0.0");
        history = new History(dir.resolve("history"));
        engine.gated = true;
        pstat = new TestPstat(store, engine, history, false);
        pstat.addListener(seen::add);
    }

    @AfterEach
    void stop() throws Exception {
        engine.gated = false;
        engine.permits.release(100);
        pstat.deactivate();
    }

    /** Lets the engine's next step run. */
    void step() {
        engine.permits.release();
    }

    TestPstat restart() throws Exception {
        pstat.deactivate();
        return new TestPstat(new SvrStore(dir, "1.0.0"), engine, new History(dir.resolve("history")), false);
    }

    @Test
    void firstStartIsAnOwnedOperationalDevice() {
        Pstat p = pstat.current();
        assertEquals(RFNOP, p.dos());
        assertTrue(p.isop());
        assertEquals(0, p.cm());
        assertEquals(0, p.tm());
        assertEquals(4, p.om());
        assertEquals(4, p.sm());
        assertEquals(store.state().rowneruuid(), p.rowneruuid());
    }

    @Test
    void aCheckShowsTm256ThenReturnsToIdle() throws Exception {
        Pstat running = pstat.update(PstatChange.tm(Dpm.ISAC), true);
        assertEquals(UpdateState.NEW_VERSION_CHECK, running.update());
        assertEquals(256, running.tm());
        assertEquals(0, running.cm());
        step();
        awaitIdle();
        assertEquals(0, pstat.current().tm());
    }

    @Test
    void validationAndUpdateStartInVersionValidation() throws Exception {
        Pstat p = pstat.update(PstatChange.tm(Dpm.ISVV), true);
        assertEquals(UpdateState.VERSION_VALIDATION, p.update());
        assertEquals(256, p.cm());
        assertEquals(64, p.tm());
        step();
        awaitIdle();
        Pstat u = restart().current();
        assertEquals(UpdateState.IDLE, u.update());
    }

    @Test
    void aSecondActionWhileOneRunsIsRefusedAndChangesNothing() throws Exception {
        pstat.update(PstatChange.tm(Dpm.ISAC), true);
        Pstat before = pstat.current();
        for (int bit : new int[] {Dpm.ISVV, Dpm.ISSU}) {
            PstatRefusedException e = assertThrows(PstatRefusedException.class,
                    () -> pstat.update(PstatChange.tm(bit), true));
            assertEquals(PstatRefusedException.Reason.BAD_REQUEST, e.reason());
        }
        assertEquals(before, pstat.current());
    }

    @Test
    void writingZeroOrTheRunningBitWhileBusyIsAcceptedAndChangesNothing() throws Exception {
        pstat.update(PstatChange.tm(Dpm.ISAC), true);
        Pstat before = pstat.current();
        assertEquals(before, pstat.update(PstatChange.tm(0), true));
        assertEquals(before, pstat.update(PstatChange.tm(Dpm.ISAC), true));
    }

    @Test
    void refusesSeveralBitsOtherBitsAndOutOfRange() {
        for (int tm : new int[] {Dpm.ISAC | Dpm.ISVV, Dpm.ISVV | Dpm.ISSU, 1, 2, 32, 512, -1}) {
            assertThrows(PstatRefusedException.class, () -> pstat.update(PstatChange.tm(tm), true), "tm " + tm);
        }
        assertEquals(List.of(pstat.current()), seen, "no transition happened");
    }

    @Test
    void dosTransitionsFollowTheTable() throws Exception {
        assertRefused(new PstatChange(RFOTM, null, null, null));
        pstat.update(new PstatChange(RFPRO, null, null, null), true);
        assertEquals(RFPRO, pstat.current().dos());
        assertTrue(!pstat.current().isop());
        assertRefused(new PstatChange(RFOTM, null, null, null));
        pstat.update(new PstatChange(SRESET, null, null, null), true);
        assertRefused(new PstatChange(RFNOP, null, null, null));
        pstat.update(new PstatChange(RFPRO, null, null, null), true);
        pstat.update(new PstatChange(RFNOP, null, null, null), true);
        assertTrue(pstat.current().isop());
    }

    @Test
    void dosPendingIsTrueOnlyWhileTheChangeIsCarriedOut() throws Exception {
        pstat.update(new PstatChange(RFPRO, null, null, null), true);
        List<Pstat> last = seen.subList(seen.size() - 2, seen.size());
        assertTrue(last.get(0).pending());
        assertEquals(RFPRO, last.get(1).dos());
        assertTrue(!last.get(1).pending());
    }

    @Test
    void resetWipesTheOwnerAndComesBackOperational() throws Exception {
        UUID owner = pstat.current().rowneruuid();
        UUID di = store.state().di();
        pstat.update(new PstatChange(RESET, null, null, null), true);
        Pstat p = pstat.current();
        assertEquals(RFNOP, p.dos());
        assertNotEquals(owner, p.rowneruuid());
        assertEquals(di, store.state().di(), "the device identity stays");
        List<DeviceOnboardingState> states = seen.stream().map(Pstat::dos).toList();
        assertTrue(states.containsAll(List.of(RESET, RFOTM, RFNOP)), states.toString());
    }

    @Test
    void resetCancelsARunningCheck() throws Exception {
        pstat.update(PstatChange.tm(Dpm.ISAC), true);
        pstat.update(new PstatChange(RESET, null, null, null), true);
        assertEquals(UpdateState.IDLE, pstat.current().update());
        assertEquals(0, pstat.current().tm());
    }

    @Test
    void dosCannotChangeDuringAnActionExceptByReset() throws Exception {
        pstat.update(PstatChange.tm(Dpm.ISVV), true);
        assertRefused(new PstatChange(RFPRO, null, null, null));
    }

    @Test
    void ownerChangesOnlyOutsideRfproAndRfnop() throws Exception {
        UUID other = UUID.randomUUID();
        assertRefused(new PstatChange(null, null, null, other));
        pstat.update(new PstatChange(SRESET, null, null, null), true);
        pstat.update(new PstatChange(null, null, null, other), true);
        assertEquals(other, pstat.current().rowneruuid());
    }

    @Test
    void omMustBeASupportedMode() throws Exception {
        assertRefused(new PstatChange(null, null, 1, null));
        assertRefused(new PstatChange(null, null, 6, null));
        pstat.update(new PstatChange(null, null, 4, null), true);
    }

    @Test
    void aNonOwnerMayWriteOnlyTheSoftwareUpdateBits() throws Exception {
        PstatRefusedException e = assertThrows(PstatRefusedException.class,
                () -> pstat.update(new PstatChange(RFPRO, null, null, null), false));
        assertEquals(PstatRefusedException.Reason.UNAUTHORIZED, e.reason());
        assertEquals(Dpm.ISAC, pstat.update(PstatChange.tm(Dpm.ISAC), false).tm());
    }

    @Test
    void aChangeIsAllOrNothing() {
        Pstat before = pstat.current();
        // om is valid, tm is not: neither is applied
        assertRefused(new PstatChange(null, 320, 4, null));
        assertRefused(new PstatChange(RFPRO, Dpm.ISAC, null, null));
        assertEquals(before, pstat.current());
    }

    @Test
    void stateSurvivesARestart() throws Exception {
        pstat.update(new PstatChange(RFPRO, null, null, null), true);
        Pstat before = pstat.current();
        Pstat after = restart().current();
        assertEquals(before, after);
    }

    @Test
    void anActionInterruptedByARestartEndsInIdle() throws Exception {
        pstat.update(PstatChange.tm(Dpm.ISVV), true);
        Pstat after = restart().current();
        assertEquals(UpdateState.IDLE, after.update());
        assertEquals(0, after.tm());
        assertEquals(0, after.cm());
    }

    @Test
    void listenersSeeEveryTransitionInOrder() throws Exception {
        pstat.update(PstatChange.tm(Dpm.ISAC), true);
        step();
        awaitIdle();
        List<Integer> tms = seen.stream().map(Pstat::tm).toList();
        assertEquals(List.of(0, 256, 0), tms);
    }

    private void assertRefused(PstatChange change) {
        assertThrows(PstatRefusedException.class, () -> pstat.update(change, true), change.toString());
    }

    private void awaitIdle() throws InterruptedException {
        for (int i = 0; i < 500 && pstat.current().update() != UpdateState.IDLE; i++) {
            Thread.sleep(10);
        }
        assertEquals(UpdateState.IDLE, pstat.current().update());
    }
}
