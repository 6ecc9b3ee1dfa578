package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code /oc/swu} driven by Debian's coap-client against the real gateway with a USB "medium" holding a signed
 * package: {@code isac} now, then {@code upgrade} a few seconds ahead, observed through idle → nsa → sva →
 * upgrading → idle with result 1; and a schedule that survives a restart.
 */
class SwuIT {
    @TempDir
    Path tmp;

    GatewayProcess gateway(Path home, Path media, String version) throws Exception {
        Path vendor = Files.createDirectories(tmp.resolve("vendor"));
        if (!Files.exists(vendor.resolve("key.pem"))) {
            KillDuringInstallIT.ocfPkg(vendor, "keygen", "--private", "key.pem", "--public", "pub.pem");
        }
        Files.writeString(vendor.resolve("notes.txt"), "notes " + version + "\n");
        KillDuringInstallIT.ocfPkg(vendor, "create", "--key", "key.pem", "--version", version, "--out",
                Files.createDirectories(media.resolve("USB1")).resolve("update.zip").toString(), "--file", "notes.txt");
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/org.ocfupdate.trust.cfg"), "keys=" + vendor.resolve("pub.pem") + "\n");
        Files.writeString(home.resolve("etc/org.ocfupdate.provider.usb.cfg"), "roots=" + media + "\ncheckOnInsert=false\n");
        return new GatewayProcess(home);
    }

    static byte[] post(String purl, String action, String time) {
        return Payloads.cbor(Map.of("purl", purl, "swupdateaction", action, "updatetime", time));
    }

    @Test
    void checkNowThenUpgradeAtATimeIsObservedThroughEveryState() throws Exception {
        Path media = Files.createDirectories(tmp.resolve("media"));
        try (GatewayProcess g = gateway(tmp.resolve("home"), media, "1.0.1").start()) {
            CoapClientCli coap = new CoapClientCli(Files.createDirectories(tmp.resolve("coap")));
            JsonNode initial = Payloads.decode(coap.get(g.uri("/oc/swu")).payload());
            OcfSchemas.assertValid("oic.r.softwareupdate.swagger.json", "swupdate", initial);
            assertEquals("idle", initial.get("swupdatestate").asText());
            assertEquals("vendor", initial.get("signed").asText());

            CoapClientCli.Running observer = coap.observe(g.uri("/oc/swu"), 20);
            for (int i = 0; i < 100 && observer.payloadSoFar().length == 0; i++) {
                Thread.sleep(50);
            }
            assertEquals("2.04", coap.post(g.uri("/oc/swu"), post("", "isac", "now")).code());
            awaitState(coap, g, "sva");
            String at = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.SECONDS).toString();
            assertEquals("2.04", coap.post(g.uri("/oc/swu"), post("", "upgrade", at)).code());
            JsonNode scheduled = Payloads.decode(coap.get(g.uri("/oc/swu")).payload());
            assertEquals("upgrade", scheduled.get("swupdateaction").asText());
            assertEquals(at, scheduled.get("updatetime").asText());
            JsonNode done = awaitResult(coap, g, 1);
            assertEquals("idle", done.get("swupdatestate").asText());
            assertEquals("1.0.1", done.get("nv").asText());
            assertTrue(done.has("lastupdate"), done.toString());
            OcfSchemas.assertValid("oic.r.softwareupdate.swagger.json", "swupdate", done);
            assertEquals("1.0.1", Payloads.decode(coap.get(g.uri("/oic/d")).payload()).get("sv").asText());

            CoapClientCli.Result r = observer.await(30);
            List<String> states = new ArrayList<>();
            for (JsonNode n : Payloads.decodeSequence(r.payload())) {
                OcfSchemas.assertValid("oic.r.softwareupdate.swagger.json", "swupdate", n);
                String s = n.get("swupdatestate").asText();
                if (states.isEmpty() || !states.get(states.size() - 1).equals(s)) {
                    states.add(s);
                }
            }
            assertEquals(List.of("idle", "nsa", "sva", "upgrading", "idle"), states);
        }
    }

    @Test
    void refusedWritesChangeNothing() throws Exception {
        Path media = Files.createDirectories(tmp.resolve("media"));
        try (GatewayProcess g = gateway(tmp.resolve("home"), media, "1.0.1").start()) {
            CoapClientCli coap = new CoapClientCli(Files.createDirectories(tmp.resolve("coap")));
            JsonNode before = Payloads.decode(coap.get(g.uri("/oc/swu")).payload());
            for (byte[] bad : List.of(post("ftp://x/y", "isac", "now"), post("", "isac", "2001-01-01T00:00:00Z"),
                    post("", "isac", "soon"), post("", "fly", "now"),
                    Payloads.cbor(Map.of("purl", "", "swupdateaction", "isac")),
                    Payloads.cbor(Map.of("purl", "", "swupdateaction", "isac", "updatetime", "now", "nv", "9.9.9")))) {
                CoapClientCli.Result r = coap.post(g.uri("/oc/swu"), bad);
                assertEquals("4.00", r.code(), r.log());
                assertTrue(r.diagnostic() != null && !r.diagnostic().isBlank(), r.log());
            }
            assertEquals(before, Payloads.decode(coap.get(g.uri("/oc/swu")).payload()));
        }
    }

    @Test
    void aScheduleSurvivesARestart() throws Exception {
        Path media = Files.createDirectories(tmp.resolve("media"));
        Path home = tmp.resolve("home");
        String at;
        GatewayProcess first = gateway(home, media, "1.0.1").start();
        CoapClientCli coap = new CoapClientCli(Files.createDirectories(tmp.resolve("coap")));
        // far enough ahead for a stop and a start on a loaded machine (each start about 2 s, DTLS handshakes)
        at = Instant.now().plusSeconds(20).truncatedTo(ChronoUnit.SECONDS).toString();
        assertEquals("2.04", coap.post(first.uri("/oc/swu"), post("", "isvv", at)).code());
        assertEquals(0, first.stop());
        try (GatewayProcess second = new GatewayProcess(home).start()) {
            JsonNode pending = Payloads.decode(coap.get(second.uri("/oc/swu")).payload());
            assertEquals("isvv", pending.get("swupdateaction").asText(), pending.toString());
            assertEquals(at, pending.get("updatetime").asText());
            assertTrue(second.output().contains("re-armed"), second.output());
            awaitState(coap, second, "sva");
        }
    }

    static void awaitState(CoapClientCli coap, GatewayProcess g, String state) throws Exception {
        JsonNode n = null;
        String unanswered = "";
        for (int i = 0; i < 300; i++) {
            CoapClientCli.Result r = coap.get(g.uri("/oc/swu"));
            if (r.payload().length == 0) {
                // one coap-client run without an answer (its DTLS handshake timed out on a loaded machine): poll again
                unanswered = "; last unanswered GET: " + r.code() + " " + r.stderr();
                Thread.sleep(100);
                continue;
            }
            n = Payloads.decode(r.payload());
            if (n.get("swupdatestate").asText().equals(state)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + state + ": " + n + unanswered);
    }

    static JsonNode awaitResult(CoapClientCli coap, GatewayProcess g, int result) throws Exception {
        JsonNode n = null;
        for (int i = 0; i < 300; i++) {
            n = Payloads.decode(coap.get(g.uri("/oc/swu")).payload());
            if (n.get("swupdateresult").asInt() == result && n.get("swupdatestate").asText().equals("idle")) {
                return n;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no result " + result + ": " + n);
    }
}
