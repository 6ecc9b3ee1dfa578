package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A full data disk: the home's {@code data/} is a small tmpfs, filled to the last byte. Mounting needs root; the
 * test is skipped with the reason otherwise.
 */
class FullDiskIT {
    @TempDir
    Path tmp;
    final List<Path> mounts = new ArrayList<>();
    GatewayProcess gateway;

    @BeforeEach
    void needsRoot() throws Exception {
        String reason = null;
        Path probe = Files.createDirectories(tmp.resolve("probe"));
        if (!"root".equals(System.getProperty("user.name"))) {
            reason = "mounting a small tmpfs needs root; this JVM runs as " + System.getProperty("user.name");
        } else if (exec("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe.toString()) != 0) {
            reason = "mount -t tmpfs is not allowed here";
        } else {
            exec("umount", probe.toString());
        }
        if (reason != null) {
            System.err.println("FullDiskIT skipped: " + reason);
        }
        assumeTrue(reason == null, reason);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        for (Path m : mounts) {
            exec("umount", m.toString());
        }
    }

    @Test
    void anInitialisedGatewayStartsOnAFullDiskServesReadsAndRefusesWritesWith500() throws Exception {
        CoapClientCli coap = new CoapClientCli(Files.createDirectories(tmp.resolve("coap")));
        Path home = tmp.resolve("home");
        Path data = mount(home.resolve("data"), "64m");
        gateway = new GatewayProcess(home).start();
        CoapClientCli.Result rfpro = coap.post(gateway.uri("/oic/sec/pstat"), Payloads.cbor(Map.of("dos", Map.of("s", 2))));
        assertEquals("2.04", rfpro.code(), rfpro.log());
        assertEquals(0, gateway.stop(), gateway.output());

        Path filler = fill(data);
        gateway = new GatewayProcess(home).start();
        // bnd's launcher copies Felix out of gateway.jar at every start: not into the full data/tmp
        assertTrue(gateway.output().contains("gateway: temporary files stay in "), gateway.output());

        JsonNode pstat = get(coap, "/oic/sec/pstat");
        assertEquals(2, pstat.at("/dos/s").intValue(), pstat.toString());
        CoapClientCli.Result rfnop = coap.post(gateway.uri("/oic/sec/pstat"), Payloads.cbor(Map.of("dos", Map.of("s", 3))));
        assertEquals("5.00", rfnop.code(), rfnop.log());
        assertEquals("cannot store the state: No space left on device", rfnop.diagnostic());
        assertEquals(pstat, get(coap, "/oic/sec/pstat"), "nothing changed");

        JsonNode acl = get(coap, "/oic/sec/acl2");
        CoapClientCli.Result ace = coap.post(gateway.uri("/oic/sec/acl2"), Payloads.cbor(Map.of("aclist2", List.of(
                Map.of("subject", Map.of("uuid", UUID.randomUUID().toString()), "resources",
                        List.of(Map.of("href", "/brewing")), "permission", 2)))));
        assertEquals("5.00", ace.code(), ace.log());
        assertEquals("cannot store the state: No space left on device", ace.diagnostic());
        assertEquals(acl, get(coap, "/oic/sec/acl2"));
        CoapClientCli.Result swu = coap.post(gateway.uri("/oc/swu"), Payloads.cbor(Map.of("purl", "",
                "swupdateaction", "isac", "updatetime", "2099-01-01T00:00:00Z")));
        assertEquals("5.00", swu.code(), swu.log());
        assertTrue(gateway.output().matches("(?s).*ERROR .* - POST /oic/sec/pstat from .*"), gateway.output());
        assertTrue(gateway.output().matches("(?s).*ERROR .* - Cannot write in " + data.resolve("svr") + " .*5\\.00.*"),
                "the start said what it cannot write:\n" + gateway.output());
        assertTrue(Files.notExists(data.resolve("svr/svr.json.tmp")), "no half-written file left behind");

        // space again: the same write succeeds, without a restart
        Files.delete(filler);
        CoapClientCli.Result again = coap.post(gateway.uri("/oic/sec/pstat"), Payloads.cbor(Map.of("dos", Map.of("s", 3))));
        assertEquals("2.04", again.code(), again.log());
        JsonNode operational = get(coap, "/oic/sec/pstat");
        assertEquals(3, operational.at("/dos/s").intValue());

        // full again: an availability check cannot be recorded, so it does not start
        filler = fill(data);
        CoapClientCli.Result check = coap.post(gateway.uri("/oic/sec/pstat"), Payloads.cbor(Map.of("tm", 256)));
        assertEquals("5.00", check.code(), check.log());
        assertEquals(operational, get(coap, "/oic/sec/pstat"), "no action started");
        Files.delete(filler);
        CoapClientCli.Result checkAgain = coap.post(gateway.uri("/oic/sec/pstat"), Payloads.cbor(Map.of("tm", 256)));
        assertEquals("2.04", checkAgain.code(), "the refused check left no job behind: " + checkAgain.log());
    }

    @Test
    void aFirstStartOnAFullDiskSaysWhyAndExits1() throws Exception {
        Path home = tmp.resolve("first");
        mount(home.resolve("data"), "2m");
        gateway = new GatewayProcess(home).launch();
        assertTrue(gateway.process().waitFor(60, TimeUnit.SECONDS), gateway.output());
        assertEquals(1, gateway.process().exitValue(), gateway.output());
        assertTrue(gateway.output().matches("(?s)gateway: the first start installs the gateway's bundles in "
                + home.resolve("data/framework") + " and needs about \\d+ MB free there; \\d+ MB are free\\s*"),
                gateway.output());
    }

    private JsonNode get(CoapClientCli coap, String path) throws Exception {
        CoapClientCli.Result r = coap.get(gateway.uri(path));
        assertEquals("2.05", r.code(), r.log());
        return Payloads.decode(r.payload());
    }

    private Path mount(Path dir, String size) throws Exception {
        Files.createDirectories(dir);
        assertEquals(0, exec("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=700", "tmpfs", dir.toString()));
        mounts.add(0, dir);
        return dir;
    }

    /** Writes zeros until the filesystem refuses: 100 % full. */
    private static Path fill(Path dir) throws IOException {
        Path filler = dir.resolve("filler");
        try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
            while (true) {
                zeros.clear();
                ch.write(zeros);
            }
        } catch (IOException e) {
            assertTrue(String.valueOf(e.getMessage()).contains("No space left on device"), e.toString());
        }
        return filler;
    }

    private static int exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }
}
