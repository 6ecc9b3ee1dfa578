package org.ocfupdate.provider.hawkbit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.provider.UpdateException;
import org.ocfupdate.pstat.api.provider.UpdateOffer;
import org.ocfupdate.pstat.api.provider.UpdateOutcome;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The provider against {@link HawkbitTestServer} (a hawkBit-compatible DDI server validating every request and
 * response against the published OpenAPI document), with the engine played by {@link FakeEngine}: the scripted
 * scenarios of issue 16. Polling is fast here through the hidden minimum {@code minSleepMillis} (50 ms) and a server
 * sleep of 00:00:00 or 00:00:01; waits are bounded at 30 s so that a broken provider fails instead of hanging.
 */
class HawkbitScenarioTest {
    private static final Duration MIN_SLEEP = Duration.ofMillis(50);
    @TempDir
    Path dir;
    private HawkbitTestServer server;
    private FakeEngine engine;
    private final List<HawkbitProvider> started = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        engine = new FakeEngine();
        server = new HawkbitTestServer(engine.di);
        server.sleep = "00:00:00";
    }

    @AfterEach
    void tearDown() {
        started.forEach(HawkbitProvider::stop);
        server.close();
        assertEquals(List.of(), server.violations, "requests or responses outside ddi-openapi.json");
    }

    private Settings settings() {
        return new Settings(server.url(), HawkbitTestServer.TENANT, "", "GatewayToken " + HawkbitTestServer.TOKEN,
                null, MIN_SLEEP, Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(5),
                dir.resolve("data/hawkbit"), "ocf-update-gateway");
    }

    private HawkbitProvider start() throws Exception {
        Settings s = settings();
        HawkbitProvider p = new HawkbitProvider(s, engine, new DdiClient(s), Map.of("platform", "test",
                "product", "ocf-update-gateway 1.0.0"));
        p.attach(engine);
        p.start();
        started.add(p);
        return p;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static String execution(JsonNode f) {
        return f.path("status").path("execution").asText();
    }

    private static JsonNode last(HawkbitTestServer.Action a) {
        return a.feedback.get(a.feedback.size() - 1);
    }

    @Test
    void noActionPollsAtTheGivenSleepConditionally() throws Exception {
        server.sleep = "00:00:01";
        start();
        await(() -> server.polls().size() >= 3, "three polls");
        List<HawkbitTestServer.Seen> polls = server.polls();
        for (int i = 1; i < polls.size(); i++) {
            long gap = polls.get(i).nanos() - polls.get(i - 1).nanos();
            assertTrue(gap >= Duration.ofMillis(990).toNanos(), "poll " + i + " came " + gap / 1_000_000
                    + " ms after the previous one; the server asked for 1 s");
            assertNotNull(polls.get(i).header("If-None-Match"), "a conditional poll");
            assertEquals(304, polls.get(i).status());
        }
        assertEquals("application/hal+json", polls.get(0).header("Accept"));
        assertEquals(0, engine.changes.get(), "no action, no check");
    }

    @Test
    void pollsNeverFasterThanTheMinimumWhateverTheServerSays() throws Exception {
        server.sleep = "00:00:00";
        start();
        await(() -> server.polls().size() >= 4, "four polls");
        List<HawkbitTestServer.Seen> polls = server.polls();
        for (int i = 1; i < polls.size(); i++) {
            assertTrue(polls.get(i).nanos() - polls.get(i - 1).nanos() >= MIN_SLEEP.toNanos() - 1_000_000);
        }
    }

    @Test
    void forcedDeploymentIsInstalledAndClosedWithSuccessOnlyAfterTheCommit() throws Exception {
        byte[] pkg = bytes(300_000);
        HawkbitTestServer.Action a = server.assign("1", "1.1.0", "gateway-1.1.0.zip", pkg, "forced", "forced");
        HawkbitProvider p = start();
        await(() -> engine.changes.get() > 0, "the provider tells the engine of the deployment");
        UpdateOffer offer = engine.check(p).orElseThrow();
        assertEquals("1", offer.reference());
        assertEquals("1.1.0", offer.version());
        assertTrue(offer.forceValidate());
        assertTrue(offer.forceInstall());
        assertTrue(offer.installAllowed());
        assertEquals(pkg.length, offer.size());
        assertEquals(a.sha256, offer.sha256());
        Path target = dir.resolve("staging.zip");
        engine.fetch(p, offer, target);
        assertEquals(a.sha256, HawkbitTestServer.digest("SHA-256", Files.readAllBytes(target)));
        p.completed(FakeEngine.outcome(UpdateOutcome.Action.VALIDATE, offer, UpdateResult.SUCCESS, "validated"));
        await(() -> a.executions().contains("downloaded"), "downloaded reported");
        assertEquals(List.of("proceeding", "download"), a.executions().subList(0, 2), a.executions().toString());
        assertEquals("open", a.state, "no closed before the installation's outcome");
        p.completed(FakeEngine.outcome(UpdateOutcome.Action.INSTALL, offer, UpdateResult.SUCCESS,
                "installed 1.1.0; health check passed"));
        await(() -> a.state.equals("closed"), "closed");
        JsonNode closed = last(a);
        assertEquals("closed", execution(closed));
        assertEquals("success", closed.path("status").path("result").path("finished").asText());
        // told again after a restart (at least once): nothing more is sent
        int before = a.feedback.size();
        p.completed(FakeEngine.outcome(UpdateOutcome.Action.INSTALL, offer, UpdateResult.SUCCESS, "again"));
        int polls = server.polls().size();
        await(() -> server.polls().size() > polls + 2, "more polls");
        assertEquals(before, a.feedback.size());
        assertEquals(Optional.empty(), engine.check(p));
        assertTrue(server.requests("GET", "gateway-1.1.0.zip").size() == 1, "the artifact was downloaded once");
    }

    @Test
    void attemptWaitsForTheOperator() throws Exception {
        server.assign("2", "1.1.0", "gateway-1.1.0.zip", bytes(1000), "attempt", "attempt");
        HawkbitProvider p = start();
        await(() -> engine.changes.get() > 0, "the provider tells the engine");
        UpdateOffer offer = engine.check(p).orElseThrow();
        assertFalse(offer.forceValidate(), "attempt: the engine waits for tm 64");
        assertFalse(offer.forceInstall(), "attempt: the engine waits for tm 128");
        int polls = server.polls().size();
        await(() -> server.polls().size() > polls + 3, "more polls");
        assertEquals(List.of(), server.requests("GET", "gateway-1.1.0.zip"), "nothing downloaded on its own");
        assertEquals(1, engine.changes.get(), "an attempt is not pushed again at every poll");
    }

    @Test
    void closedMaintenanceWindowDownloadsButDoesNotInstallUntilItOpens() throws Exception {
        HawkbitTestServer.Action a = server.assign("3", "1.1.0", "gateway-1.1.0.zip", bytes(5000), "forced",
                "forced");
        a.window = "unavailable";
        HawkbitProvider p = start();
        await(() -> engine.changes.get() > 0, "the provider tells the engine");
        UpdateOffer offer = engine.check(p).orElseThrow();
        assertTrue(offer.forceValidate());
        assertFalse(offer.installAllowed(), "window closed: no installation on the engine's own");
        engine.fetch(p, offer, dir.resolve("staging.zip"));
        await(() -> a.executions().contains("downloaded"), "downloaded");
        int changes = engine.changes.get();
        a.window = "available";
        await(() -> engine.changes.get() > changes, "the window's opening is told to the engine");
        UpdateOffer now = engine.check(p).orElseThrow();
        assertTrue(now.installAllowed());
        assertEquals("3", now.reference());
        assertEquals("open", a.state);
    }

    @Test
    void wrongHashIsAFailureWithResult5() throws Exception {
        HawkbitTestServer.Action a = server.assign("4", "1.1.0", "gateway-1.1.0.zip", bytes(5000), "forced",
                "forced");
        a.sha256 = "00".repeat(32);
        HawkbitProvider p = start();
        await(() -> engine.changes.get() > 0, "the provider tells the engine");
        UpdateOffer offer = engine.check(p).orElseThrow();
        UpdateException e = assertThrows(UpdateException.class, () -> engine.fetch(p, offer,
                dir.resolve("staging.zip")));
        assertEquals(UpdateResult.VALIDATION_FAILURE, e.result());
        p.completed(FakeEngine.outcome(UpdateOutcome.Action.VALIDATE, offer, e.result(), e.getMessage()));
        await(() -> a.state.equals("closed"), "closed");
        JsonNode closed = last(a);
        assertEquals("failure", closed.path("status").path("result").path("finished").asText());
        assertEquals(5, closed.path("status").path("code").asInt());
        assertTrue(closed.path("status").path("details").get(0).asText().contains("SHA-256"), closed.toString());
    }

    @Test
    void cancelBeforeInstallStopsTheValidationAndConfirms() throws Exception {
        HawkbitTestServer.Action a = server.assign("5", "1.1.0", "gateway-1.1.0.zip", bytes(5000), "forced",
                "forced");
        HawkbitProvider p = start();
        await(() -> engine.changes.get() > 0, "the provider tells the engine");
        engine.check(p).orElseThrow();
        a.cancelRequested = true;
        await(() -> a.state.equals("canceled"), "cancel confirmed");
        assertEquals(1, engine.cancels.size(), "the engine was asked to cancel");
        JsonNode f = a.cancelFeedback.get(0);
        assertEquals("closed", execution(f));
        assertEquals("success", f.path("status").path("result").path("finished").asText());
        assertEquals(Optional.empty(), engine.check(p), "a cancelled action is no longer offered");
    }

    @Test
    void cancelDuringTheInstallationIsRejected() throws Exception {
        HawkbitTestServer.Action a = server.assign("6", "1.1.0", "gateway-1.1.0.zip", bytes(5000), "forced",
                "forced");
        HawkbitProvider p = start();
        await(() -> engine.changes.get() > 0, "the provider tells the engine");
        UpdateOffer offer = engine.check(p).orElseThrow();
        engine.fetch(p, offer, dir.resolve("staging.zip"));
        engine.installing.set(true);
        a.cancelRequested = true;
        await(() -> !a.cancelFeedback.isEmpty(), "cancel answered");
        assertEquals("rejected", execution(a.cancelFeedback.get(0)));
        assertEquals(List.of(), engine.cancels);
        p.completed(FakeEngine.outcome(UpdateOutcome.Action.INSTALL, offer, UpdateResult.SUCCESS, "installed"));
        await(() -> a.state.equals("closed"), "closed after all");
    }

    @Test
    void errorsAnd429BackOffAndTheActionIsNotLost() throws Exception {
        server.fail(3, 503, null);
        start();
        await(() -> server.seen.size() >= 3, "three failed polls");
        server.fail(1, 429, "1");
        await(() -> server.seen.stream().anyMatch(s -> s.status() == 429), "429");
        server.stop();
        Thread.sleep(300); // unreachable for a while: some polls find no server
        server.restart();
        HawkbitTestServer.Action a = server.assign("7", "1.1.0", "gateway-1.1.0.zip", bytes(5000), "forced",
                "forced");
        await(() -> engine.changes.get() > 0, "the action after the outage");
        List<HawkbitTestServer.Seen> s = server.seen;
        // the back-off doubles from the minimum: 50, 100, 200 ms between the first three failed polls
        assertTrue(s.get(1).nanos() - s.get(0).nanos() >= MIN_SLEEP.toNanos());
        assertTrue(s.get(2).nanos() - s.get(1).nanos() >= MIN_SLEEP.multipliedBy(2).toNanos());
        assertTrue(s.get(3).nanos() - s.get(2).nanos() >= MIN_SLEEP.multipliedBy(4).toNanos());
        HawkbitTestServer.Seen tooMany = s.stream().filter(x -> x.status() == 429).findFirst().orElseThrow();
        HawkbitTestServer.Seen after = s.get(s.indexOf(tooMany) + 1);
        assertTrue(after.nanos() - tooMany.nanos() >= Duration.ofSeconds(1).toNanos(), "Retry-After: 1 honoured");
        assertEquals("7", engine.check(started.get(0)).orElseThrow().reference());
        assertEquals("open", a.state);
    }

    @Test
    void killedMidDownloadResumesWithRangeAfterRestartForTheSameAction() throws Exception {
        byte[] pkg = bytes(400_000);
        HawkbitTestServer.Action a = server.assign("8", "1.1.0", "gateway-1.1.0.zip", pkg, "forced", "forced");
        server.cutAfter = 100_000;
        server.stallAtCut = true;
        HawkbitProvider first = start();
        await(() -> engine.changes.get() > 0, "the provider tells the engine");
        UpdateOffer offer = engine.check(first).orElseThrow();
        Path target = dir.resolve("staging.zip");
        CompletableFuture<Void> fetch = CompletableFuture.runAsync(() -> {
            try {
                engine.fetch(first, offer, target);
            } catch (UpdateException e) {
                // the "kill" below
            }
        });
        await(() -> engine.bytes.get() >= 100_000, "the first 100 000 bytes arrived");
        // killed: the fetch ends without the engine deleting its staging file, the provider stops
        engine.cancelled.set(true);
        fetch.join();
        first.stop();
        started.clear();
        assertEquals(100_000, Files.size(target));

        engine.cancelled.set(false);
        int changes = engine.changes.get();
        HawkbitProvider second = start(); // the restart: a new provider on the same data/
        await(() -> engine.changes.get() > changes, "the restarted provider takes the forced action up again");
        UpdateOffer again = engine.check(second).orElseThrow();
        assertEquals("8", again.reference());
        engine.fetch(second, again, target);
        List<HawkbitTestServer.Seen> downloads = server.requests("GET", "gateway-1.1.0.zip");
        HawkbitTestServer.Seen resumed = downloads.get(downloads.size() - 1);
        assertEquals("bytes=100000-", resumed.header("Range"));
        assertEquals("\"" + HawkbitTestServer.digest("SHA-1", pkg) + "\"", resumed.header("If-Range"));
        assertEquals(206, resumed.status());
        assertEquals(a.sha256, HawkbitTestServer.digest("SHA-256", Files.readAllBytes(target)));
        await(() -> a.executions().contains("downloaded"), "downloaded, reported against action 8");
        assertEquals(1, a.feedback.stream().filter(f -> execution(f).equals("proceeding")
                && f.path("status").path("result").path("progress").isMissingNode()).count(),
                "proceeding (without progress) once, not again after the restart: " + a.feedback);
        assertEquals(1, a.executions().stream().filter("download"::equals).count(), "download once");
    }

    @Test
    void configDataOncePerRequestAndInstalledBaseAfterAnotherProviderInstalled() throws Exception {
        server.requestAttributes = true;
        start();
        await(() -> !server.configData.isEmpty(), "configData");
        JsonNode data = server.configData.get(0).path("data");
        assertEquals(engine.di, data.path("di").asText());
        assertEquals("1.0.0", data.path("sv").asText());
        assertEquals("test", data.path("platform").asText());
        assertEquals("ocf-update-gateway 1.0.0", data.path("product").asText());
        int polls = server.polls().size();
        await(() -> server.polls().size() > polls + 3, "more polls");
        assertEquals(1, server.configData.size(), "once per request");

        engine.running = "1.2.0"; // installed from a USB medium
        await(() -> !server.installedBase.isEmpty(), "installedBase");
        assertEquals("1.2.0", server.installedBase.get(0).path("version").asText());
        assertEquals("ocf-update-gateway", server.installedBase.get(0).path("name").asText());
        await(() -> server.configData.size() == 2, "sv told as an attribute too");
        assertEquals("1.2.0", server.configData.get(1).path("data").path("sv").asText());
    }

    @Test
    void anotherServerReusingAnActionIdIsANewAction() throws Exception {
        HawkbitTestServer.Action a = server.assign("1", "1.1.0", "gateway-1.1.0.zip", bytes(100), "forced",
                "forced");
        HawkbitProvider p = start();
        await(() -> engine.changes.get() > 0, "the provider tells the engine");
        UpdateOffer offer = engine.check(p).orElseThrow();
        p.completed(FakeEngine.outcome(UpdateOutcome.Action.VALIDATE, offer, UpdateResult.VALIDATION_FAILURE,
                "signature not trusted"));
        await(() -> a.state.equals("closed"), "closed");
        p.stop();
        started.clear();
        server.close();
        assertEquals(List.of(), server.violations);

        // the gateway is pointed at a new server (or the server's database was reset): its action 1 is another one
        server = new HawkbitTestServer(engine.di);
        server.sleep = "00:00:00";
        HawkbitTestServer.Action b = server.assign("1", "1.2.0", "gateway-1.2.0.zip", bytes(200), "forced",
                "forced");
        int changes = engine.changes.get();
        HawkbitProvider q = start();
        await(() -> engine.changes.get() > changes, "the new server's action 1 is offered");
        assertEquals("1.2.0", engine.check(q).orElseThrow().version());
        assertEquals("open", b.state);
    }

    @Test
    void downgradeIsReportedAsAFailure() throws Exception {
        engine.running = "2.0.0";
        HawkbitTestServer.Action a = server.assign("9", "1.1.0", "gateway-1.1.0.zip", bytes(100), "forced",
                "forced");
        HawkbitProvider p = start();
        await(() -> engine.changes.get() > 0, "the provider tells the engine");
        assertEquals(Optional.empty(), engine.check(p));
        await(() -> a.state.equals("closed"), "closed");
        assertEquals("failure", last(a).path("status").path("result").path("finished").asText());
        assertTrue(last(a).path("status").path("details").get(0).asText().contains("downgrade"));
    }

    @Test
    void noTokenIsRefusedWith401AndPollingGoesOn() throws Exception {
        Settings s = settings();
        Settings anonymous = new Settings(s.server(), s.tenant(), s.controllerId(), null, null, s.minSleep(),
                s.maxBackoff(), s.connectTimeout(), s.readTimeout(), s.dataDir(), s.distribution());
        HawkbitProvider p = new HawkbitProvider(anonymous, engine, new DdiClient(anonymous), Map.of());
        p.start();
        started.add(p);
        await(() -> server.polls().size() >= 2, "two polls");
        assertTrue(server.polls().stream().allMatch(x -> x.status() == 401));
        assertTrue(p.status().contains("401"), p.status());
        assertNull(server.polls().get(0).header("Authorization"));
    }
}
