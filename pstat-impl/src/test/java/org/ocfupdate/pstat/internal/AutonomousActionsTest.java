package org.ocfupdate.pstat.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.update.engine.internal.UpdateMachineComponent;
import org.ocfupdate.pstat.api.Dpm;
import org.ocfupdate.pstat.api.Pstat;
import org.ocfupdate.pstat.api.PstatChange;
import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.pstat.api.provider.UpdateOutcome;
import org.ocfupdate.update.engine.internal.CheckSchedule;
import org.ocfupdate.update.engine.internal.History;
import org.ocfupdate.update.engine.internal.InstallWindow;
import org.ocfupdate.update.engine.internal.UpdateClock;
import org.ocfupdate.pstat.internal.svr.SvrStore;

/**
 * Actions the device starts by itself (issue 15): periodic checks, the install window, providers' news and
 * cancellations, and the outcomes told to providers; with a clock of our own and the timer's tick called directly.
 */
class AutonomousActionsTest {
    /** A clock the test moves; local time is UTC. */
    static final class TestClock implements UpdateClock {
        volatile Instant now = Instant.parse("2026-11-28T01:00:00Z"); // a Saturday, 01:00

        @Override
        public Instant now() {
            return now;
        }

        @Override
        public LocalDateTime localNow() {
            return LocalDateTime.ofInstant(now, ZoneOffset.UTC);
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    @TempDir
    Path dir;
    final FakeEngine engine = new FakeEngine();
    final TestClock clock = new TestClock();
    final List<Pstat> seen = new CopyOnWriteArrayList<>();
    SvrStore store;
    History history;
    CheckSchedule schedule;
    TestPstat pstat;

    @BeforeEach
    void offer() {
        engine.offered = "1.1.0";
    }

    void start(boolean autoInstall, int interval, String window) throws Exception {
        store = new SvrStore(dir.resolve("svr"), "1.0.0");
        history = new History(dir.resolve("history"));
        schedule = new CheckSchedule(dir.resolve("schedule"), clock, new Random(1));
        pstat = new TestPstat(store, engine, history, UpdateMachineComponent.settings(config(autoInstall, interval,
                window), null), null, schedule, clock, 0, () -> true, Duration.ZERO);
        seen.clear();
        pstat.addListener(seen::add);
    }

    @AfterEach
    void stop() throws Exception {
        engine.permits.release(100);
        if (pstat != null) {
            pstat.deactivate();
        }
    }

    static UpdateMachineComponent.Config config(boolean autoInstall, int interval, String window) {
        return new UpdateMachineComponent.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return UpdateMachineComponent.Config.class;
            }

            @Override
            public boolean autoInstall() {
                return autoInstall;
            }

            @Override
            public int checkIntervalSeconds() {
                return interval;
            }

            @Override
            public String installWindow() {
                return window;
            }

            @Override
            public String preferredProvider() {
                return "";
            }
        };
    }

    List<String> transitions() {
        return seen.subList(1, seen.size()).stream()
                .map(p -> p.cm() + "/" + p.tm() + "/" + p.update().swUpdateState()).toList();
    }

    void awaitState(UpdateState state) throws InterruptedException {
        for (int i = 0; i < 500 && pstat.current().update() != state; i++) {
            Thread.sleep(10);
        }
        assertEquals(state, pstat.current().update(), transitions().toString());
    }

    void awaitTold(int n) throws InterruptedException {
        for (int i = 0; i < 500 && engine.told.size() < n; i++) {
            Thread.sleep(10);
        }
        assertEquals(n, engine.told.size(), engine.told.toString());
    }

    // ---- checkIntervalSeconds ----

    @Test
    void aCheckStartsEveryIntervalWithJitter() throws Exception {
        engine.offered = null;
        start(false, 600, "");
        Instant due = schedule.next().orElseThrow();
        assertTrue(!due.isBefore(clock.now().plusSeconds(540)) && !due.isAfter(clock.now().plusSeconds(660)), "±10 %: "
                + due);

        clock.now = due.minusSeconds(1);
        pstat.tick();
        assertEquals(List.of(), transitions(), "not due yet");
        clock.now = due;
        pstat.tick();
        awaitState(UpdateState.IDLE);
        assertEquals(List.of("0/256/idle", "0/0/idle"), transitions(), "a check as tm 256, seen by observers");
        Instant next = schedule.next().orElseThrow();
        assertTrue(!next.isBefore(due.plusSeconds(540)) && !next.isAfter(due.plusSeconds(660)), next.toString());
    }

    @Test
    void theNextCheckTimeSurvivesARestartAndAnOverdueOneStartsSoonAfter() throws Exception {
        start(false, 3600, "");
        Instant due = schedule.next().orElseThrow();
        pstat.deactivate();
        pstat = null;

        CheckSchedule again = new CheckSchedule(dir.resolve("schedule"), clock, new Random(2));
        again.configure(3600, true);
        assertEquals(due, again.next().orElseThrow(), "persisted, honoured after the restart");

        clock.now = due.plusSeconds(7200); // the gateway was down when it was due
        CheckSchedule late = new CheckSchedule(dir.resolve("schedule"), clock, new Random(3));
        late.configure(3600, true);
        assertFalse(late.due(), "not in the first second after the start");
        Instant soon = late.next().orElseThrow();
        assertTrue(!soon.isBefore(clock.now.plusSeconds(5)) && !soon.isAfter(clock.now.plusSeconds(10)), soon.toString());
    }

    @Test
    void aDueCheckWaitsWhileAnotherActionRuns() throws Exception {
        start(false, 60, "");
        engine.gated = true;
        pstat.update(PstatChange.tm(Dpm.ISVV), true);
        clock.advance(Duration.ofSeconds(120));
        pstat.tick();
        assertEquals(UpdateState.VERSION_VALIDATION, pstat.current().update());
        assertTrue(schedule.due(), "deferred, not dropped");

        engine.permits.release(2);
        awaitState(UpdateState.VERSION_AVAILABLE);
        engine.offered = null;
        engine.gated = false;
        pstat.tick();
        awaitState(UpdateState.VERSION_AVAILABLE);
        assertEquals(List.of("256/64/nsa", "320/0/sva", "0/256/idle", "320/0/sva"), transitions());
        assertFalse(schedule.due());
    }

    @Test
    void aChangedIntervalAppliesAtOnceAndARunningActionGoesOn() throws Exception {
        start(false, 86400, "");
        engine.gated = true;
        pstat.update(PstatChange.tm(Dpm.ISVV), true);

        pstat.modified(config(true, 60, "02:00-04:00"));

        Instant next = schedule.next().orElseThrow();
        assertTrue(!next.isAfter(clock.now().plusSeconds(66)), next.toString());
        assertEquals(UpdateState.VERSION_VALIDATION, pstat.current().update(), "not cancelled");
        engine.permits.release(2);
        awaitState(UpdateState.VERSION_AVAILABLE);
        assertEquals(List.of("256/64/nsa", "320/0/sva"), transitions(), "validated; waits for the window (01:00)");
        pstat.modified(config(true, 0, "02:00-04:00"));
        assertTrue(schedule.next().isEmpty(), "0: no periodic checks");
    }

    // ---- installWindow ----

    @Test
    void autoInstallWaitsForTheWindowAndInstallsWhenItOpens() throws Exception {
        start(true, 0, "02:00-04:00");
        pstat.update(PstatChange.tm(Dpm.ISVV), true);
        awaitState(UpdateState.VERSION_AVAILABLE);
        pstat.tick();
        assertEquals(UpdateState.VERSION_AVAILABLE, pstat.current().update(), "01:00: outside the window");

        clock.advance(Duration.ofHours(1)); // 02:00
        pstat.tick();
        awaitState(UpdateState.IDLE);
        assertEquals(List.of("256/64/nsa", "320/0/sva", "448/128/upgrading", "0/0/idle"), transitions());
        assertEquals("1.1.0", store.softwareVersion());
    }

    /**
     * The fleet server cancels the action while its validated package waits for the install window: the provider
     * withdraws it, and when the window opens nothing is installed (before, the device installed the cancelled
     * action's package by itself).
     */
    @Test
    void aPackageWithdrawnByItsProviderIsNeverInstalledWhenTheWindowOpens() throws Exception {
        start(true, 0, "02:00-04:00");
        pstat.update(PstatChange.tm(Dpm.ISVV), true);
        awaitState(UpdateState.VERSION_AVAILABLE);
        assertTrue(engine.listener.cancel("fake", "hawkBit cancelled action 7"));
        awaitState(UpdateState.IDLE);
        assertEquals("withdrawn by fake: hawkBit cancelled action 7",
                pstat.history().get(pstat.history().size() - 1).reason());

        clock.advance(Duration.ofHours(1)); // 02:00: the window is open
        pstat.tick();
        Thread.sleep(200); // an installation would start on the machine's thread now
        assertEquals(UpdateState.IDLE, pstat.current().update());
        assertEquals(List.of("256/64/nsa", "320/0/sva", "0/0/idle"), transitions());
        assertEquals("1.0.0", store.softwareVersion());
    }

    @Test
    void aClientsTm128IsNeverDelayedByTheWindow() throws Exception {
        start(true, 0, "Sun 02:00-04:00");
        pstat.update(PstatChange.tm(Dpm.ISSU), true);
        awaitState(UpdateState.IDLE);
        assertEquals("1.1.0", store.softwareVersion());
    }

    @Test
    void anInvalidWindowIsRefusedAndNothingInstallsByItself() throws Exception {
        start(true, 0, "2am-4am");
        pstat.update(PstatChange.tm(Dpm.ISVV), true);
        awaitState(UpdateState.VERSION_AVAILABLE);
        pstat.tick();
        assertEquals(UpdateState.VERSION_AVAILABLE, pstat.current().update());
        assertEquals(InstallWindow.NEVER, UpdateMachineComponent.settings(config(true, 0, "2am-4am"), null).window());
        assertEquals(InstallWindow.parse("02:00-03:00"),
                UpdateMachineComponent.settings(config(true, 0, "25:00"), InstallWindow.parse("02:00-03:00")).window(),
                "a bad change keeps the window in force");
    }

    // ---- SPI 2: forced offers, news, cancellation, outcomes ----

    @Test
    void aForcedOfferInstallsAfterItsCheckWithoutAutoInstall() throws Exception {
        engine.forceInstall = true;
        start(false, 0, "");
        pstat.update(PstatChange.tm(Dpm.ISAC), true);
        awaitState(UpdateState.IDLE);
        assertEquals("1.1.0", store.softwareVersion());
        assertEquals(List.of("installing 1.1.0 ref-1.1.0", "installed " + UpdateResult.SUCCESS.code()), engine.installs);
    }

    @Test
    void aForcedOfferNotAllowedYetWaitsAndNewsInstallsTheStagedPackageWithoutFetchingAgain() throws Exception {
        engine.forceInstall = true;
        engine.installAllowed = false;
        start(false, 0, "");
        pstat.update(PstatChange.tm(Dpm.ISAC), true);
        awaitState(UpdateState.VERSION_AVAILABLE);
        pstat.tick();
        assertEquals(UpdateState.VERSION_AVAILABLE, pstat.current().update(), "the source forbids installing now");
        assertEquals(1, engine.validations);

        engine.installAllowed = true;
        engine.listener.offerMayHaveChanged("fake");
        awaitState(UpdateState.IDLE);
        assertEquals("1.1.0", store.softwareVersion());
        assertEquals(1, engine.validations, "the staged package was not fetched again");
    }

    @Test
    void newsWhileAnActionRunsIsIgnored() throws Exception {
        start(false, 0, "");
        engine.gated = true;
        pstat.update(PstatChange.tm(Dpm.ISAC), true);
        engine.listener.offerMayHaveChanged("fake");
        Thread.sleep(100); // the timer thread would start a check now if it did not ignore the news
        engine.permits.release(2);
        awaitState(UpdateState.VERSION_AVAILABLE);
        assertEquals(List.of("0/256/idle", "256/64/nsa", "320/0/sva"), transitions());
    }

    @Test
    void aProviderCancelsItsCheckButNeverAnInstallation() throws Exception {
        start(false, 0, "");
        engine.gated = true;
        pstat.update(PstatChange.tm(Dpm.ISAC), true);
        engine.permits.release(1); // the check asks the provider (it names itself), then waits in validation
        for (int i = 0; i < 200 && pstat.current().update() != UpdateState.VERSION_VALIDATION; i++) {
            Thread.sleep(10);
        }
        assertFalse(engine.listener.cancel("other", "not its action"));
        assertTrue(engine.listener.cancel("fake", "the server cancelled it"));
        awaitState(UpdateState.IDLE);
        assertEquals("cancelled by fake: the server cancelled it", pstat.history().get(pstat.history().size() - 1)
                .reason());
        // the cancelled validation returns from the fake's gate by itself; until it has, it could take one of the
        // permits below, and the new validation would then wait out the gate's 10 s (two loaded runs failed so)
        for (int i = 0; i < 1000 && engine.validations == 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(1, engine.validations, "the cancelled validation never returned");

        pstat.update(PstatChange.tm(Dpm.ISSU), true);
        engine.permits.release(2);
        // a loaded machine can take more than 2 s to reach the installation: without it the cancel below would hit
        // the validation and succeed (a full run failed so)
        for (int i = 0; i < 1000 && pstat.current().update() != UpdateState.UPGRADING; i++) {
            Thread.sleep(10);
        }
        assertEquals(UpdateState.UPGRADING, pstat.current().update());
        assertFalse(engine.listener.cancel("fake", "too late"));
        engine.permits.release(1);
        awaitState(UpdateState.IDLE);
        assertEquals("1.1.0", store.softwareVersion());
    }

    @Test
    void theProviderHearsHowItsActionsEnded() throws Exception {
        start(false, 0, "");
        pstat.update(PstatChange.tm(Dpm.ISAC), true);
        awaitState(UpdateState.VERSION_AVAILABLE);
        awaitTold(2);
        assertEquals(List.of(UpdateOutcome.Action.CHECK, UpdateOutcome.Action.VALIDATE),
                engine.told.stream().map(UpdateOutcome::action).toList());
        assertEquals("ref-1.1.0", engine.told.get(1).offer().reference());
        assertTrue(engine.told.get(1).succeeded());

        engine.validateFails = UpdateResult.VALIDATION_FAILURE; // a wrong hash
        engine.offered = "1.2.0";
        pstat.update(PstatChange.tm(Dpm.ISVV), true);
        awaitState(UpdateState.VERSION_AVAILABLE);
        awaitTold(4);
        UpdateOutcome failed = engine.told.get(3);
        assertEquals(List.of(UpdateOutcome.Action.VALIDATE, UpdateResult.VALIDATION_FAILURE, "1.2.0"),
                List.of(failed.action(), failed.result(), failed.offer().version()));

        engine.offered = null;
        pstat.update(PstatChange.tm(Dpm.ISAC), true);
        awaitState(UpdateState.VERSION_AVAILABLE);
        awaitTold(5);
        assertNull(engine.told.get(4).offer());
        assertEquals(UpdateResult.SUCCESS, engine.told.get(4).result(), "a check that ran and found nothing");
        assertEquals(List.of(), engine.installs, "no installation: nothing to tell about one");
    }

    /** Issue 15 defect: a check that failed before any offer recorded an empty provider in the history. */
    @Test
    void aCheckThatFailsBeforeAnyOfferNamesTheProviderInTheHistory() throws Exception {
        start(false, 0, "");
        engine.checkFails = UpdateResult.CONNECTION_FAILURE;
        pstat.update(PstatChange.tm(Dpm.ISAC), true);
        awaitState(UpdateState.IDLE);
        var last = pstat.history().get(pstat.history().size() - 1);
        assertEquals(List.of("fake", UpdateResult.CONNECTION_FAILURE), List.of(last.provider(), last.result()));
    }
}
