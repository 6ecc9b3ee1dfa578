package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.testsupport.MiniDdiServer;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The forced path with the real gateway process: a hawkBit DDI server assigns a signed 1.0.1 with forced download and
 * update; the gateway, configured only through etc/ (url, controller id, a ranking above the USB provider's) and its token in
 * data/credentials/hawkbit.properties, installs it with no client involved, and the server hears {@code closed}
 * {@code success} only once {@code /oic/d} says 1.0.1.
 */
class HawkbitIT {
    @TempDir
    Path tmp;

    @Test
    void aForcedDeploymentIsInstalledAndClosedWithSuccessAfterTheCommit() throws Exception {
        Path home = tmp.resolve("home");
        Path vendor = Files.createDirectories(tmp.resolve("vendor"));
        KillDuringInstallIT.ocfPkg(vendor, "keygen", "--private", "key.pem", "--public", "pub.pem");
        Files.writeString(vendor.resolve("notes.txt"), "from hawkBit\n");
        KillDuringInstallIT.ocfPkg(vendor, "create", "--key", "key.pem", "--version", "1.0.1", "--out",
                "gateway.zip", "--file", "notes.txt");
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/org.ocfupdate.trust.cfg"), "keys=" + vendor.resolve("pub.pem") + "\n");
        Files.createDirectories(home.resolve("data/credentials"));
        Files.writeString(home.resolve("data/credentials/hawkbit.properties"), "gatewayToken=" + MiniDdiServer.TOKEN
                + "\n");
        CoapClientCli coap = new CoapClientCli(Files.createDirectories(tmp.resolve("coap")));
        String[] svWhenClosed = new String[1];
        GatewayProcess[] running = new GatewayProcess[1];
        try (MiniDdiServer server = new MiniDdiServer("1.0.1", Files.readAllBytes(vendor.resolve("gateway.zip")),
                closed -> {
                    try {
                        svWhenClosed[0] = Payloads.decode(coap.get(running[0].uri("/oic/d")).payload()).get("sv")
                                .asText();
                    } catch (Exception e) {
                        svWhenClosed[0] = e.toString();
                    }
                })) {
            Files.writeString(home.resolve("etc/org.ocfupdate.provider.hawkbit.cfg"), "url=" + server.url()
                    + "\ncontrollerId=" + MiniDdiServer.CONTROLLER + "\nminSleepMillis=200\nservice.ranking=100\n");
            try (GatewayProcess g = new GatewayProcess(home)) {
                running[0] = g;
                g.start();
                for (int i = 0; i < 1200 && !server.closed(); i++) {
                    Thread.sleep(100);
                }
                assertTrue(server.closed(), "no closed within 120 s: " + server.executions() + "\n" + g.output());
                JsonNode last = server.feedback.get(server.feedback.size() - 1);
                assertEquals("success", last.path("status").path("result").path("finished").asText(),
                        server.feedback + "\n" + g.output());
                assertEquals("1.0.1", svWhenClosed[0], "closed success only once 1.0.1 runs");
                List<String> executions = server.executions();
                assertEquals("proceeding", executions.get(0), executions.toString());
                assertTrue(executions.contains("downloaded"), executions.toString());
                assertTrue(g.output().contains("hawkBit provider for " + server.url()), g.output());
                assertTrue(Files.readString(home.resolve("data/hawkbit/state.json")).contains("\"finished\":true"));
            }
        }
    }
}
