package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code ownership=transfer} over plain CoAP with the real gateway.jar and libcoap's client: what an OCF onboarding
 * tool sees and may do before the ownership-transfer session (docs/onboarding.md), and what it may not. A
 * {@code ownership=self} gateway beside it shows the other side: an owned device stays silent.
 */
class OnboardingIT {
    static final String NIL = "00000000-0000-0000-0000-000000000000";
    @TempDir
    static Path tmp;
    static GatewayProcess gateway;
    static CoapClientCli coap;

    @BeforeAll
    static void start() throws Exception {
        coap = new CoapClientCli(Files.createDirectories(tmp.resolve("coap")));
        httpPort = GatewayProcess.freeTcpPort();
        gateway = new GatewayProcess(tmp.resolve("home"), "-Dorg.osgi.service.http.port=" + httpPort)
                .onboardingConfig("ownership=transfer\n").start();
    }

    static int httpPort;

    /** The Web Console page's live document, or null while the console is not up yet. */
    static JsonNode consoleState() throws Exception {
        java.util.Properties p = new java.util.Properties();
        try (var in = Files.newInputStream(gateway.home.resolve("data/credentials/console.properties"))) {
            p.load(in);
        }
        String auth = java.util.Base64.getEncoder().encodeToString((p.getProperty("user") + ":"
                + p.getProperty("password")).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + httpPort
                + "/system/console/ocf-update/state.json")).header("Authorization", "Basic " + auth).build();
        try {
            var r = java.net.http.HttpClient.newHttpClient().send(request,
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Payloads.JSON.readTree(r.body()) : null;
        } catch (java.io.IOException e) {
            return null; // not listening yet
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    static JsonNode get(String path) throws Exception {
        CoapClientCli.Result r = coap.get(gateway.plainUri(path));
        assertEquals("2.05", r.code(), path + ": " + r.log() + gateway.output());
        return Payloads.decode(r.payload());
    }

    @Test
    void aFactoryNewDeviceWaitsInRfotmWithoutAnOwnerCredential() throws Exception {
        assertFalse(Files.exists(gateway.home.resolve("data/credentials/owner.properties")), "no owner credential");
        assertFalse(gateway.output().contains("Owner credential"), "none told:\n" + gateway.output());
        JsonNode pstat = get("/oic/sec/pstat");
        assertEquals(1, pstat.path("dos").path("s").asInt(), pstat.toString());
        assertFalse(pstat.path("isop").asBoolean(), pstat.toString());
        assertEquals(2, pstat.path("cm").asInt(), pstat.toString());
        JsonNode doxm = get("/oic/sec/doxm");
        assertFalse(doxm.path("owned").asBoolean(), doxm.toString());
        assertEquals(NIL, doxm.path("devowneruuid").asText(), doxm.toString());
        assertEquals("[0,1]", doxm.path("oxms").toString(), doxm.toString());
        JsonNode d = get("/oic/d");
        assertEquals(d.path("di").asText(), doxm.path("deviceuuid").asText());
    }

    /** The discovery an onboarding tool sends (multicast NON; here unicast NON, MulticastDiscoveryIT: multicast). */
    @Test
    void theOnboardingToolsDiscoveryIsAnsweredAndOnlyByAnUnownedDevice() throws Exception {
        CoapClientCli.Result unowned = coap.get(gateway.plainUri("/oic/sec/doxm?owned=FALSE"), "-N");
        assertEquals("2.05", unowned.code(), unowned.log());
        assertFalse(Payloads.decode(unowned.payload()).path("owned").asBoolean());
        CoapClientCli.Result owned = coap.get(gateway.plainUri("/oic/sec/doxm?owned=TRUE"), "-N");
        assertTrue(owned.responses().isEmpty(), "silence to a NON query that does not match:\n" + owned.log());
    }

    @Test
    void theSecurityResourcesListCoapEndpointsInRfotm() throws Exception {
        JsonNode links = get("/oic/res?rt=oic.r.doxm");
        JsonNode eps = links.get(0).path("eps");
        assertTrue(eps.get(0).path("ep").asText().startsWith("coap://127.0.0.1:" + gateway.port()), eps.toString());
        assertTrue(eps.toString().contains("coaps://127.0.0.1:" + gateway.securePort()), eps.toString());
        for (JsonNode ep : eps) {
            assertTrue(ep.path("ep").asText().contains("127.0.0.1"), "a loopback requester gets the loopback "
                    + "interface's IPv4 endpoints only: " + eps);
        }
    }

    @Test
    void eachRandomPinChoiceShowsANewPinOnStdoutButNotInTheLog() throws Exception {
        for (int i = 0; i < 2; i++) {
            CoapClientCli.Result r = coap.post(gateway.plainUri("/oic/sec/doxm"), Payloads.cbor(Map.of("oxmsel", 1)));
            assertEquals("2.04", r.code(), r.log() + gateway.output());
        }
        String out = gateway.output();
        Matcher pins = Pattern.compile("^.*PIN (\\d{8})$", Pattern.MULTILINE).matcher(out);
        assertTrue(pins.find(), out);
        String first = pins.group(1);
        assertTrue(pins.find(), "a second PIN for the second choice:\n" + out);
        for (String line : out.split("\n")) {
            // the PIN is on the stdout line only: never in a log line (which may show the device UUID)
            assertFalse((line.contains(first) || line.contains(pins.group(1)))
                    && !line.startsWith("Random PIN for the ownership transfer"), "a log line with the PIN: " + line);
        }
        assertEquals(1, get("/oic/sec/doxm").path("oxmsel").asInt());
        String second = pins.group(1);
        assertFalse(first.isEmpty());
        JsonNode console = null;
        for (int i = 0; i < 200 && console == null; i++) {
            console = consoleState();
            Thread.sleep(console == null ? 100 : 0); // Jetty and the console start after the CoAP device
        }
        assertEquals(second, console.path("transferPin").asText(), "the Web Console shows the waiting PIN: " + console);
        // back to Just-Works for the other tests
        assertEquals("2.04", coap.post(gateway.plainUri("/oic/sec/doxm"), Payloads.cbor(Map.of("oxmsel", 0))).code());
        assertTrue(consoleState().path("transferPin").isNull(), "no PIN once another method is chosen");
    }

    @Test
    void refusalsOverPlainCoapChangeNothing() throws Exception {
        JsonNode before = get("/oic/sec/doxm");
        record Case(String path, Object body, String code) {
        }
        for (Case c : List.of(new Case("/oic/sec/doxm", Map.of("owned", true), "4.01"),
                new Case("/oic/sec/doxm", Map.of("devowneruuid", "11111111-2222-3333-4444-555555555555"), "4.01"),
                new Case("/oic/sec/doxm", Map.of("oxmsel", 2), "4.00"),
                new Case("/oic/sec/doxm", Map.of("oxms", List.of(0)), "4.00"),
                new Case("/oic/sec/pstat", Map.of("dos", Map.of("s", 3)), "4.01"),
                new Case("/oic/sec/acl2", Map.of("rowneruuid", "11111111-2222-3333-4444-555555555555"), "4.01"),
                new Case("/oic/sec/cred", Map.of("creds", List.of()), "4.01"))) {
            CoapClientCli.Result r = coap.post(gateway.plainUri(c.path()), Payloads.cbor(c.body()));
            assertEquals(c.code(), r.code(), c + ": " + r.log());
            assertFalse(r.diagnostic() == null || r.diagnostic().isBlank(), c + ": a diagnostic");
        }
        assertEquals("4.01", coap.get(gateway.plainUri("/oic/sec/acl2")).code(), "acl2 is not readable anonymously");
        assertEquals(before, get("/oic/sec/doxm"));
        assertEquals(1, get("/oic/sec/pstat").path("dos").path("s").asInt());
    }

    @Test
    void aSelfOwnedDeviceStaysSilentToTheDiscovery() throws Exception {
        try (GatewayProcess self = new GatewayProcess(tmp.resolve("self")).start()) {
            CoapClientCli.Result r = coap.get(self.plainUri("/oic/sec/doxm?owned=FALSE"), "-N");
            assertTrue(r.responses().isEmpty(), "an owned device does not answer:\n" + r.log());
            assertEquals("4.01", coap.get(self.plainUri("/oic/sec/doxm")).code(), "doxm needs coaps when owned");
        }
    }
}
