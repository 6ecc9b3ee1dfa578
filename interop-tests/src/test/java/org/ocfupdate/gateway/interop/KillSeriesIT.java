package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfupdate.gateway.interop.KillDuringInstallIT.ocfPkg;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12.2: kill -9 at random points of installations that update pstat-impl (the OCF device, whose store the
 * state machine of update-engine uses: the machine restarts with it) and the USB provider. After every kill the very next start is ready and serving, and
 * what it reports is what it runs: {@code sv} is the version of the installed pstat-impl, either the one before or
 * the new one, never a mix. {@code -Dkill.rounds=N} (default 4 here; bench/kill-series.sh runs 25).
 */
class KillSeriesIT {
    @TempDir
    Path tmp;

    @Test
    void everyStartAfterAKillIsConsistentAndServing() throws Exception {
        int rounds = Integer.getInteger("kill.rounds", 4);
        long seed = Long.getLong("kill.seed", System.nanoTime());
        Random random = new Random(seed);
        Path home = tmp.resolve("home");
        Path vendor = Files.createDirectories(tmp.resolve("vendor"));
        Path medium = Files.createDirectories(tmp.resolve("media/USB1"));
        ocfPkg(vendor, "keygen", "--private", "key.pem", "--public", "pub.pem");
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/org.ocfupdate.trust.cfg"), "keys=" + vendor.resolve("pub.pem") + "\n");
        Files.writeString(home.resolve("etc/org.ocfupdate.provider.usb.cfg"),
                "roots=" + medium.getParent() + "\ncheckOnInsert=false\n");
        new GatewayProcess(home).coapConfig("host=127.0.0.1\nport=" + GatewayProcess.freeUdpPort() + "\nsecurePort="
                + GatewayProcess.freeUdpPort() + "\nmulticast=false\n");
        CoapClientCli coap = new CoapClientCli(Files.createDirectories(tmp.resolve("coap")));
        List<String> log = new ArrayList<>();
        String running = "1.0.0";
        GatewayProcess g = new GatewayProcess(home).start();
        // the release's pstat-impl (1.0.0.SNAPSHOT in a development build); an update's has the package's version
        String release = CoreBundles.installed(home).get("org.ocfupdate.pstat.impl");
        for (int round = 1; round <= rounds; round++) {
            String version = "1.0." + round;
            CoreBundles.rebuilt("pstat-impl", version, vendor.resolve("pstat-impl.jar"));
            CoreBundles.rebuilt("update-provider-usb", version, vendor.resolve("usb.jar"));
            ocfPkg(vendor, "create", "--key", "key.pem", "--version", version, "--out",
                    medium.resolve("update.zip").toString(), "--bundle", "pstat-impl.jar", "--bundle", "usb.jar");
            startInstallation(coap, g);
            long delay = random.nextInt(4000);
            Thread.sleep(delay);
            g.process().destroyForcibly(); // SIGKILL
            assertTrue(g.process().waitFor(30, TimeUnit.SECONDS));
            String phase = phase(g.output());

            g = new GatewayProcess(home).start(); // the first start after the kill must be ready
            CoreUpdateRestartIT.awaitIdle(coap, g);
            String sv = CoreUpdateRestartIT.sv(coap, g);
            log.add("round " + round + ": killed " + delay + " ms after tm 128 (" + phase + "), then " + sv + " runs");
            assertTrue(sv.equals(running) || sv.equals(version), log.toString());
            assertEquals(0, g.stop());
            assertEquals(sv.equals("1.0.0") ? release : sv, CoreBundles.installed(home).get("org.ocfupdate.pstat.impl"),
                    "sv is the installed pstat-impl's version: " + log);
            running = sv;
            g = new GatewayProcess(home).start();
        }
        assertEquals(0, g.stop());
        System.out.println("kill series (seed " + seed + "):\n  " + String.join("\n  ", log));
    }

    /**
     * tm 128. coap-client waits 5 s for its answer; on a loaded machine a DTLS handshake and the request can take
     * longer, so an unanswered request is sent again (if the first one did arrive, the second is refused because the
     * action is running, which is as good).
     */
    static void startInstallation(CoapClientCli coap, GatewayProcess g) throws Exception {
        CoapClientCli.Result r = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            r = coap.post(g.uri("/oic/sec/pstat"), Payloads.cbor(Map.of("tm", 128)));
            if ("2.04".equals(r.code()) || "4.00".equals(r.code()) && String.valueOf(r.diagnostic()).contains("is running")) {
                return;
            }
            if (r.code() != null) {
                break;
            }
        }
        throw new AssertionError("tm 128 not accepted: " + r.code() + "\n" + r.log());
    }

    /** How far the killed installation had come, from its log. */
    static String phase(String out) {
        int installing = out.lastIndexOf("Installing ");
        if (installing < 0) {
            return "before installing";
        }
        String tail = out.substring(installing);
        return tail.contains("Installed ") ? "installed" : tail.contains("Installation of") ? "rolling back" : "installing";
    }
}
