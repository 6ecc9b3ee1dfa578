package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the process behaves for an operator (docs/operator-contract.md): SIGTERM, and a CoAP port already taken. */
class OperationsIT {
    @TempDir
    Path tmp;
    GatewayProcess gateway;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    /**
     * SIGTERM stops the OSGi framework in order (components deactivated: the CoAP server logs that it stopped), and
     * the process exits with status 0, as a service manager expects of a clean stop (not the JVM's 143). A gateway
     * that hangs on stop is killed by {@link GatewayProcess#stop()} after 30 s and then fails here with 137.
     */
    @Test
    void sigtermStopsTheFrameworkCleanly() throws Exception {
        gateway = new GatewayProcess(tmp.resolve("home"));
        gateway.start();
        CoapClientCli coap = new CoapClientCli(Files.createDirectories(tmp.resolve("coap")));
        assertEquals("2.05", coap.get(gateway.uri("/oic/res")).code());

        int exit = gateway.stop();

        String log = gateway.output();
        assertEquals(0, exit, log);
        assertTrue(log.contains("CoAP server stopped"), "the framework was not stopped on SIGTERM:\n" + log);
    }

    @Test
    void takenCoapPortEndsTheProcessWithAClearMessage() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = taken.getLocalPort();
            gateway = new GatewayProcess(tmp.resolve("home"))
                    .coapConfig("host=127.0.0.1\nport=" + port + "\nsecurePort=0\nmulticast=false\n");
            long t0 = System.nanoTime();
            gateway.launch();
            boolean ended = gateway.process().waitFor(30, TimeUnit.SECONDS);
            String log = gateway.output();
            assertTrue(ended, "still running after 30 s with port " + port + " taken:\n" + log);
            int exit = gateway.process().exitValue();
            assertTrue(exit != 0, "exit code " + exit);
            assertEquals(1, exit, log);

            // Readiness prints one line "gateway: <why>" to stderr: it must name the port problem
            String reason = log.lines().filter(l -> l.startsWith("gateway: ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no 'gateway: ...' line in:\n" + log));
            assertTrue(reason.contains("port"), reason);
            assertTrue(reason.contains(String.valueOf(port)), reason);
            assertFalse(log.contains("Gateway ready"), log);
            System.out.printf("port %d taken: exit %d after %d ms: %s%n", port, exit,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), reason);
        }
    }
}
