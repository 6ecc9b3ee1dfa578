package org.ocfupdate.gateway.interop;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One damaged character in the header of the newest SVR generation: the gateway starts on the previous one. */
class CorruptStoreIT {
    @TempDir
    Path tmp;
    GatewayProcess gateway;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void aFlippedHeaderCharacterOfTheNewestSvrGenerationFallsBackToThePreviousOne() throws Exception {
        CoapClientCli coap = new CoapClientCli(Files.createDirectories(tmp.resolve("coap")));
        Path home = tmp.resolve("home");
        gateway = new GatewayProcess(home).start();
        CoapClientCli.Result rfpro = coap.post(gateway.uri("/oic/sec/pstat"), Payloads.cbor(Map.of("dos", Map.of("s", 2))));
        assertEquals("2.04", rfpro.code(), rfpro.log());
        String di = Payloads.decode(coap.get(gateway.uri("/oic/d")).payload()).path("di").asText();
        assertEquals(0, gateway.stop(), gateway.output());

        Path newest;
        try (Stream<Path> files = Files.list(home.resolve("data/svr"))) {
            newest = files.filter(p -> p.getFileName().toString().matches("svr\\.json\\.\\d+")).max(Path::compareTo)
                    .orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(newest);
        int lengthField = new String(bytes, US_ASCII).indexOf(' ', "ocf-store 1 ".length()) + 1;
        bytes[lengthField] = 'x'; // what a NumberFormatException came from
        Files.write(newest, bytes);

        gateway = new GatewayProcess(home).start();
        // a dos.s write stores two generations (dos.p true, then false): the previous one is RFPRO as well
        assertEquals(2, Payloads.decode(coap.get(gateway.uri("/oic/sec/pstat")).payload()).at("/dos/s").intValue());
        assertEquals(di, Payloads.decode(coap.get(gateway.uri("/oic/d")).payload()).path("di").asText());
        String log = gateway.output();
        assertTrue(log.matches("(?s).*ERROR .*Corrupt " + java.util.regex.Pattern.quote(newest + ": bad header") + ".*"), log);
        assertTrue(log.contains(newest + " was corrupt (kept as " + newest.getFileName() + ".corrupt)"), log);
        assertTrue(Files.exists(newest.resolveSibling(newest.getFileName() + ".corrupt")));
    }
}
