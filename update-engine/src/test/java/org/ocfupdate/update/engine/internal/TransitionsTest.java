package org.ocfupdate.update.engine.internal;

import org.ocfupdate.update.engine.UpdateStore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.pstat.api.ProviderInfo;
import org.ocfupdate.pstat.api.TrustedKey;
import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.pstat.api.provider.UpdateException;
import org.ocfupdate.pstat.api.provider.UpdateOffer;
import org.ocfupdate.pstat.api.provider.UpdateOutcome;

/**
 * Walks every (state, event type) pair of {@link Transitions}, refused ones included: the machine is brought into the
 * state (with its running action, when the state has one), told the event, and the answer, the snapshot ({@code state},
 * {@code tm}, {@code cm}, {@code nv}, {@code result}) and what it persisted are compared with {@link #EXPECTED}. The
 * pairs come from the enum and the sealed {@link Event}: a new state or event type without a row and an expectation
 * fails here.
 */
class TransitionsTest {
    @TempDir
    Path dir;

    /**
     * "STATE EventType" → "answer | state tm cm nv result | saves". {@code answer}: ok, or the refusal; {@code saves}:
     * the fields persisted by the event, as "state/tm/result/nv", in order ({@code -}: none). {@code Reset} changes
     * no field here: it ends the running action and discards the staged package, and the SVR's wipe that follows
     * writes idle with the rest of the security state (PstatServiceImplTest).
     */
    static final Map<String, String> EXPECTED = new TreeMap<>(Map.ofEntries(
            // idle: requests start actions; no action runs, so reports are dropped
            Map.entry("IDLE CheckRequested", "ok | NEW_VERSION_CHECK 256 0 - 0 | NEW_VERSION_CHECK/256/0/-"),
            Map.entry("IDLE ValidateRequested", "ok | VERSION_VALIDATION 64 256 - 0 | VERSION_VALIDATION/64/0/-"),
            Map.entry("IDLE InstallRequested", "ok | VERSION_VALIDATION 128 256 - 0 | VERSION_VALIDATION/128/0/-"),
            Map.entry("IDLE CancelRequested", "no check or validation runs | IDLE 0 0 - 0 | -"),
            Map.entry("IDLE ProviderNews", "ok | NEW_VERSION_CHECK 256 0 - 0 | NEW_VERSION_CHECK/256/0/-"),
            Map.entry("IDLE Tick", "ok | IDLE 0 0 - 0 | -"),
            Map.entry("IDLE Reset", "ok | IDLE 0 0 - 0 | -"),
            Map.entry("IDLE Started", "ok | IDLE 0 0 - 0 | -"),
            Map.entry("IDLE OfferFound", "the action no longer runs | IDLE 0 0 - 0 | -"),
            Map.entry("IDLE NoOffer", "the action no longer runs | IDLE 0 0 - 0 | -"),
            Map.entry("IDLE Staged", "the action no longer runs | IDLE 0 0 - 0 | -"),
            Map.entry("IDLE ActionFailed", "the action no longer runs | IDLE 0 0 - 0 | -"),
            Map.entry("IDLE Installed", "the action no longer runs | IDLE 0 0 - 0 | -"),
            // new_version_check (tm 256 from idle, the check running)
            Map.entry("NEW_VERSION_CHECK CheckRequested",
                    "a software-update action is running (NEW_VERSION_CHECK) | NEW_VERSION_CHECK 256 0 - 0 | -"),
            Map.entry("NEW_VERSION_CHECK ValidateRequested",
                    "a software-update action is running (NEW_VERSION_CHECK) | NEW_VERSION_CHECK 256 0 - 0 | -"),
            Map.entry("NEW_VERSION_CHECK InstallRequested",
                    "a software-update action is running (NEW_VERSION_CHECK) | NEW_VERSION_CHECK 256 0 - 0 | -"),
            Map.entry("NEW_VERSION_CHECK CancelRequested", "ok | IDLE 0 0 - 0 | IDLE/0/0/-"),
            Map.entry("NEW_VERSION_CHECK ProviderNews", "ok | NEW_VERSION_CHECK 256 0 - 0 | -"),
            Map.entry("NEW_VERSION_CHECK Tick", "ok | NEW_VERSION_CHECK 256 0 - 0 | -"),
            Map.entry("NEW_VERSION_CHECK Reset", "ok | NEW_VERSION_CHECK 256 0 - 0 | -"),
            Map.entry("NEW_VERSION_CHECK Started", "ok | IDLE 0 0 - 4 | IDLE/0/4/-"),
            Map.entry("NEW_VERSION_CHECK OfferFound",
                    "ok | VERSION_VALIDATION 64 256 1.1.0 0 | VERSION_VALIDATION/64/0/1.1.0"),
            Map.entry("NEW_VERSION_CHECK NoOffer", "ok | IDLE 0 0 - 0 | IDLE/0/0/-"),
            Map.entry("NEW_VERSION_CHECK Staged", "unexpected in NEW_VERSION_CHECK | NEW_VERSION_CHECK 256 0 - 0 | -"),
            Map.entry("NEW_VERSION_CHECK ActionFailed", "ok | IDLE 0 0 - 5 | IDLE/0/5/-"),
            Map.entry("NEW_VERSION_CHECK Installed",
                    "unexpected in NEW_VERSION_CHECK | NEW_VERSION_CHECK 256 0 - 0 | -"),
            // version_validation (tm 64 from idle, the offer not found yet)
            Map.entry("VERSION_VALIDATION CheckRequested",
                    "a software-update action is running (VERSION_VALIDATION) | VERSION_VALIDATION 64 256 - 0 | -"),
            Map.entry("VERSION_VALIDATION ValidateRequested",
                    "a software-update action is running (VERSION_VALIDATION) | VERSION_VALIDATION 64 256 - 0 | -"),
            Map.entry("VERSION_VALIDATION InstallRequested",
                    "a software-update action is running (VERSION_VALIDATION) | VERSION_VALIDATION 64 256 - 0 | -"),
            Map.entry("VERSION_VALIDATION CancelRequested", "ok | IDLE 0 0 - 0 | IDLE/0/0/-"),
            Map.entry("VERSION_VALIDATION ProviderNews", "ok | VERSION_VALIDATION 64 256 - 0 | -"),
            Map.entry("VERSION_VALIDATION Tick", "ok | VERSION_VALIDATION 64 256 - 0 | -"),
            Map.entry("VERSION_VALIDATION Reset", "ok | VERSION_VALIDATION 64 256 - 0 | -"),
            Map.entry("VERSION_VALIDATION Started", "ok | IDLE 0 0 - 4 | IDLE/0/4/-"),
            Map.entry("VERSION_VALIDATION OfferFound", "ok | VERSION_VALIDATION 64 256 1.1.0 0 | -"),
            Map.entry("VERSION_VALIDATION NoOffer", "ok | IDLE 0 0 - 0 | IDLE/0/0/-"),
            Map.entry("VERSION_VALIDATION Staged", "ok | VERSION_AVAILABLE 0 320 - 0 | VERSION_AVAILABLE/0/0/-"),
            Map.entry("VERSION_VALIDATION ActionFailed", "ok | IDLE 0 0 - 5 | IDLE/0/5/-"),
            Map.entry("VERSION_VALIDATION Installed",
                    "unexpected in VERSION_VALIDATION | VERSION_VALIDATION 64 256 - 0 | -"),
            // version_available (1.1.0 staged, nothing running)
            Map.entry("VERSION_AVAILABLE CheckRequested",
                    "ok | NEW_VERSION_CHECK 256 0 1.1.0 0 | NEW_VERSION_CHECK/256/0/1.1.0"),
            Map.entry("VERSION_AVAILABLE ValidateRequested",
                    "ok | VERSION_VALIDATION 64 256 1.1.0 0 | VERSION_VALIDATION/64/0/1.1.0"),
            Map.entry("VERSION_AVAILABLE InstallRequested", "ok | UPGRADING 128 448 1.1.0 0 | UPGRADING/128/0/1.1.0"),
            Map.entry("VERSION_AVAILABLE CancelRequested", "no check or validation runs | VERSION_AVAILABLE 0 320 1.1.0 0 | -"),
            Map.entry("VERSION_AVAILABLE ProviderNews",
                    "ok | NEW_VERSION_CHECK 256 0 1.1.0 0 | NEW_VERSION_CHECK/256/0/1.1.0"),
            Map.entry("VERSION_AVAILABLE Tick", "ok | VERSION_AVAILABLE 0 320 1.1.0 0 | -"),
            Map.entry("VERSION_AVAILABLE Reset", "ok | VERSION_AVAILABLE 0 320 1.1.0 0 | -"),
            Map.entry("VERSION_AVAILABLE Started", "ok | VERSION_AVAILABLE 0 320 1.1.0 0 | -"),
            Map.entry("VERSION_AVAILABLE OfferFound", "the action no longer runs | VERSION_AVAILABLE 0 320 1.1.0 0 | -"),
            Map.entry("VERSION_AVAILABLE NoOffer", "the action no longer runs | VERSION_AVAILABLE 0 320 1.1.0 0 | -"),
            Map.entry("VERSION_AVAILABLE Staged", "the action no longer runs | VERSION_AVAILABLE 0 320 1.1.0 0 | -"),
            Map.entry("VERSION_AVAILABLE ActionFailed",
                    "the action no longer runs | VERSION_AVAILABLE 0 320 1.1.0 0 | -"),
            Map.entry("VERSION_AVAILABLE Installed", "the action no longer runs | VERSION_AVAILABLE 0 320 1.1.0 0 | -"),
            // upgrading (tm 128 in version_available, the installer running)
            Map.entry("UPGRADING CheckRequested",
                    "a software-update action is running (UPGRADING) | UPGRADING 128 448 1.1.0 0 | -"),
            Map.entry("UPGRADING ValidateRequested",
                    "a software-update action is running (UPGRADING) | UPGRADING 128 448 1.1.0 0 | -"),
            Map.entry("UPGRADING InstallRequested",
                    "a software-update action is running (UPGRADING) | UPGRADING 128 448 1.1.0 0 | -"),
            Map.entry("UPGRADING CancelRequested", "an installation cannot be cancelled | UPGRADING 128 448 1.1.0 0 | -"),
            Map.entry("UPGRADING ProviderNews", "ok | UPGRADING 128 448 1.1.0 0 | -"),
            Map.entry("UPGRADING Tick", "ok | UPGRADING 128 448 1.1.0 0 | -"),
            Map.entry("UPGRADING Reset", "dos.s cannot change while UPGRADING runs | UPGRADING 128 448 1.1.0 0 | -"),
            Map.entry("UPGRADING Started", "ok | IDLE 0 0 1.1.0 8 | IDLE/0/8/1.1.0"),
            Map.entry("UPGRADING OfferFound", "unexpected in UPGRADING | UPGRADING 128 448 1.1.0 0 | -"),
            Map.entry("UPGRADING NoOffer", "unexpected in UPGRADING | UPGRADING 128 448 1.1.0 0 | -"),
            Map.entry("UPGRADING Staged", "unexpected in UPGRADING | UPGRADING 128 448 1.1.0 0 | -"),
            Map.entry("UPGRADING ActionFailed", "ok | IDLE 0 0 1.1.0 5 | IDLE/0/5/1.1.0"),
            Map.entry("UPGRADING Installed", "ok | IDLE 0 0 1.1.0 1 | IDLE/0/1/1.1.0")));

    @Test
    void everyStateHasARowForEveryEventType() {
        for (UpdateState s : UpdateState.values()) {
            for (Class<?> type : Transitions.eventTypes()) {
                assertTrue(Transitions.row(s, type).isPresent(), "no row for " + s + " x " + type.getSimpleName());
            }
        }
    }

    @Test
    void everyPairAnswersAsTheTableSays() throws Exception {
        List<String> wrong = new ArrayList<>();
        Map<String, String> seen = new TreeMap<>();
        for (UpdateState s : UpdateState.values()) {
            for (Class<?> type : Transitions.eventTypes()) {
                String pair = s + " " + type.getSimpleName();
                String actual = walk(s, type);
                seen.put(pair, actual);
                if (!actual.equals(EXPECTED.get(pair))) {
                    wrong.add(pair + ": expected <" + EXPECTED.get(pair) + "> but was <" + actual + ">");
                }
            }
        }
        assertEquals(EXPECTED.keySet(), seen.keySet(), "an expectation for every pair, and only for those");
        if (!wrong.isEmpty()) {
            fail(wrong.size() + " pairs differ:\n" + String.join("\n", wrong));
        }
    }

    /**
     * When the first state of an action cannot be stored (a full disk), the request is refused, nothing was saved,
     * no provider is asked, and the next request runs.
     */
    @Test
    void anActionWhoseFirstStateCannotBeStoredNeverRuns() throws Exception {
        GatedEngine engine = new GatedEngine();
        MemoryStore store = new MemoryStore() {
            boolean failed;

            @Override
            public void save(Fields f) {
                if (!failed) {
                    failed = true;
                    throw new java.io.UncheckedIOException(new java.io.IOException("No space left on device"));
                }
                super.save(f);
            }
        };
        UpdateMachine m = machine(store, engine, dir);
        try {
            m.start();
            m.awaitStarted();
            assertThrows(java.io.UncheckedIOException.class, () -> m.ask(new Event.ValidateRequested(null)));
            assertEquals(UpdateState.IDLE, store.fields.state());
            assertEquals(List.of(), store.saves);
            engine.gate.release(); // a check of the refused job would return now
            assertNull(engine.checked.poll(300, TimeUnit.MILLISECONDS), "the refused action asked its provider");
            assertTrue(m.ask(new Event.CheckRequested(null)).accepted());
            assertEquals(List.of(UpdateState.NEW_VERSION_CHECK),
                    store.saves.stream().map(UpdateStore.Fields::state).toList());
        } finally {
            engine.gate.release(1000);
            m.stop();
        }
    }

    /**
     * Nothing staged: the download does not wait for the machine's answer to the offer (the machine is held in the
     * offer's transition until the download started); the offer still reaches the machine before the validated
     * package, and the transitions are those of the table.
     */
    @Test
    void theDownloadDoesNotWaitForTheMachinesAnswerToTheOffer() throws Exception {
        java.util.concurrent.CountDownLatch validating = new java.util.concurrent.CountDownLatch(1);
        GatedEngine engine = new GatedEngine() {
            @Override
            public Optional<Offer> check(Job job) {
                return Optional.of(new Offer(OFFER, "fake"));
            }

            @Override
            public Staged validate(Offer offer, Job job) {
                validating.countDown();
                return STAGED;
            }
        };
        MemoryStore store = new MemoryStore() {
            @Override
            public void keep(Fields f) { // the offer's transition in version_validation
                try {
                    assertTrue(validating.await(10, TimeUnit.SECONDS), "the download waited for the machine");
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                super.keep(f);
            }
        };
        UpdateMachine m = machine(store, engine, dir);
        try {
            m.start();
            m.awaitStarted();
            assertTrue(m.ask(new Event.ValidateRequested(null)).accepted());
            for (int i = 0; i < 200 && store.fields.state() != UpdateState.VERSION_AVAILABLE; i++) {
                Thread.sleep(25);
            }
            assertEquals(List.of("VERSION_VALIDATION/64/-", "VERSION_AVAILABLE/0/1.1.0"), store.saves.stream()
                    .map(s -> s.state() + "/" + s.tm() + "/" + (s.nv() == null ? "-" : s.nv())).toList());
        } finally {
            m.stop();
        }
    }

    /**
     * A fleet server cancels an action after its package was validated: the provider that served the package waiting
     * in version_available withdraws it (discarded, back to idle, result 0, a history entry), so that neither a client
     * nor the device itself installs it; another provider's cancel, or a client's, leaves it there (the table's row).
     */
    @Test
    void theProviderOfTheWaitingPackageWithdrawsIt() throws Exception {
        java.util.concurrent.atomic.AtomicInteger discards = new java.util.concurrent.atomic.AtomicInteger();
        GatedEngine engine = new GatedEngine() {
            @Override
            public void discard() {
                discards.incrementAndGet();
            }
        };
        engine.restaged = STAGED; // served by "fake"
        MemoryStore store = new MemoryStore();
        store.fields = new UpdateStore.Fields(UpdateState.VERSION_AVAILABLE, 0, null, 0, "1.1.0", null);
        UpdateMachine m = machine(store, engine, dir);
        try {
            m.start();
            m.awaitStarted();
            UpdateMachine.Answer other = m.ask(new Event.CancelRequested("usb", "not mine"));
            assertEquals("no check or validation runs", other.diagnostic());
            assertEquals(UpdateState.VERSION_AVAILABLE, store.fields.state());
            assertEquals(0, discards.get());

            assertTrue(m.ask(new Event.CancelRequested("fake", "hawkBit cancelled action 7")).accepted());
            assertEquals("ok | IDLE 0 0 1.1.0 0 | IDLE/0/0/1.1.0", describe("ok", store, 0));
            assertEquals(1, discards.get(), "the staged files were discarded");
            List<History.Entry> entries = new History(dir.resolve("history")).entries(); // as machine() keeps it
            History.Entry last = entries.get(entries.size() - 1);
            assertEquals("withdrawn by fake: hawkBit cancelled action 7", last.reason());
            assertEquals("1.1.0", last.to());
            // nothing is left to install: an installation request now validates afresh instead of installing 1.1.0
            assertTrue(m.ask(new Event.InstallRequested(true, null)).accepted());
            assertEquals(UpdateState.VERSION_VALIDATION, store.fields.state());
        } finally {
            engine.gate.release(1000);
            m.stop();
        }
    }

    /** Brings a new machine into {@code state}, tells it one event of {@code type}, and describes what followed. */
    private String walk(UpdateState state, Class<?> type) throws Exception {
        Path d = dir.resolve(state + "-" + type.getSimpleName());
        GatedEngine engine = new GatedEngine();
        MemoryStore store = new MemoryStore();
        if (state == UpdateState.VERSION_AVAILABLE || state == UpdateState.UPGRADING) {
            store.fields = new UpdateStore.Fields(UpdateState.VERSION_AVAILABLE, 0, null, 0, "1.1.0", null);
            engine.restaged = STAGED;
        }
        boolean started = type == Event.Started.class;
        if (started && state != UpdateState.VERSION_AVAILABLE) {
            // the state the last process left: the first event recovers from it
            store.fields = new UpdateStore.Fields(state, switch (state) {
                case NEW_VERSION_CHECK -> 256;
                case VERSION_VALIDATION -> 64;
                case UPGRADING -> 128;
                default -> 0;
            }, null, 0, state == UpdateState.UPGRADING ? "1.1.0" : null, null);
        }
        UpdateMachine m = machine(store, engine, d);
        try {
            if (started) {
                m.start();
                m.awaitStarted();
                return describe("ok", store, 0);
            }
            m.start();
            m.awaitStarted();
            switch (state) {
                case NEW_VERSION_CHECK -> m.ask(new Event.CheckRequested(null));
                case VERSION_VALIDATION -> m.ask(new Event.ValidateRequested(null));
                case UPGRADING -> m.ask(new Event.InstallRequested(true, null));
                default -> { }
            }
            assertEquals(state, store.fields.state(), "set-up of " + state);
            int before = store.saves.size();
            UpdateMachine.Answer a = m.ask(event(type, 1));
            return describe(a.accepted() ? "ok" : a.diagnostic(), store, before);
        } finally {
            engine.gate.release(1000);
            m.stop();
        }
    }

    /** A machine over fakes of our own store and engine: no automatic installation, no periodic checks. */
    private static UpdateMachine machine(MemoryStore store, GatedEngine engine, Path dir) throws Exception {
        return new UpdateMachine(store, engine, new History(dir.resolve("history")),
                UpdateMachine.Settings.autoInstall(false), new CheckSchedule(null, UpdateClock.SYSTEM, new Random(1)),
                UpdateClock.SYSTEM, Handover.inMemory(), () -> true, Duration.ZERO);
    }

    private static String describe(String answer, MemoryStore store, int savesBefore) {
        UpdateStore.Fields f = store.fields;
        List<String> saves = store.saves.subList(savesBefore, store.saves.size()).stream()
                .map(s -> s.state() + "/" + s.tm() + "/" + s.result() + "/" + (s.nv() == null ? "-" : s.nv())).toList();
        return answer + " | " + f.state() + " " + f.tm() + " " + f.state().cm() + " " + (f.nv() == null ? "-" : f.nv())
                + " " + f.result() + " | " + (saves.isEmpty() ? "-" : String.join(" ", saves));
    }

    static final UpdateOffer OFFER = UpdateOffer.builder("1.1.0", URI.create("file:/fake/1.1.0")).build();
    static final Engine.Staged STAGED = new Engine.Staged(Path.of("/fake/package.zip"), "1.1.0", "00", "fake");

    /** One event of {@code type}, for the running action {@code action}. */
    private static Event event(Class<?> type, long action) {
        if (type == Event.CheckRequested.class) {
            return new Event.CheckRequested(null);
        } else if (type == Event.ValidateRequested.class) {
            return new Event.ValidateRequested(null);
        } else if (type == Event.InstallRequested.class) {
            return new Event.InstallRequested(true, null);
        } else if (type == Event.CancelRequested.class) {
            return new Event.CancelRequested(null, null);
        } else if (type == Event.ProviderNews.class) {
            return new Event.ProviderNews("fake");
        } else if (type == Event.Tick.class) {
            return new Event.Tick();
        } else if (type == Event.Reset.class) {
            return new Event.Reset();
        } else if (type == Event.OfferFound.class) {
            return new Event.OfferFound(action, new Engine.Offer(OFFER, "fake"));
        } else if (type == Event.NoOffer.class) {
            return new Event.NoOffer(action);
        } else if (type == Event.Staged.class) {
            return new Event.Staged(action, STAGED);
        } else if (type == Event.ActionFailed.class) {
            return new Event.ActionFailed(action, UpdateResult.VALIDATION_FAILURE, "bad signature");
        } else if (type == Event.Installed.class) {
            return new Event.Installed(action, new UpdateOutcome(UpdateOutcome.Action.INSTALL, OFFER,
                    UpdateResult.SUCCESS, "installed 1.1.0", Instant.now(), Duration.ZERO));
        }
        throw new AssertionError("the test does not know how to make a " + type.getSimpleName());
    }

    /** A fake of our own store: the device is operational; every save is recorded. */
    static class MemoryStore implements UpdateStore {
        volatile Fields fields = new Fields(UpdateState.IDLE, 0, null, 0, null, null);
        final List<Fields> saves = new CopyOnWriteArrayList<>();

        @Override
        public Fields load() {
            return fields;
        }

        @Override
        public void save(Fields f) {
            saves.add(f);
            fields = f;
        }

        @Override
        public void keep(Fields f) {
            fields = f;
        }

        @Override
        public String inoperative() {
            return null;
        }

        @Override
        public String runningVersion() {
            return fields.version() != null ? fields.version() : "1.0.0";
        }
    }

    /** A fake of our own engine whose work waits until the test ends: the running action stays where it is. */
    static class GatedEngine implements Engine {
        final Semaphore gate = new Semaphore(0);
        final java.util.concurrent.BlockingQueue<Job> checked = new java.util.concurrent.LinkedBlockingQueue<>();
        volatile Staged restaged;

        private void await() throws UpdateException {
            try {
                if (!gate.tryAcquire(30, TimeUnit.SECONDS)) {
                    throw new UpdateException(UpdateResult.CONNECTION_FAILURE, "the test never let it go on");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public Optional<Offer> check(Job job) throws UpdateException {
            await();
            checked.add(job);
            return Optional.empty();
        }

        @Override
        public Staged validate(Offer offer, Job job) throws UpdateException {
            await();
            throw new UpdateException(UpdateResult.VALIDATION_FAILURE, "released");
        }

        @Override
        public String install(Staged staged, Consumer<String> step) throws UpdateException {
            await();
            throw new UpdateException(UpdateResult.UPGRADE_FAILURE, "released");
        }

        @Override
        public Optional<Staged> restaged(String runningVersion) {
            return Optional.ofNullable(restaged);
        }

        @Override
        public Optional<String> committedInstallation() {
            return Optional.empty();
        }

        @Override
        public void discard() {
        }

        @Override
        public List<ProviderInfo> providers() {
            return List.of();
        }

        @Override
        public List<TrustedKey> trustedKeys() {
            return List.of();
        }
    }
}
