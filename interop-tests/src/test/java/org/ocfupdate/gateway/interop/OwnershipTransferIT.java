package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfupdate.gateway.interop.KillDuringInstallIT.ocfPkg;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Ownership transfer of the real gateway.jar ({@code ownership=transfer}) by {@link OnboardingTool}, which follows
 * IoTivity-Lite's request tables (docs/onboarding.md); then the tool, now owner, opens an ordinary session with the
 * owner PSK it derived itself (0xC037, as an OCF client) and drives pstat. Just-Works, Random PIN and manufacturer
 * certificate each end with the same checks ({@link #assertOwnedBy}) — for Just-Works up to a complete update.
 */
class OwnershipTransferIT {
    @TempDir
    Path tmp;

    private GatewayProcess transferGateway(String extraPstat) throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path vendor = Files.createDirectories(tmp.resolve("vendor"));
        Files.createDirectories(tmp.resolve("media/USB1"));
        ocfPkg(vendor, "keygen", "--private", "key.pem", "--public", "pub.pem");
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/org.ocfupdate.trust.cfg"), "keys=" + vendor.resolve("pub.pem") + "\n");
        Files.writeString(home.resolve("etc/org.ocfupdate.provider.usb.cfg"), "roots=" + tmp.resolve("media")
                + "\ncheckOnInsert=false\n");
        Files.writeString(home.resolve("etc/org.ocfupdate.pstat.cfg"), extraPstat);
        // fixed ports: an installation may restart the CoAP server, and an ephemeral port would change
        return new GatewayProcess(home).coapConfig("host=127.0.0.1\nport=" + GatewayProcess.freeUdpPort()
                + "\nsecurePort=" + GatewayProcess.freeUdpPort() + "\nmulticast=false\n")
                .onboardingConfig("ownership=transfer\n");
    }

    @Test
    void justWorksThenTheOwnerUpdatesTheDevice() throws Exception {
        try (GatewayProcess g = transferGateway("").start(); OnboardingTool tool = new OnboardingTool(g)) {
            OnboardingTool.Owner owner = tool.justWorks();
            assertOwnedBy(tool, g, owner);

            // an update end to end, driven by the new owner: a signed package on the USB medium, tm 128
            Path vendor = tmp.resolve("vendor");
            Files.writeString(vendor.resolve("notes.txt"), "1.0.1\n");
            ocfPkg(vendor, "create", "--key", "key.pem", "--version", "1.0.1", "--out",
                    tmp.resolve("media/USB1/update.zip").toString(), "--file", "notes.txt");
            CoapEndpoint session = tool.ownerSession(owner);
            assertEquals("2.04", tool.post(session, "/oic/sec/pstat", Map.of("tm", 128), true));
            JsonNode d = null;
            for (int i = 0; i < 600 && (d == null || !"1.0.1".equals(d.path("sv").asText())); i++) {
                Thread.sleep(200);
                d = tool.get(session, "/oic/d", true);
            }
            assertEquals("1.0.1", d.path("sv").asText(), "installed:\n" + g.output());
            assertEquals(owner.device().toString(), d.path("di").asText(), "the identity the tool gave");
            assertEquals(3, tool.get(session, "/oic/sec/pstat", true).path("dos").path("s").asInt());
        }
    }

    @Test
    void randomPinThenTheOwnerWritesTm() throws Exception {
        try (GatewayProcess g = transferGateway("").start(); OnboardingTool tool = new OnboardingTool(g)) {
            OnboardingTool.Owner owner = tool.randomPin();
            assertOwnedBy(tool, g, owner);
            Matcher pin = Pattern.compile("PIN (\\d{8})$", Pattern.MULTILINE).matcher(g.output());
            assertTrue(pin.find(), g.output());
            // the PIN is on the stdout line only, in no log line
            assertFalse(g.output().lines().anyMatch(l -> l.contains(pin.group(1))
                    && !l.startsWith("Random PIN for the ownership transfer")), "no PIN in the log:\n" + g.output());
        }
    }

    @Test
    void manufacturerCertificateThenTheOwnerReadsPstat() throws Exception {
        GatewayProcess g = transferGateway("");
        // the factory's side: a manufacturer CA and the device's certificate it issued (EC P-256), in the home
        Path factory = Files.createDirectories(g.home.resolve("factory"));
        openssl(factory, "openssl ecparam -name prime256v1 -genkey -noout -out ca.key",
                "openssl req -x509 -new -key ca.key -subj /CN=Test-Manufacturer-CA -days 2 -out ca.pem",
                "openssl ecparam -name prime256v1 -genkey -noout -out device.key",
                "openssl req -new -key device.key -subj /CN=Test-Gateway-Device -out device.csr",
                "openssl x509 -req -in device.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out device.pem",
                // another manufacturer's CA, which a tool may trust instead
                "openssl ecparam -name prime256v1 -genkey -noout -out other.key",
                "openssl req -x509 -new -key other.key -subj /CN=Other-Manufacturer-CA -days 2 -out other.pem");
        g.onboardingConfig("ownership=transfer\noxms=0,1,2\nmanufacturerCertificate=factory/device.pem\n"
                + "manufacturerKey=factory/device.key\n");
        try (GatewayProcess running = g.start(); OnboardingTool tool = new OnboardingTool(g)) {
            // a tool trusting another CA refuses the device's certificate; nothing changes
            tool.chooseMethod(2);
            Throwable refused = tool.refusedHandshake(tool.certificateSession(
                    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, factory.resolve("other.pem")));
            assertTrue(String.valueOf(refused).contains("Certificate chain could not be validated"),
                    String.valueOf(refused));
            JsonNode doxm = tool.get(tool.plainEndpoint(), "/oic/sec/doxm", false);
            assertFalse(doxm.path("owned").asBoolean(), doxm.toString());
            assertEquals(2, doxm.path("oxmsel").asInt(), doxm.toString());

            OnboardingTool.Owner owner = tool.manufacturerCertificate(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
                    factory.resolve("ca.pem"));
            assertTrue(g.output().contains("(method 2, TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8)"), g.output());
            assertOwnedBy(tool, g, owner);
        }
    }

    @Test
    void anUnreadableManufacturerCertificateIsNotOfferedAndTheLogSaysWhy() throws Exception {
        GatewayProcess g = transferGateway("");
        Files.createDirectories(g.home.resolve("factory"));
        Files.writeString(g.home.resolve("factory/device.key"), "not a key\n");
        g.onboardingConfig("ownership=transfer\noxms=0,1,2\nmanufacturerCertificate=factory/device.pem\n"
                + "manufacturerKey=factory/device.key\n");
        try (GatewayProcess running = g.start(); OnboardingTool tool = new OnboardingTool(g)) {
            assertTrue(g.output().lines().anyMatch(l -> l.contains(" ERROR ") && l.contains("factory/device.pem")
                    && l.contains("certificate transfer (oxm 2) not offered")), g.output());
            JsonNode doxm = tool.get(tool.plainEndpoint(), "/oic/sec/doxm", false);
            assertEquals("[0,1]", doxm.path("oxms").toString(), doxm.toString());
            assertTrue(tool.post(tool.plainEndpoint(), "/oic/sec/doxm", Map.of("oxmsel", 2), false)
                    .startsWith("4.00"));
            // the other methods still work
            assertOwnedBy(tool, g, tool.justWorks());
        }
    }

    private static void openssl(Path dir, String... commands) throws Exception {
        for (String c : commands) {
            Process p = new ProcessBuilder(c.split(" ")).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), c + ": " + out);
        }
    }

    /** The transfer's outcome, seen by the new owner over an ordinary session, and the refusals after it. */
    private static void assertOwnedBy(OnboardingTool tool, GatewayProcess g, OnboardingTool.Owner owner)
            throws Exception {
        CoapEndpoint session = tool.ownerSession(owner);
        JsonNode pstat = tool.get(session, "/oic/sec/pstat", true);
        assertEquals(3, pstat.path("dos").path("s").asInt(), pstat.toString());
        assertTrue(pstat.path("isop").asBoolean(), pstat.toString());
        assertEquals(owner.uuid().toString(), pstat.path("rowneruuid").asText());
        JsonNode doxm = tool.get(session, "/oic/sec/doxm", true);
        assertTrue(doxm.path("owned").asBoolean(), doxm.toString());
        assertEquals(owner.uuid().toString(), doxm.path("devowneruuid").asText());
        assertEquals(owner.device().toString(), doxm.path("deviceuuid").asText());
        assertEquals("test domain", tool.get(session, "/oic/sec/sdi", true).path("name").asText());
        // the owner writes tm: an availability check, back to idle without an offer
        assertEquals("2.04", tool.post(session, "/oic/sec/pstat", Map.of("tm", 256), true));
        JsonNode now = tool.get(session, "/oic/sec/pstat", true);
        for (int i = 0; i < 100 && (now.path("tm").asInt() != 0 || now.path("cm").asInt() != 0); i++) {
            Thread.sleep(100);
            now = tool.get(session, "/oic/sec/pstat", true);
        }
        assertEquals(0, now.path("tm").asInt(), now.toString());
        assertTrue(g.output().contains("Software-update action tm 256 started"), g.output());
        // owned now: doxm is closed to plain CoAP, and the discovery goes unanswered
        assertEquals("4.01", tool.request(tool.plainEndpoint(), org.eclipse.californium.core.coap.CoAP.Code.POST,
                "/oic/sec/doxm", Map.of("oxmsel", 0), false).getCode().toString());
        assertFalse(Files.exists(g.home.resolve("data/credentials/owner.properties")), "no self-made owner key");
    }
}
