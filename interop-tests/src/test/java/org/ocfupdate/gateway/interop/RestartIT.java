package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/** The SVR state survives a SIGTERM and a start in the same home folder. */
class RestartIT {
    @TempDir
    Path tmp;
    GatewayProcess gateway;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    static JsonNode get(CoapClientCli coap, GatewayProcess g, String path) throws Exception {
        CoapClientCli.Result r = coap.get(g.uri(path));
        assertEquals("2.05", r.code(), r.log());
        return Payloads.decode(r.payload());
    }

    @Test
    void restartKeepsIdentityOwnerAndOnboardingState() throws Exception {
        CoapClientCli coap = new CoapClientCli(Files.createDirectories(tmp.resolve("coap")));
        Path home = tmp.resolve("home");
        Path javaTmp = Files.createDirectories(tmp.resolve("java-tmp"));
        gateway = new GatewayProcess(home, "-Djava.io.tmpdir=" + javaTmp);
        gateway.start();

        CoapClientCli.Result change = coap.post(gateway.uri("/oic/sec/pstat"),
                Payloads.cbor(Map.of("dos", Map.of("s", 2), "om", 4)));
        assertEquals("2.04", change.code(), change.log());
        JsonNode device = get(coap, gateway, "/oic/d");
        JsonNode pstat = get(coap, gateway, "/oic/sec/pstat");
        assertEquals(2, pstat.at("/dos/s").intValue(), "RFPRO before the restart: " + pstat);
        assertFalse(pstat.path("isop").asBoolean(true), pstat.toString());

        int exit = gateway.stop();
        assertEquals(0, exit, "SIGTERM: " + gateway.output());

        gateway = new GatewayProcess(home, "-Djava.io.tmpdir=" + javaTmp);
        gateway.start();
        JsonNode deviceAfter = get(coap, gateway, "/oic/d");
        JsonNode pstatAfter = get(coap, gateway, "/oic/sec/pstat");
        assertEquals(device.path("di"), deviceAfter.path("di"));
        assertEquals(device.path("piid"), deviceAfter.path("piid"));
        assertEquals(pstat.path("rowneruuid"), pstatAfter.path("rowneruuid"));
        assertEquals(2, pstatAfter.at("/dos/s").intValue(), pstatAfter.toString());
        assertEquals(pstat, pstatAfter, "the whole pstat representation survives the restart");

        // temporary files: bnd's launcher copies Felix and itself there at every start, and the JVM's deletion at
        // exit never ran (the shutdown hook halts); they now go to data/tmp/PID, deleted by a clean stop, and a start
        // deletes what a killed process left
        Path folders = home.resolve("data/tmp");
        assertEquals(List.of(Long.toString(gateway.process().pid())), names(folders), "the running process's folder");
        gateway.process().destroyForcibly().waitFor();
        gateway = new GatewayProcess(home, "-Djava.io.tmpdir=" + javaTmp);
        gateway.start();
        assertEquals(List.of(Long.toString(gateway.process().pid())), names(folders),
                "the killed process's folder deleted by the next start");
        assertEquals(0, gateway.stop(), gateway.output());
        assertEquals(List.of(), names(folders), "a clean stop deletes its folder (the first one's too)");
        assertEquals(List.of(), names(javaTmp), "nothing in the java.io.tmpdir given on the command line");
    }

    static List<String> names(Path folder) throws Exception {
        try (var list = Files.list(folder)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
