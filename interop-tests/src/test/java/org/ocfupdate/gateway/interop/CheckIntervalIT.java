package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Issue 15: {@code checkIntervalSeconds} in the real gateway.jar. The due time of the next check is kept in
 * {@code data/schedule/} across a restart; one that passed while the gateway was down starts soon after the next
 * start, after it is ready.
 */
class CheckIntervalIT {
    static final String PERIODIC = "Periodic availability check";
    @TempDir
    Path tmp;
    GatewayProcess gateway;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    /** The newest generation of data/schedule/schedule.json (a header line, then the JSON body). */
    static Instant nextCheck(Path home) throws IOException {
        Path newest;
        try (Stream<Path> files = Files.list(home.resolve("data/schedule"))) {
            newest = files.filter(f -> f.getFileName().toString().matches("schedule\\.json\\.\\d+")).sorted()
                    .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no schedule saved"));
        }
        String text = Files.readString(newest, StandardCharsets.UTF_8);
        String body = text.substring(text.indexOf('\n') + 1);
        return Instant.parse(new ObjectMapper().readTree(body).get("nextCheck").asText());
    }

    @Test
    void theNextCheckSurvivesARestartAndAnOverdueOneRunsSoonAfterTheStart() throws Exception {
        Path home = tmp.resolve("home");
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/org.ocfupdate.pstat.cfg"), "checkIntervalSeconds=30\n");
        Files.writeString(home.resolve("etc/org.ocfupdate.provider.usb.cfg"), "roots="
                + Files.createDirectories(tmp.resolve("media")) + "\n");

        Instant started = Instant.now();
        gateway = new GatewayProcess(home).start();
        Instant due = nextCheck(home);
        assertTrue(due.isAfter(started.plusSeconds(26)) && due.isBefore(Instant.now().plusSeconds(34)),
                "an interval (30 s ± 10 %) after the start: " + due);
        assertEquals(0, gateway.stop(), gateway.output());

        gateway = new GatewayProcess(home).start();
        assertEquals(due, nextCheck(home), "honoured after the restart, not counted again from the start");
        assertEquals(0, gateway.stop(), gateway.output());

        while (!Instant.now().isAfter(due.plusSeconds(1))) {
            Thread.sleep(200); // the check falls due while the gateway is down
        }
        gateway = new GatewayProcess(home).start();
        for (int i = 0; i < 600 && !gateway.output().contains(PERIODIC); i++) {
            Thread.sleep(100);
        }
        String out = gateway.output();
        assertTrue(out.contains("An availability check was due while the gateway was down"), out);
        assertTrue(out.contains(PERIODIC), "the overdue check ran: " + out);
        assertTrue(out.indexOf(PERIODIC) > out.indexOf("Gateway ready"), "after the gateway is ready: " + out);
        assertFalse(nextCheck(home).isBefore(Instant.now().plusSeconds(20)), "the next one an interval later");
    }
}
