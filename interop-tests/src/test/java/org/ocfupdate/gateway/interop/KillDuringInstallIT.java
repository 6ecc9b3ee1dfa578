package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * kill -9 of the real gateway in the middle of an installation, then a restart: the installation ends rolled
 * back, never half-done. The package comes from a USB "medium" (a folder under the configured roots), built with
 * the vendor's ocf-pkg.jar; it holds a file and a bundle whose component never becomes satisfied, so the
 * installer's health check waits (up to 30 s) with the journal written and the bundle installed: the kill lands
 * inside the transaction.
 */
class KillDuringInstallIT {
    @TempDir
    Path tmp;

    @Test
    void aKilledInstallationIsRolledBackAtTheNextStart() throws Exception {
        Path home = tmp.resolve("home");
        Path media = Files.createDirectories(tmp.resolve("media"));
        Path vendor = Files.createDirectories(tmp.resolve("vendor"));
        ocfPkg(vendor, "keygen", "--private", "key.pem", "--public", "pub.pem");
        Files.write(vendor.resolve("waiting.jar"), waitingBundle());
        Files.writeString(vendor.resolve("greeting.txt"), "hello\n");
        Path medium = Files.createDirectories(media.resolve("USB1"));
        ocfPkg(vendor, "create", "--key", "key.pem", "--version", "1.0.1", "--out", medium.resolve("update.zip").toString(),
                "--bundle", "waiting.jar", "--file", "greeting.txt");
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/org.ocfupdate.trust.cfg"), "keys=" + vendor.resolve("pub.pem") + "\n");
        Files.writeString(home.resolve("etc/org.ocfupdate.provider.usb.cfg"), "roots=" + media + "\ncheckOnInsert=false\n");

        CoapClientCli coap = new CoapClientCli(Files.createDirectories(tmp.resolve("coap")));
        GatewayProcess first = new GatewayProcess(home).start();
        String di = Payloads.decode(coap.get(first.uri("/oic/d")).payload()).get("di").asText();
        assertEquals("2.04", coap.post(first.uri("/oic/sec/pstat"), Payloads.cbor(Map.of("tm", 128))).code());
        awaitLog(first, "Installing 1.0.1", 60);
        Thread.sleep(1000); // inside the health check's wait: journal written, bundle installed, file written
        first.process().destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
        assertTrue(first.process().waitFor(30, TimeUnit.SECONDS));
        assertTrue(Files.exists(home.resolve("data/files/files/greeting.txt")), "the kill came after the file was written");

        GatewayProcess second = new GatewayProcess(home).start();
        try {
            String log = second.output();
            assertTrue(log.contains("An installation of 1.0.1 was interrupted; rolling it back"), log);
            assertTrue(log.contains("Rolled back the installation of 1.0.1"), log);
            JsonNode pstat = Payloads.decode(coap.get(second.uri("/oic/sec/pstat")).payload());
            assertEquals(0, pstat.get("cm").asInt(), pstat.toString());
            assertEquals(0, pstat.get("tm").asInt(), pstat.toString());
            JsonNode device = Payloads.decode(coap.get(second.uri("/oic/d")).payload());
            assertEquals("1.0.0", device.get("sv").asText(), "the old version runs");
            assertEquals(di, device.get("di").asText());
            assertFalse(Files.exists(home.resolve("data/files/files/greeting.txt")), "the file was removed again");
        } finally {
            assertEquals(0, second.stop());
        }
    }

    static void awaitLog(GatewayProcess g, String text, int seconds) throws Exception {
        for (int i = 0; i < seconds * 10; i++) {
            if (g.output().contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + text + "' in the log:\n" + g.output());
    }

    /** A bundle of ours whose component needs a service nobody offers: it installs and starts, never satisfied. */
    static byte[] waitingBundle() throws Exception {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", "org.ocfupdate.test.waiting");
        a.putValue("Bundle-Version", "1.0.0");
        a.putValue("Service-Component", "OSGI-INF/waiting.xml");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes, m)) {
            out.putNextEntry(new JarEntry("OSGI-INF/waiting.xml"));
            out.write(("<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.3.0\" name=\"waiting\">"
                    + "<implementation class=\"java.lang.Object\"/>"
                    + "<reference name=\"missing\" interface=\"org.ocfupdate.test.Missing\"/>"
                    + "</scr:component>").getBytes());
            out.closeEntry();
        }
        return bytes.toByteArray();
    }

    static void ocfPkg(Path dir, String... args) throws Exception {
        Path jar = Paths.get(System.getProperty("ocf.pkg.jar", "target/ocf-pkg.jar")).toAbsolutePath();
        List<String> cmd = new java.util.ArrayList<>(List.of(GatewayProcess.javaBin(), "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
    }
}
