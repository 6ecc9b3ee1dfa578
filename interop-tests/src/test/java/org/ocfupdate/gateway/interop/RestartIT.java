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
        long firstPid = gateway.process().pid();

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
        // exit never ran (the shutdown hook halts); they now go to data/tmp/PID, and a start deletes the earlier ones
        assertEquals(0, gateway.stop(), gateway.output());
        try (var left = Files.list(javaTmp)) {
            assertEquals(List.of(), left.toList(), "nothing in the java.io.tmpdir given on the command line");
        }
        try (var left = Files.list(home.resolve("data/tmp"))) {
            List<String> names = left.map(p -> p.getFileName().toString()).toList();
            assertFalse(names.contains(Long.toString(firstPid)), "the first process's folder was deleted: " + names);
            assertEquals(1, names.size(), "only the last process's folder: " + names);
        }
    }
}
