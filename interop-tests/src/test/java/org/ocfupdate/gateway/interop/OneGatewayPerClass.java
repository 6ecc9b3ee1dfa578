package org.ocfupdate.gateway.interop;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** One gateway.jar process for all the tests of a class, in its own home, with a coap-client at hand. */
abstract class OneGatewayPerClass {
    @TempDir
    static Path tmp;
    static GatewayProcess gateway;
    static CoapClientCli coap;

    @BeforeAll
    static void startGateway() throws Exception {
        coap = new CoapClientCli(Files.createDirectories(tmp.resolve("coap")));
        gateway = new GatewayProcess(tmp.resolve("home"));
        gateway.start();
    }

    @AfterAll
    static void stopGateway() throws Exception {
        if (gateway != null) {
            gateway.close();
            gateway = null;
        }
    }
}
