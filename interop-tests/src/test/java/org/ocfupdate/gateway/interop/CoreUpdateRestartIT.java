package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfupdate.gateway.interop.KillDuringInstallIT.ocfPkg;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Issue 12.1: an update of the gateway's own bundles (pstat-impl, the USB provider) stays installed across real
 * restarts of gateway.jar, and a restart writes no bundle: the framework's installed bundles are the truth after
 * the first start, not the bundles embedded in gateway.jar.
 */
class CoreUpdateRestartIT {
    @TempDir
    Path tmp;

    @Test
    void anUpdateOfCoreBundlesSurvivesRestartsAndARestartWritesNoBundle() throws Exception {
        Path home = tmp.resolve("home");
        Path vendor = Files.createDirectories(tmp.resolve("vendor"));
        Path medium = Files.createDirectories(tmp.resolve("media/USB1"));
        ocfPkg(vendor, "keygen", "--private", "key.pem", "--public", "pub.pem");
        CoreBundles.rebuilt("pstat-impl", "1.0.1", vendor.resolve("pstat-impl.jar"));
        CoreBundles.rebuilt("update-provider-usb", "1.0.1", vendor.resolve("usb.jar"));
        ocfPkg(vendor, "create", "--key", "key.pem", "--version", "1.0.1", "--out", medium.resolve("update.zip").toString(),
                "--bundle", "pstat-impl.jar", "--bundle", "usb.jar");
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/org.ocfupdate.trust.cfg"), "keys=" + vendor.resolve("pub.pem") + "\n");
        Files.writeString(home.resolve("etc/org.ocfupdate.provider.usb.cfg"),
                "roots=" + medium.getParent() + "\ncheckOnInsert=false\n");
        CoapClientCli coap = new CoapClientCli(Files.createDirectories(tmp.resolve("coap")));

        // fixed ports: the CoAP server restarts with the updated pstat-impl, and an ephemeral port would change
        new GatewayProcess(home).coapConfig("host=127.0.0.1\nport=" + GatewayProcess.freeUdpPort() + "\nsecurePort="
                + GatewayProcess.freeUdpPort() + "\nmulticast=false\n");
        GatewayProcess first = new GatewayProcess(home).start();
        try {
            assertEquals("2.04", coap.post(first.uri("/oic/sec/pstat"), Payloads.cbor(Map.of("tm", 128))).code());
            KillDuringInstallIT.awaitLog(first, "Installed 1.0.1", 90);
            awaitIdle(coap, first);
            assertEquals("1.0.1", sv(coap, first));
        } finally {
            assertEquals(0, first.stop());
        }
        Map<String, String> updated = CoreBundles.installed(home);
        assertEquals("1.0.1", updated.get("org.ocfupdate.pstat.impl"), updated.toString());
        assertEquals("1.0.1", updated.get("org.ocfupdate.update.provider.usb"), updated.toString());
        List<String> revisions = CoreBundles.revisions(home);

        for (int restart = 1; restart <= 2; restart++) {
            GatewayProcess next = new GatewayProcess(home).start();
            try {
                assertEquals("1.0.1", sv(coap, next), "sv after restart " + restart);
            } finally {
                assertEquals(0, next.stop());
            }
            assertEquals(updated, CoreBundles.installed(home), "installed bundles after restart " + restart);
            assertEquals(revisions, CoreBundles.revisions(home), "a restart writes no bundle revision");
        }

        // the operator installs another gateway.jar (here: the same bundles plus one more entry): its bundles replace
        // those the update installed, and sv and the history say so
        Path other = tmp.resolve("other-gateway.jar");
        Files.copy(GatewayProcess.jar(), other);
        try (var fs = java.nio.file.FileSystems.newFileSystem(other)) {
            Files.writeString(fs.getPath("jar/README.txt"), "another build\n");
        }
        GatewayProcess replaced = new GatewayProcess(home).withJar(other).start();
        try {
            assertEquals("1.0.0", sv(coap, replaced));
            assertTrue(replaced.output().contains("gateway.jar 1.0.0 was installed: its bundles replace those of update 1.0.1"),
                    replaced.output());
        } finally {
            assertEquals(0, replaced.stop());
        }
        Map<String, String> fromJar = CoreBundles.installed(home);
        assertEquals(CoreBundles.embedded("pstat-impl"), fromJar.get("org.ocfupdate.pstat.impl"), fromJar.toString());
        assertEquals(CoreBundles.embedded("update-provider-usb"), fromJar.get("org.ocfupdate.update.provider.usb"));
    }

    static String sv(CoapClientCli coap, GatewayProcess g) throws Exception {
        return Payloads.decode(coap.get(g.uri("/oic/d")).payload()).get("sv").asText();
    }

    static void awaitIdle(CoapClientCli coap, GatewayProcess g) throws Exception {
        JsonNode pstat = null;
        for (int i = 0; i < 300; i++) {
            try {
                pstat = Payloads.decode(coap.get(g.uri("/oic/sec/pstat")).payload());
                if (pstat.get("tm").asInt() == 0 && pstat.get("cm").asInt() == 0) {
                    return;
                }
            } catch (AssertionError | RuntimeException e) {
                // no answer while the CoAP server restarts with the updated pstat-impl
            }
            Thread.sleep(200);
        }
        throw new AssertionError("pstat not idle: " + pstat);
    }
}
