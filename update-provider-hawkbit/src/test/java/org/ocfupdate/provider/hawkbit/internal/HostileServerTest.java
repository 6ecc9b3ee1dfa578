package org.ocfupdate.provider.hawkbit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

/**
 * A server (or whoever answers in its place) sending what no hawkBit sends: the provider reads at most
 * {@link Ddi#MAX_DOCUMENT} bytes, says precisely what is wrong, offers nothing, and keeps polling with back-off.
 */
class HostileServerTest {
    @TempDir
    Path dir;

    private String pollAgainst(Supplier<byte[]> root) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger polls = new AtomicInteger();
        server.createContext("/", ex -> {
            polls.incrementAndGet();
            byte[] body = root.get();
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        FakeEngine engine = new FakeEngine();
        Settings s = new Settings(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "DEFAULT", "gw",
                "GatewayToken x", null, Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(2),
                Duration.ofSeconds(5), dir.resolve("hawkbit"), "ocf-update-gateway");
        HawkbitProvider p = new HawkbitProvider(s, engine, new DdiClient(s), Map.of());
        p.attach(engine);
        p.start();
        try {
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (polls.get() < 3 && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertTrue(polls.get() >= 3, "polling goes on");
            assertEquals(0, engine.changes.get(), "nothing offered");
            return p.status();
        } finally {
            p.stop();
            server.stop(0);
        }
    }

    @Test
    void anOversizedRootIsCutOff() throws Exception {
        byte[] huge = ("{\"config\":{\"polling\":{\"sleep\":\"00:00:01\"}},\"pad\":\"" + "x".repeat(400_000) + "\"}")
                .getBytes();
        String status = pollAgainst(() -> huge);
        assertTrue(status.contains("larger than " + Ddi.MAX_DOCUMENT + " bytes"), status);
    }

    @Test
    void aSleepThatIsNotHhMmSsIsRefused() throws Exception {
        String status = pollAgainst(() -> "{\"config\":{\"polling\":{\"sleep\":\"300\"}}}".getBytes());
        assertTrue(status.contains("config.polling.sleep '300' is not HH:MM:SS"), status);
    }

    @Test
    void deeplyNestedJsonIsRefused() throws Exception {
        String status = pollAgainst(() -> ("{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}").getBytes());
        assertTrue(status.contains("the controller root is not valid JSON"), status);
    }
}
