package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.ocfupdate.gateway.interop.KillDuringInstallIT.awaitLog;
import static org.ocfupdate.gateway.interop.KillDuringInstallIT.ocfPkg;

import java.io.ByteArrayOutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/** Installations that fail, with the real gateway.jar: what the gateway is left running and what it says (issue 12). */
class FailedInstallIT {
    @TempDir
    Path tmp;

    /**
     * 12.4: a package replacing SCR with a bundle that does not resolve stops every DS bundle; the rollback brings
     * all of them back (not only SCR), the health check proves it, and the outcome is recorded.
     */
    @Test
    void aPackageThatBreaksScrIsRolledBackToAHealthyGateway() throws Exception {
        Path vendor = vendor();
        Files.write(vendor.resolve("scr.jar"), brokenScr());
        Path home = home(vendor, "checkOnInsert=false\n", "");
        ocfPkg(vendor, "create", "--key", "key.pem", "--version", "1.0.1", "--out",
                tmp.resolve("media/USB1/update.zip").toString(), "--bundle", "scr.jar");
        CoapClientCli coap = new CoapClientCli(Files.createDirectories(tmp.resolve("coap")));
        GatewayProcess g = new GatewayProcess(home).start();
        try {
            // "Gateway ready" means CoAP answers; the provider bundles may still be starting (seen under load)
            awaitLog(g, "Update provider usb (ranking 0) available", 60);
            assertEquals("2.04", coap.post(g.uri("/oic/sec/pstat"), Payloads.cbor(Map.of("tm", 128))).code());
            awaitLog(g, "Rolled back the installation of 1.0.1", 120);
            CoreUpdateRestartIT.awaitIdle(coap, g);
            JsonNode swu = Payloads.decode(coap.get(g.uri("/oc/swu")).payload());
            assertEquals(8, swu.get("swupdateresult").asInt(), swu.toString());
            assertEquals("1.0.0", CoreUpdateRestartIT.sv(coap, g));
            assertTrue(g.process().isAlive());
        } catch (AssertionError | Exception e) {
            throw new AssertionError(e.getMessage() + "\n" + g.output(), e);
        } finally {
            g.stop();
        }
    }

    /**
     * 12.5: with autoInstall, a medium whose package fails to install (its bundle never becomes healthy) is installed
     * once, rolled back, and not offered again — not after the rollback restarted the USB provider, not at the next
     * check.
     */
    @Test
    void aPackageThatFailedToInstallIsNotRetried() throws Exception {
        Path vendor = vendor();
        Files.write(vendor.resolve("waiting.jar"), KillDuringInstallIT.waitingBundle());
        // the package also updates the USB provider, so that the rollback restarts it with the medium present
        CoreBundles.rebuilt("update-provider-usb", "1.0.1", vendor.resolve("usb.jar"));
        Path home = home(vendor, "checkOnInsert=true\n", "autoInstall=true\n");
        ocfPkg(vendor, "create", "--key", "key.pem", "--version", "1.0.1", "--out",
                tmp.resolve("vendor/update.zip").toString(), "--bundle", "usb.jar", "--bundle", "waiting.jar");
        CoapClientCli coap = new CoapClientCli(Files.createDirectories(tmp.resolve("coap")));
        GatewayProcess g = new GatewayProcess(home).start();
        try {
            Files.move(vendor.resolve("update.zip"), tmp.resolve("media/USB1/update.zip")); // inserted
            awaitLog(g, "Rolled back the installation of 1.0.1", 120);
            CoreUpdateRestartIT.awaitIdle(coap, g);
            Thread.sleep(5000); // time for any retry to show
            assertEquals(1, count(g.output(), "Installing 1.0.1"), g.output());
            JsonNode pstat = Payloads.decode(coap.get(g.uri("/oic/sec/pstat")).payload());
            assertEquals(0, pstat.get("cm").asInt(), "not offered again: " + pstat);
            assertEquals("2.04", coap.post(g.uri("/oic/sec/pstat"), Payloads.cbor(Map.of("tm", 256))).code());
            CoreUpdateRestartIT.awaitIdle(coap, g);
            assertEquals(1, count(g.output(), "Installing 1.0.1"), "a check does not offer it again");
        } finally {
            assertEquals(0, g.stop());
        }
    }

    /**
     * 12.11: a signed package whose 256 MiB artifact is a few hundred KB zipped validates only when the expanded
     * artifact fits: on a 64 MiB data disk validation ends with result 3, nothing staged, nothing left in
     * data/install/work.
     */
    @Test
    void aTruthfulZipBombDoesNotValidateWithoutRoomToInstall() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a small tmpfs needs root");
        Path vendor = vendor();
        try (RandomAccessFile f = new RandomAccessFile(vendor.resolve("big.bin").toFile(), "rw")) {
            f.setLength(256L << 20); // zeros: compresses to well under 1 MB
        }
        Path home = Files.createDirectories(tmp.resolve("home"));
        run("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", home.toString());
        try {
            home(vendor, "checkOnInsert=false\n", "");
            ocfPkg(vendor, "create", "--key", "key.pem", "--version", "1.0.1", "--out",
                    tmp.resolve("media/USB1/update.zip").toString(), "--file", "big.bin");
            assertTrue(Files.size(tmp.resolve("media/USB1/update.zip")) < (2L << 20));
            CoapClientCli coap = new CoapClientCli(Files.createDirectories(tmp.resolve("coap")));
            GatewayProcess g = new GatewayProcess(home).start();
            try {
                assertEquals("2.04", coap.post(g.uri("/oic/sec/pstat"), Payloads.cbor(Map.of("tm", 64))).code());
                CoreUpdateRestartIT.awaitIdle(coap, g);
                JsonNode swu = Payloads.decode(coap.get(g.uri("/oc/swu")).payload());
                assertEquals(3, swu.get("swupdateresult").asInt(), swu + "\n" + g.output());
                assertFalse(Files.exists(home.resolve("data/staging/package.zip")));
                assertFalse(Files.exists(home.resolve("data/install/work")));
            } finally {
                assertEquals(0, g.stop());
            }
        } finally {
            run("umount", "-l", home.toString());
        }
    }

    private Path vendor() throws Exception {
        Path vendor = Files.createDirectories(tmp.resolve("vendor"));
        Files.createDirectories(tmp.resolve("media/USB1"));
        ocfPkg(vendor, "keygen", "--private", "key.pem", "--public", "pub.pem");
        return vendor;
    }

    private Path home(Path vendor, String usb, String pstat) throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/org.ocfupdate.trust.cfg"), "keys=" + vendor.resolve("pub.pem") + "\n");
        Files.writeString(home.resolve("etc/org.ocfupdate.provider.usb.cfg"), "roots=" + tmp.resolve("media") + "\n" + usb);
        Files.writeString(home.resolve("etc/org.ocfupdate.pstat.cfg"), pstat);
        // fixed ports: an installation may restart the CoAP server, and an ephemeral port would change
        new GatewayProcess(home).coapConfig("host=127.0.0.1\nport=" + GatewayProcess.freeUdpPort() + "\nsecurePort="
                + GatewayProcess.freeUdpPort() + "\nmulticast=false\n");
        return home;
    }

    /** A bundle named org.apache.felix.scr, newer than the running one, that cannot resolve. */
    static byte[] brokenScr() throws Exception {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", "org.apache.felix.scr");
        a.putValue("Bundle-Version", "2.2.19");
        a.putValue("Import-Package", "org.ocfupdate.test.nowhere");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new JarOutputStream(bytes, m).close();
        return bytes.toByteArray();
    }

    static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }
}
