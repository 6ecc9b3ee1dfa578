package org.ocfupdate.provider.hawkbit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.provider.UpdateOffer;
import org.ocfupdate.pstat.api.provider.UpdateOutcome;
import org.ocfupdate.testsupport.TestPki;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The provider against an HTTPS {@link HawkbitTestServer} whose certificate comes from a private CA ({@link TestPki}),
 * trusted through {@code caFile}: polling, a forced deployment through the artifact's {@code download} (https) link, a
 * server the CA did not sign, and the token kept from every other origin (a CDN link, a redirect).
 */
class HawkbitTlsTest {
    private static final Duration MIN_SLEEP = Duration.ofMillis(50);
    @TempDir
    static Path pkiDir;
    private static TestPki pki;
    private static TestPki rogue;
    @TempDir
    Path dir;
    private final List<HawkbitTestServer> servers = new ArrayList<>();
    private final List<HawkbitProvider> started = new ArrayList<>();
    private HawkbitTestServer server;
    private FakeEngine engine;

    @BeforeAll
    static void pki() throws Exception {
        pki = TestPki.create(pkiDir, "ours");
        rogue = TestPki.create(pkiDir, "rogue");
    }

    @BeforeEach
    void setUp() throws Exception {
        engine = new FakeEngine();
        server = server(pki);
    }

    private HawkbitTestServer server(TestPki certificate) throws Exception {
        HawkbitTestServer s = new HawkbitTestServer(engine.di, certificate.server);
        s.sleep = "00:00:00";
        servers.add(s);
        return s;
    }

    @AfterEach
    void tearDown() {
        started.forEach(HawkbitProvider::stop);
        servers.forEach(HawkbitTestServer::close);
        servers.forEach(s -> assertEquals(List.of(), s.violations, "requests or responses outside ddi-openapi.json"));
    }

    private HawkbitProvider start(Path caFile) throws Exception {
        Settings s = new Settings(server.url(), HawkbitTestServer.TENANT, "", "GatewayToken "
                + HawkbitTestServer.TOKEN, caFile, MIN_SLEEP, Duration.ofSeconds(2), Duration.ofSeconds(2),
                Duration.ofSeconds(5), dir.resolve("data/hawkbit"), "ocf-update-gateway");
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

    private static JsonNode last(HawkbitTestServer.Action a) {
        return a.feedback.get(a.feedback.size() - 1);
    }

    /** Download, validate (told by the test as the engine would), install: closed success. */
    private void installs(HawkbitProvider p, HawkbitTestServer.Action a, URI expectedLocation) throws Exception {
        await(() -> engine.changes.get() > 0, "the provider tells the engine of the deployment");
        UpdateOffer offer = engine.check(p).orElseThrow();
        assertEquals(a.id, offer.reference());
        assertEquals(expectedLocation, offer.location());
        Path target = dir.resolve("staging.zip");
        engine.fetch(p, offer, target);
        assertEquals(a.sha256, HawkbitTestServer.digest("SHA-256", Files.readAllBytes(target)));
        p.completed(FakeEngine.outcome(UpdateOutcome.Action.VALIDATE, offer, UpdateResult.SUCCESS, "validated"));
        await(() -> a.executions().contains("downloaded"), "downloaded reported");
        assertEquals("open", a.state, "no closed before the installation's outcome");
        p.completed(FakeEngine.outcome(UpdateOutcome.Action.INSTALL, offer, UpdateResult.SUCCESS,
                "installed " + a.version + "; health check passed"));
        await(() -> a.state.equals("closed"), "closed");
        assertEquals("success", last(a).path("status").path("result").path("finished").asText(), a.feedback
                .toString());
    }

    private URI artifactPath(HawkbitTestServer on, HawkbitTestServer.Action a) {
        return URI.create(on.url() + "/" + HawkbitTestServer.TENANT + "/controller/v1/" + engine.di
                + "/softwaremodules/" + a.module + "/artifacts/" + a.filename);
    }

    @Test
    void forcedDeploymentOverHttpsWithTheCaFileThroughTheDownloadLink() throws Exception {
        HawkbitTestServer.Action a = server.assign("1", "1.1.0", "gateway-1.1.0.zip", bytes(300_000), "forced",
                "forced");
        HawkbitProvider p = start(pki.caPem);
        await(() -> server.polls().size() >= 2, "two polls");
        assertTrue(server.polls().stream().allMatch(s -> s.status() == 200 || s.status() == 304),
                "polls over https answered: " + server.polls().stream().map(s -> s.status()).toList());
        JsonNode links = server.deployment(a).path("deployment").path("chunks").get(0).path("artifacts").get(0)
                .path("_links");
        assertTrue(links.has("download") && !links.has("download-http"), "only the https link: " + links);
        installs(p, a, artifactPath(server, a));
        HawkbitTestServer.Seen download = server.requests("GET", a.filename).get(0);
        assertEquals("GatewayToken " + HawkbitTestServer.TOKEN, download.header("Authorization"),
                "the server's own artifact link gets the token");
        assertEquals(200, download.status());
    }

    @Test
    void aServerCertificateNotSignedByTheCaFileIsNeverTrusted() throws Exception {
        server.close();
        servers.remove(server);
        server = server(rogue); // signed by another CA than the one in caFile
        server.assign("1", "1.1.0", "gateway-1.1.0.zip", bytes(1000), "forced", "forced");
        HawkbitProvider p = start(pki.caPem);
        await(() -> p.status().contains("(2 in a row)"), "two failed polls: " + p.status());
        String status = p.status();
        assertTrue(status.startsWith("server trouble (2 in a row): unreachable: TLS handshake failed (server "
                + "certificate not trusted? set caFile)"), status);
        assertTrue(status.contains("next poll in"), status);
        assertEquals(List.of(), server.seen, "no request got through the handshake");
        assertEquals(0, engine.changes.get(), "nothing offered");
        assertEquals(java.util.Optional.empty(), engine.check(p));
    }

    @Test
    void aDownloadLinkToAnotherOriginGetsNoToken() throws Exception {
        HawkbitTestServer cdn = server(pki);
        cdn.anonymous = true;
        byte[] pkg = bytes(50_000);
        HawkbitTestServer.Action a = server.assign("2", "1.1.0", "gateway-1.1.0.zip", pkg, "forced", "forced");
        cdn.assign("2", "1.1.0", "gateway-1.1.0.zip", pkg, "forced", "forced");
        server.artifactOrigin = cdn.url(); // same host, another port: another origin
        HawkbitProvider p = start(pki.caPem);
        installs(p, a, artifactPath(cdn, a));
        List<HawkbitTestServer.Seen> got = cdn.requests("GET", a.filename);
        assertEquals(1, got.size());
        assertNull(got.get(0).header("Authorization"), "the token went to " + cdn.url());
        assertEquals(List.of(), server.requests("GET", a.filename));
    }

    @Test
    void aRedirectToAnotherOriginGetsNoToken() throws Exception {
        HawkbitTestServer cdn = server(pki);
        cdn.anonymous = true;
        byte[] pkg = bytes(50_000);
        HawkbitTestServer.Action a = server.assign("3", "1.1.0", "gateway-1.1.0.zip", pkg, "forced", "forced");
        cdn.assign("3", "1.1.0", "gateway-1.1.0.zip", pkg, "forced", "forced");
        server.redirectArtifactsTo = cdn.url(); // the server's own link answers 302 to the CDN
        HawkbitProvider p = start(pki.caPem);
        installs(p, a, artifactPath(server, a));
        HawkbitTestServer.Seen redirected = server.requests("GET", a.filename).get(0);
        assertEquals(302, redirected.status());
        assertEquals("GatewayToken " + HawkbitTestServer.TOKEN, redirected.header("Authorization"));
        List<HawkbitTestServer.Seen> got = cdn.requests("GET", a.filename);
        assertEquals(1, got.size());
        assertNull(got.get(0).header("Authorization"), "the token followed the redirect to " + cdn.url());
    }
}
