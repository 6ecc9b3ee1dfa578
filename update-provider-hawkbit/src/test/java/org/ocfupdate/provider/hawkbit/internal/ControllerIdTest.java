package org.ocfupdate.provider.hawkbit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller id survives an ownership transfer (a new {@code di}): chosen once, at the first poll, from the di and
 * kept in data/hawkbit/controllerId; a configured {@code controllerId} always wins.
 */
class ControllerIdTest {
    @TempDir
    Path dir;
    private final FakeEngine engine = new FakeEngine();
    private final List<HawkbitProvider> started = new ArrayList<>();
    private final List<HawkbitTestServer> servers = new ArrayList<>();

    @AfterEach
    void tearDown() {
        started.forEach(HawkbitProvider::stop);
        servers.forEach(HawkbitTestServer::close);
        servers.forEach(s -> assertEquals(List.of(), s.violations));
    }

    private HawkbitTestServer server(String controllerId) throws Exception {
        HawkbitTestServer s = new HawkbitTestServer(controllerId);
        s.sleep = "00:00:00";
        servers.add(s);
        return s;
    }

    private HawkbitProvider start(HawkbitTestServer server, String controllerId) throws Exception {
        Settings s = new Settings(server.url(), HawkbitTestServer.TENANT, controllerId, "GatewayToken "
                + HawkbitTestServer.TOKEN, null, Duration.ofMillis(50), Duration.ofSeconds(2), Duration.ofSeconds(2),
                Duration.ofSeconds(5), dir.resolve("data/hawkbit"), "ocf-update-gateway");
        HawkbitProvider p = new HawkbitProvider(s, engine, new DdiClient(s), Map.of());
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

    @Test
    void theControllerIdChosenAtTheFirstPollSurvivesAnOwnershipTransfer() throws Exception {
        String first = engine.di;
        HawkbitTestServer server = server(first);
        HawkbitProvider p = start(server, "");
        await(() -> server.polls().stream().anyMatch(s -> s.status() == 200), "polled as " + first);
        p.stop();
        started.clear();

        engine.di = "7a1c9e44-0b6e-4f1d-8c3a-000000000002"; // ownership=transfer gave the device a new di
        int polls = server.polls().size();
        HawkbitProvider q = start(server, "");
        await(() -> server.seen.size() > polls + 3, "the restarted gateway polls");
        assertTrue(server.seen.stream().skip(polls).allMatch(s -> s.path().contains("/controller/v1/" + first)),
                "still target " + first + " after the transfer: " + server.seen.stream().skip(polls).map(
                        HawkbitTestServer.Seen::path).toList());
        assertTrue(server.polls().stream().skip(polls).allMatch(s -> s.status() == 200 || s.status() == 304));
        assertEquals(first, Files.readString(dir.resolve("data/hawkbit/controllerId")).trim());
    }

    @Test
    void aConfiguredControllerIdAlwaysWins() throws Exception {
        String first = engine.di;
        HawkbitTestServer byDi = server(first);
        HawkbitProvider p = start(byDi, "");
        await(() -> byDi.polls().stream().anyMatch(s -> s.status() == 200), "polled as " + first);
        p.stop();
        started.clear();

        HawkbitTestServer named = server("gw-hall-3");
        start(named, "gw-hall-3");
        await(() -> named.polls().size() >= 3, "polled as gw-hall-3");
        assertTrue(named.seen.stream().allMatch(s -> s.path().contains("/controller/v1/gw-hall-3")),
                named.seen.stream().map(HawkbitTestServer.Seen::path).toList().toString());
        assertEquals(first, Files.readString(dir.resolve("data/hawkbit/controllerId")).trim(),
                "the chosen id is kept for when the setting is removed again");
    }

    @Test
    void noIdIsChosenWhileTheDiIsUnknown() throws Exception {
        engine.di = null;
        HawkbitTestServer server = server("x");
        HawkbitProvider p = start(server, "");
        await(() -> p.status().startsWith("waiting for the device id"), "waiting: " + p.status());
        assertEquals(List.of(), server.seen);
        assertFalse(Files.exists(dir.resolve("data/hawkbit/controllerId")));
    }
}
