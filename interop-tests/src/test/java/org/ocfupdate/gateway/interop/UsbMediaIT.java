package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Issue 12 with the real gateway process and USB "media" (folders under a configured root):
 * item 8, a stick whose unsigned manifest has a 4 KB pre-release version, present at start, does not stop the
 * watcher nor leave pstat running an action; item 13, a rogue-signed 1.0.50 refused does not hide the vendor's
 * genuine 1.0.50 inserted later, which is checked and validated.
 */
class UsbMediaIT {
    @TempDir
    Path tmp;

    @Test
    void aHostileStickAndARefusedForgeryDoNotStopTheGenuineRelease() throws Exception {
        Path home = tmp.resolve("home");
        Path media = Files.createDirectories(tmp.resolve("media"));
        Path vendor = Files.createDirectories(tmp.resolve("vendor"));
        Path rogue = Files.createDirectories(tmp.resolve("rogue"));
        KillDuringInstallIT.ocfPkg(vendor, "keygen", "--private", "key.pem", "--public", "pub.pem");
        KillDuringInstallIT.ocfPkg(rogue, "keygen", "--private", "key.pem", "--public", "pub.pem");
        Files.writeString(vendor.resolve("notes.txt"), "the vendor's 1.0.50\n");
        Files.writeString(rogue.resolve("notes.txt"), "a forged 1.0.50\n");
        KillDuringInstallIT.ocfPkg(rogue, "create", "--key", "key.pem", "--version", "1.0.50", "--out",
                Files.createDirectories(media.resolve("ROGUE")).resolve("update.zip").toString(), "--file", "notes.txt");
        // the stick of item 8: an unsigned manifest whose version is 4 KB of pre-release identifiers
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(
                Files.createDirectories(media.resolve("EVIL")).resolve("update.zip")))) {
            out.putNextEntry(new ZipEntry("manifest.json"));
            out.write(("{\"name\":\"evil\",\"version\":\"5.3.0-" + "a.".repeat(2047) + "a\",\"artifacts\":[]}").getBytes());
            out.closeEntry();
        }
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/org.ocfupdate.trust.cfg"), "keys=" + vendor.resolve("pub.pem") + "\n");
        Files.writeString(home.resolve("etc/org.ocfupdate.provider.usb.cfg"), "roots=" + media + "\n");

        try (GatewayProcess gateway = new GatewayProcess(home).start()) {
            CoapClientCli coap = new CoapClientCli(Files.createDirectories(tmp.resolve("coap")));
            // media present at start count as inserted: the check finds the forgery, whose validation refuses it
            JsonNode swu = await(coap, gateway, "/oc/swu", n -> n.get("swupdateresult").asInt() == 5,
                    "the forged 1.0.50 refused");
            assertEquals("idle", swu.get("swupdatestate").asText());
            JsonNode pstat = await(coap, gateway, "/oic/sec/pstat", n -> n.get("tm").asInt() == 0,
                    "no action left running");
            assertEquals(0, pstat.get("cm").asInt(), pstat.toString());

            // the vendor's genuine 1.0.50 on another stick is checked, offered and validated
            KillDuringInstallIT.ocfPkg(vendor, "create", "--key", "key.pem", "--version", "1.0.50", "--out",
                    tmp.resolve("genuine.zip").toString(), "--file", "notes.txt");
            Path stick = Files.createDirectories(media.resolve("VENDOR"));
            Files.move(tmp.resolve("genuine.zip"), stick.resolve("update.zip"));

            pstat = await(coap, gateway, "/oic/sec/pstat", n -> n.get("cm").asInt() == 320,
                    "the genuine 1.0.50 validated (cm 320)");
            assertEquals(0, pstat.get("tm").asInt());
            swu = Payloads.decode(coap.get(gateway.uri("/oc/swu")).payload());
            assertEquals("1.0.50", swu.get("nv").asText(), swu.toString());
            String out = gateway.output();
            assertTrue(out.contains("longer than 256 characters"), "the hostile stick is reported:\n" + out);
            assertEquals(1, count(out, media.resolve("EVIL/update.zip") + " on the medium"),
                    "reported once, not at every scan and check:\n" + out);
            assertTrue(!out.contains("StackOverflowError"), out);
        }
    }

    static JsonNode await(CoapClientCli coap, GatewayProcess gateway, String path, Predicate<JsonNode> condition,
            String what) throws Exception {
        JsonNode last = null;
        for (int i = 0; i < 120; i++) {
            byte[] payload = coap.get(gateway.uri(path)).payload();
            last = payload == null || payload.length == 0 ? null : Payloads.decode(payload);
            if (last != null && condition.test(last)) {
                return last;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("timed out waiting: " + what + "; last " + path + " " + last + "\n"
                + gateway.output());
    }

    static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
