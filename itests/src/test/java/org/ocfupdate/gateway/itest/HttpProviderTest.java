package org.ocfupdate.gateway.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Signature;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ocfupdate.pstat.api.Dpm;
import org.ocfupdate.pstat.api.PstatChange;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.api.provider.UpdateProvider;
import org.ocfupdate.testsupport.SignedPackages;
import org.osgi.service.cm.ConfigurationAdmin;

import com.sun.net.httpserver.HttpServer;

/**
 * The HTTP provider in the real gateway: a JDK HTTP server on 127.0.0.1 serves a signed release descriptor and a
 * signed package; with {@code org.ocfupdate.provider.http} {@code url} configured (and ranked above the other
 * providers), tm 128 checks, fetches, validates and installs it, and {@code /oic/d} {@code sv} changes.
 */
class HttpProviderTest {
    static final String HTTP_PID = "org.ocfupdate.provider.http";
    static final String TRUST_PID = "org.ocfupdate.trust";
    static final int RANKING = 100; // above the folder (50) and USB (0) providers; USB's own test uses 1000
    static Path work;
    static KeyPair key;
    static HttpServer server;
    static final Map<String, byte[]> files = new ConcurrentHashMap<>();
    static final List<String> requests = new CopyOnWriteArrayList<>();
    static Dictionary<String, Object> trustBefore;
    static Dictionary<String, Object> httpBefore;

    @BeforeAll
    static void givenATrustedKeyAndAnHttpServer() throws Exception {
        GatewayBundlesTest.ephemeralPortWithoutMulticast();
        work = Files.createTempDirectory("ocf-itest-http");
        key = SignedPackages.ecKey();
        Path pub = SignedPackages.writePublicKey(key, work.resolve("vendor.pem"));
        ConfigurationAdmin ca = GatewayBundlesTest.service(ConfigurationAdmin.class);
        var trust = ca.getConfiguration(TRUST_PID, "?");
        trustBefore = trust.getProperties();
        trust.update(new Hashtable<>(Map.of("keys", pub.toString())));
        GatewayBundlesTest.awaitTrusted(key.getPublic());
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            requests.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath());
            byte[] body = files.get(ex.getRequestURI().getPath());
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
    }

    @AfterAll
    static void restoreTheConfiguration() throws Exception {
        ConfigurationAdmin ca = GatewayBundlesTest.service(ConfigurationAdmin.class);
        UsbProviderTest.restore(ca.getConfiguration(HTTP_PID, "?"), httpBefore);
        UsbProviderTest.restore(ca.getConfiguration(TRUST_PID, "?"), trustBefore);
        if (server != null) {
            server.stop(0);
        }
        if (work != null) {
            try (Stream<Path> s = Files.walk(work)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static boolean httpSaved;

    /** The configuration as it was before this class changed it, restored after all its tests. */
    static synchronized void saveHttpConfigOnce(org.osgi.service.cm.Configuration http) {
        if (!httpSaved) {
            httpBefore = http.getProperties();
            httpSaved = true;
        }
    }

    static String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    static UpdateProvider awaitHttpProvider(String filter) throws Exception {
        return GatewayBundlesTest.awaitProvider("http", filter);
    }

    @Test
    void aReleaseOnAnHttpServerIsCheckedFetchedValidatedAndInstalledWithTm128() throws Exception {
        PstatService pstat = GatewayBundlesTest.service(PstatService.class);
        String next = UpdatePathTest.operationalIdleAndNextVersion(pstat);

        // given a signed package and a signed descriptor pointing at it (relative URL) on the server
        Path pkg = SignedPackages.write(work.resolve("update-" + next + ".zip"), key, next,
                Map.of("files/http-itest.txt", ("installed over HTTP, " + next + "\n").getBytes()));
        byte[] zip = Files.readAllBytes(pkg);
        byte[] descriptor = ("{\"version\":\"" + next + "\",\"package\":\"packages/update-" + next + ".zip\","
                + "\"size\":" + zip.length + ",\"sha256\":\""
                + SignedPackages.sha256(zip) + "\"}").getBytes();
        files.put("/ota/release.json", descriptor);
        files.put("/ota/release.json.sig", SignedPackages.sign(key, descriptor));
        files.put("/ota/packages/update-" + next + ".zip", zip);

        // and the HTTP provider configured with its url, ranked above the others
        var http = GatewayBundlesTest.service(ConfigurationAdmin.class).getConfiguration(HTTP_PID, "?");
        saveHttpConfigOnce(http);
        http.update(new Hashtable<>(Map.of("url", base() + "/ota/release.json", "service.ranking", RANKING)));
        UpdateProvider provider = awaitHttpProvider("(service.ranking=" + RANKING + ")");

        // when tm 128 is written
        pstat.update(PstatChange.tm(Dpm.ISSU), true);
        UpdatePathTest.awaitIdleAfterUpgrade();

        // then the package is installed and /oic/d sv is its version
        assertEquals(next, UpdatePathTest.device().get("sv").asText(), "/oic/d sv is the installed version");
        Path home = Path.of(GatewayBundlesTest.CONTEXT.getProperty("gateway.home"));
        assertEquals("installed over HTTP, " + next + "\n",
                Files.readString(home.resolve("data/files/files/http-itest.txt")));
        assertTrue(requests.contains("GET /ota/release.json.sig"), requests.toString());
        assertTrue(requests.contains("GET /ota/packages/update-" + next + ".zip"), requests.toString());
        assertTrue(provider.status().contains(next), provider.status());
    }

    @Test
    void aPackageWhoseDigestDiffersFromTheDescriptorIsRefused() throws Exception {
        PstatService pstat = GatewayBundlesTest.service(PstatService.class);
        UpdatePathTest.awaitIdle(pstat);
        String sv = UpdatePathTest.device().get("sv").asText();
        String[] v = sv.split("[.-]");
        String next = v[0] + "." + (Integer.parseInt(v[1]) + 7) + ".0";
        Path pkg = SignedPackages.write(work.resolve("wrong-" + next + ".zip"), key, next,
                Map.of("files/wrong.txt", "x".getBytes()));
        byte[] zip = Files.readAllBytes(pkg);
        byte[] descriptor = ("{\"version\":\"" + next + "\",\"package\":\"packages/wrong-" + next + ".zip\","
                + "\"size\":" + zip.length + ",\"sha256\":\"" + "0".repeat(64) + "\"}").getBytes();
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(key.getPrivate());
        s.update(descriptor);
        files.put("/ota/wrong.json", descriptor);
        files.put("/ota/wrong.json.sig", s.sign());
        files.put("/ota/packages/wrong-" + next + ".zip", zip);
        var http = GatewayBundlesTest.service(ConfigurationAdmin.class).getConfiguration(HTTP_PID, "?");
        saveHttpConfigOnce(http);
        http.update(new Hashtable<>(Map.of("url", base() + "/ota/wrong.json", "service.ranking", RANKING)));
        awaitHttpProvider("(provider.url=" + base() + "/ota/wrong.json)");

        pstat.update(PstatChange.tm(Dpm.ISVV), true);
        UpdatePathTest.awaitIdle(pstat);

        assertEquals(org.ocfupdate.pstat.api.UpdateResult.VALIDATION_FAILURE, pstat.status().result(),
                pstat.history().get(pstat.history().size() - 1).reason());
        assertTrue(requests.contains("GET /ota/packages/wrong-" + next + ".zip"), "downloaded, then refused");
        assertEquals(sv, UpdatePathTest.device().get("sv").asText());
    }
}
