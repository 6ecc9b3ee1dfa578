package org.ocfupdate.gateway.multicast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;

/**
 * OCF multicast discovery of the exported gateway.jar over a real link: two network namespaces created by this test
 * (gateway and client) joined by a veth pair; the gateway joins the OCF groups on its veth end only
 * ({@code multicastInterfaces}), and Debian's libcoap client ({@code coap-client-notls}, package libcoap3-bin)
 * discovers it from the client namespace over IPv6 ({@code ff02::158}) and IPv4 ({@code 224.0.1.187}).
 *
 * <p>Needs Linux, root, iproute2 and libcoap3-bin; where the machine does not allow it every test is
 * <em>skipped with the reason</em>, never passed silently. All traffic stays inside the two namespaces, which are
 * deleted afterwards (also on a failed set-up, and by a shutdown hook if the JVM is stopped).
 *
 * <p>libcoap 4.3.1 as a multicast client, found by trying: {@code -N} sends the request NON (RFC 7252 8.1);
 * the client always waits the full {@code -B} seconds counted from sending (it cannot know how many servers
 * answer); Block2 follow-ups of a large answer go unicast to the responder and are logged at {@code -v 6} with the
 * original token, so one answer is one logged response whose Block2 is absent or block 0. The exit code is 0
 * whatever happened. Californium delays a NON answer to a multicast request by a random leisure in [0, 5 s)
 * ({@code COAP.LEISURE}), so {@code -B} must be longer than 5 s or answers are missed at random.
 */
class MulticastDiscoveryIT {
    private static final String CLIENT = "coap-client-notls";
    /** seconds coap-client listens for answers: more than Californium's 5 s multicast leisure. */
    private static final int LISTEN_SECONDS = 7;
    private static final String GW_V4 = "10.253.0.1";
    private static final String CL_V4 = "10.253.0.2";
    private static final String GW_V6 = "fd00:c0f::1";
    private static final String CL_V6 = "fd00:c0f::2";
    /** a response logged by coap-client at -v 6: type, code, token, options. */
    private static final Pattern PDU = Pattern.compile(
            "^v:1 t:(CON|NON|ACK|RST) c:(\\S+) i:[0-9a-f]+ \\{([0-9a-f]*)\\} \\[ ?(.*?) ?\\](?: :: .*)?$");
    private static final CBORMapper CBOR = new CBORMapper();

    private static final Object LOCK = new Object();
    private static String suffix;
    private static String gwNs;
    private static String clNs;
    private static String gwIf;
    private static String clIf;
    private static boolean gwNsCreated;
    private static boolean clNsCreated;
    private static Path home;
    private static Path gatewayLog;
    private static Process gateway;
    /** A second gateway beside it, {@code ownership=transfer}: factory-new, waiting for an onboarding tool. */
    private static Path transferLog;
    private static Process transferGateway;
    private static String transferDeviceId;
    private static Thread cleanupHook;
    private static String deviceId;

    /** Why this machine cannot run the test, or null. Each test is skipped with it: Maven's reports show no
     * reason (and count no skipped test) when the class as a whole is aborted in {@code @BeforeAll}. */
    private static String skipReason;

    @BeforeAll
    static void setUp() throws Exception {
        try {
            prepare();
        } catch (TestAbortedException e) {
            skipReason = String.valueOf(e.getMessage()).replaceFirst("^Assumption failed: ", "");
            System.err.println("MulticastDiscoveryIT skipped: " + skipReason);
        }
    }

    @BeforeEach
    void skipWhereTheMachineDoesNotAllowIt() {
        assumeTrue(skipReason == null, () -> skipReason);
    }

    private static void prepare() throws Exception {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"),
                "network namespaces need Linux; this is " + System.getProperty("os.name"));
        assumeTrue(uid() == 0, "creating network namespaces needs root; this JVM runs as uid " + uid());
        Exec ipVersion = execQuietly(10, "ip", "-V");
        assumeTrue(ipVersion != null && ipVersion.code == 0,
                "iproute2 (the ip command) is not installed: " + (ipVersion == null ? "not found" : ipVersion.out));
        Exec client = execQuietly(10, CLIENT, "-h");
        assumeTrue(client != null, CLIENT + " is not installed (Debian package libcoap3-bin)");
        Path jar = Paths.get(System.getProperty("gateway.jar", "target/gateway.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), jar + " missing: build gateway-app first");

        byte[] random = new byte[3];
        new SecureRandom().nextBytes(random);
        suffix = HexFormat.of().formatHex(random);
        gwNs = "ocfgw-" + suffix;
        clNs = "ocfcl-" + suffix;
        gwIf = "vgw-" + suffix; // interface names are at most 15 characters
        clIf = "vcl-" + suffix;
        cleanupHook = new Thread(MulticastDiscoveryIT::cleanUp, "multicast-it-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupHook);
        try {
            createNamespaces();
            startGateway(jar);
            deviceId = readDeviceId();
        } catch (Throwable t) {
            cleanUp(); // @AfterAll runs too, but leave nothing behind whatever JUnit does
            throw t;
        }
    }

    @AfterAll
    static void tearDown() {
        cleanUp();
        if (cleanupHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanupHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    @Test
    void ipv6LinkLocalDiscoveryListsTheDeviceAndPstat() throws Exception {
        Discovery d = discover("coap://[ff02::158%" + clIf + "]/oic/res");
        assertDiscoveryOfDeviceAndPstat(d);
        assertFalse(d.answers.isEmpty());
    }

    @Test
    void ipv4DiscoveryListsTheDeviceAndPstat() throws Exception {
        Discovery d = discover("coap://224.0.1.187/oic/res");
        assertDiscoveryOfDeviceAndPstat(d);
        // IPv4 multicast reaches only the group socket (see eachIpv6MulticastRequestIsReceivedOnce): exactly once
        assertEquals(1, d.answers.size(), "answers to one IPv4 multicast request\n" + d.log);
    }

    /**
     * {@code eps} are those of the interface and family the request came in on (an onboarding tool takes the first
     * of each scheme): never the loopback addresses, never the other family, for a requester on the veth link.
     */
    @Test
    void eachLinkListsTheEndpointsOfTheRequestersInterfaceAndFamily() throws Exception {
        Discovery v4 = discover("coap://224.0.1.187/oic/res?rt=oic.wk.d");
        assertFalse(v4.answers.isEmpty(), v4.log + gatewayOutput());
        JsonNode eps = v4.payload.get(0).path("eps");
        assertEquals("coap://" + GW_V4 + ":5683", eps.get(0).path("ep").asText(), eps.toString());
        for (JsonNode ep : eps) {
            assertTrue(ep.path("ep").asText().contains("://" + GW_V4 + ":"), "IPv4, the veth's address only: " + eps);
        }
        Discovery v6 = discover("coap://[ff02::158%" + clIf + "]/oic/res?rt=oic.wk.d");
        assertFalse(v6.answers.isEmpty(), v6.log + gatewayOutput());
        JsonNode eps6 = v6.payload.get(0).path("eps");
        assertTrue(eps6.toString().contains("[" + GW_V6 + "]"), eps6.toString());
        for (JsonNode ep : eps6) {
            String e = ep.path("ep").asText();
            assertTrue(e.contains("://[") && !e.contains("[::1]"), "IPv6 of the veth, no loopback: " + eps6);
        }
    }

    @Test
    void aResourceTypeFilterThatMatchesNothingIsAnsweredBySilence() throws Exception {
        Discovery v6 = discover("coap://[ff02::158%" + clIf + "]/oic/res?rt=no.such.type");
        Discovery v4 = discover("coap://224.0.1.187/oic/res?rt=no.such.type");
        assertEquals(List.of(), v6.answers, "IPv6: a multicast discovery that matches nothing gets no answer at all\n"
                + v6.log);
        assertEquals(List.of(), v4.answers, "IPv4: a multicast discovery that matches nothing gets no answer at all\n"
                + v4.log);
    }

    @Test
    void aResourceTypeFilterReturnsOnlyTheMatchingLink() throws Exception {
        for (String uri : List.of("coap://[ff02::158%" + clIf + "]/oic/res?rt=oic.wk.d",
                "coap://224.0.1.187/oic/res?rt=oic.wk.d")) {
            Discovery d = discover(uri);
            assertFalse(d.answers.isEmpty(), uri + ": no answer\n" + d.log + gatewayOutput());
            assertEquals("2.05", d.answers.get(0).code, d.log);
            JsonNode links = d.payload;
            assertTrue(links.isArray(), "an array of links: " + links);
            assertEquals(1, links.size(), uri + ": only the /oic/d link: " + links);
            assertEquals("/oic/d", links.get(0).path("href").asText(), links.toString());
            assertEquals("ocf://" + deviceId, links.get(0).path("anchor").asText(), links.toString());
        }
    }

    /** A multicast request for a path the device does not serve draws no answer at all (never an error). */
    @Test
    void aMulticastRequestForAnUnknownPathGetsNoAnswer() throws Exception {
        for (String uri : List.of("coap://[ff02::158%" + clIf + "]/no/such/path", "coap://224.0.1.187/no/such/path")) {
            for (int i = 0; i < 3; i++) {
                Discovery d = discover(uri);
                assertEquals(List.of(), d.answers, uri + ": a multicast request for an unknown path gets no answer\n"
                        + d.log);
            }
        }
    }

    /**
     * An onboarding tool's discovery: multicast NON {@code GET /oic/sec/doxm?owned=FALSE}. Of the two gateways on
     * the link only the unowned one ({@code ownership=transfer}, in RFOTM) answers; the owned one stays silent.
     */
    @Test
    void onlyTheUnownedDeviceAnswersTheOnboardingToolsDiscovery() throws Exception {
        // started here and stopped at the end: the other tests count the answers of the owned gateway alone
        startTransferGateway(Paths.get(System.getProperty("gateway.jar", "target/gateway.jar")).toAbsolutePath());
        try {
            discoverUnowned();
        } finally {
            stopTransferGateway();
        }
    }

    private static void discoverUnowned() throws Exception {
        for (String uri : List.of("coap://[ff02::158%" + clIf + "]/oic/sec/doxm?owned=FALSE",
                "coap://224.0.1.187/oic/sec/doxm?owned=FALSE")) {
            Discovery d = discover(uri);
            assertFalse(d.answers.isEmpty(), uri + ": no answer\n" + d.log + gatewayOutput() + transferOutput());
            for (Answer a : d.answers) {
                assertEquals("2.05", a.code, d.log);
            }
            assertEquals(transferDeviceId, d.payload.path("deviceuuid").asText(), "the answer is the unowned "
                    + "device's: " + d.payload);
            assertFalse(d.payload.path("owned").asBoolean(), d.payload.toString());
            assertFalse(d.log.contains(deviceId), "the owned device " + deviceId + " stays silent\n" + d.log);
        }
        // asked for owned devices, the unowned one is silent too: nobody answers, as the owned one keeps doxm private
        Discovery owned = discover("coap://224.0.1.187/oic/sec/doxm?owned=TRUE");
        assertEquals(List.of(), owned.answers, owned.log);
    }

    /**
     * Known defect, disabled until CoapServerComponent is changed. Linux delivers a datagram sent to an IPv6 group
     * to every socket bound to the wildcard on that port (IPV6_MULTICAST_ALL defaults to 1) as soon as any socket
     * on the host joined the group on that interface: the unicast connector on [::]:5683 receives each IPv6
     * multicast request besides the group's UdpMulticastConnector. Californium deduplicates the two copies by
     * message id and peer (and logs "received requests ... via different multicast groups"), but which copy is
     * processed is a race: when the unicast copy wins, {@code isMulticastRequest()} is false, the answer skips the
     * multicast leisure, Californium's "no error answers to multicast" rule does not apply (a multicast GET of an
     * unknown path is answered 4.04), and when the other copy is read after the answer went out it counts as a
     * retransmission and the answer is sent again. Since QuietDeliverer, no error answer results (the test above);
     * the double reception and the occasional second answer remain. Enable this test when fixing it (it needs
     * unicast endpoints bound per address, or IPV6_MULTICAST_ALL off, which the JDK cannot set).
     */
    @Test
    @Disabled("known defect: IPv6 multicast requests are also received by the wildcard unicast socket, and an answer"
            + " may be sent twice; the error answers it caused are gone (QuietDeliverer); see javadoc")
    void eachIpv6MulticastRequestIsReceivedOnce() throws Exception {
        int before = countOccurrences(gatewayOutput(), "via different multicast groups");
        List<Discovery> unknownPath = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            unknownPath.add(discover("coap://[ff02::158%" + clIf + "]/no/such/path"));
        }
        for (Discovery d : unknownPath) {
            assertEquals(List.of(), d.answers, "a multicast request for an unknown path gets no answer\n" + d.log);
        }
        assertEquals(before, countOccurrences(gatewayOutput(), "via different multicast groups"),
                "the gateway received multicast requests on two sockets:\n" + gatewayOutput());
    }

    // ---------------------------------------------------------------------------------------------------------

    private static void assertDiscoveryOfDeviceAndPstat(Discovery d) throws IOException {
        assertFalse(d.answers.isEmpty(), "no answer to " + d.uri + "\n" + d.log + gatewayOutput());
        for (Answer a : d.answers) {
            assertEquals("2.05", a.code, "answer to " + d.uri + "\n" + d.log);
            assertTrue(a.options.contains("Content-Format:10000"), "CBOR content-format 10000: " + a.options);
        }
        JsonNode links = d.payload;
        assertTrue(links != null && links.isArray(), "/oic/res is an array of links: " + links);
        JsonNode device = link(links, "/oic/d");
        JsonNode pstat = link(links, "/oic/sec/pstat");
        assertEquals("ocf://" + deviceId, device.path("anchor").asText(), "anchor of /oic/d: " + device);
        assertEquals("ocf://" + deviceId, pstat.path("anchor").asText(), "anchor of /oic/sec/pstat: " + pstat);
        assertTrue(device.path("rt").toString().contains("oic.wk.d"), device.toString());
        assertTrue(pstat.path("rt").toString().contains("oic.r.pstat"), pstat.toString());
    }

    private static JsonNode link(JsonNode links, String href) {
        for (JsonNode l : links) {
            if (href.equals(l.path("href").asText())) {
                return l;
            }
        }
        return fail("no link with href " + href + " in " + links);
    }

    /** One answer coap-client logged to the multicast request (its first block). */
    record Answer(String type, String code, String options) {
    }

    record Discovery(String uri, List<Answer> answers, JsonNode payload, String log) {
    }

    /** A NON GET from the client namespace; collects every answer within {@link #LISTEN_SECONDS}. */
    private static Discovery discover(String uri) throws Exception {
        Path out = home.resolve("client-" + System.nanoTime() + ".cbor");
        Exec r = exec(LISTEN_SECONDS + 20, "ip", "netns", "exec", clNs, "timeout", "-k", "5",
                String.valueOf(LISTEN_SECONDS + 10), CLIENT, "-N", "-m", "get", "-B", String.valueOf(LISTEN_SECONDS),
                "-v", "6", "-o", out.toString(), uri);
        String token = null;
        List<Answer> answers = new ArrayList<>();
        for (String line : r.out.split("\n")) {
            Matcher m = PDU.matcher(line.trim());
            if (!m.matches()) {
                continue;
            }
            String code = m.group(2);
            if (token == null) {
                if (code.equals("GET")) {
                    token = m.group(3);
                }
                continue;
            }
            String options = m.group(4);
            boolean firstBlock = !options.contains("Block2:") || options.matches(".*Block2:0/.*");
            if (code.matches("\\d\\.\\d\\d") && m.group(3).equals(token) && firstBlock) {
                answers.add(new Answer(m.group(1), code, options));
            }
        }
        JsonNode payload = null;
        if (Files.isRegularFile(out) && Files.size(out) > 0) {
            // with more than one answer libcoap appends the payloads back to back: read the first item only
            try (JsonParser parser = CBOR.getFactory().createParser(Files.readAllBytes(out))) {
                payload = CBOR.readTree(parser);
            }
        }
        String log = "coap-client " + uri + " (exit " + r.code + "):\n" + r.out;
        return new Discovery(uri, answers, payload, log);
    }

    /** di of /oic/d read by unicast from the client namespace (the anchors must be ocf://di). */
    private static String readDeviceId() throws Exception {
        Path out = home.resolve("oic-d.cbor");
        Exec r = exec(30, "ip", "netns", "exec", clNs, "timeout", "-k", "5", "20", CLIENT, "-m", "get", "-B", "10",
                "-o", out.toString(), "coap://" + GW_V4 + "/oic/d");
        assertTrue(Files.isRegularFile(out), "no answer to a unicast GET /oic/d: " + r.out + gatewayOutput());
        String di = CBOR.readTree(Files.readAllBytes(out)).path("di").asText();
        assertFalse(di.isEmpty(), "/oic/d has a di");
        return di;
    }

    private static void createNamespaces() throws Exception {
        Exec add = exec(20, "ip", "netns", "add", gwNs);
        assumeTrue(add.code == 0, "cannot create a network namespace (ip netns add): " + add.out.trim());
        gwNsCreated = true;
        must("ip", "netns", "add", clNs);
        clNsCreated = true;
        must("ip", "link", "add", gwIf, "type", "veth", "peer", "name", clIf);
        must("ip", "link", "set", gwIf, "netns", gwNs);
        must("ip", "link", "set", clIf, "netns", clNs);
        configure(gwNs, gwIf, GW_V4, GW_V6);
        configure(clNs, clIf, CL_V4, CL_V6);
        awaitLinkLocal(gwNs, gwIf);
        awaitLinkLocal(clNs, clIf);
    }

    private static void configure(String ns, String iface, String v4, String v6) throws Exception {
        must("ip", "-n", ns, "link", "set", "lo", "up");
        // no duplicate address detection on this private link: the link-local address is usable at once
        Exec dad = exec(10, "ip", "netns", "exec", ns, "sh", "-c",
                "echo 0 > /proc/sys/net/ipv6/conf/" + iface + "/accept_dad");
        assumeTrue(dad.code == 0, "IPv6 is not available in the namespace: " + dad.out.trim());
        must("ip", "-n", ns, "link", "set", iface, "up");
        must("ip", "-n", ns, "addr", "add", v4 + "/24", "dev", iface);
        must("ip", "-n", ns, "addr", "add", v6 + "/64", "dev", iface, "nodad");
        // without a default route IPv4 multicast needs a route to leave through the veth
        must("ip", "-n", ns, "route", "add", "224.0.0.0/4", "dev", iface);
    }

    private static void awaitLinkLocal(String ns, String iface) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Exec r;
        do {
            r = exec(10, "ip", "-n", ns, "-6", "addr", "show", "dev", iface, "scope", "link", "-tentative");
            if (r.out.contains("inet6 fe80:")) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < end);
        fail("no usable IPv6 link-local address on " + iface + " in " + ns + ": " + r.out);
    }

    private static void startGateway(Path jar) throws Exception {
        home = Paths.get("target", "multicast-it", suffix).toAbsolutePath();
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/org.ocfupdate.coap.cfg"),
                "port=5683\nmulticast=true\nmulticastInterfaces=" + gwIf + "\n");
        gatewayLog = home.resolve("gateway.log");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        // timeout: the gateway stops by itself even if this JVM is killed before it could stop it
        synchronized (LOCK) {
            gateway = new ProcessBuilder("ip", "netns", "exec", gwNs, "timeout", "-k", "10", "600", java,
                    "-Dgateway.home=" + home, "-jar", jar.toString()).directory(home.toFile())
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(gatewayLog.toFile()).start();
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!gatewayOutput().contains("Gateway ready")) {
            if (!gateway.isAlive()) {
                fail("gateway exited with " + gateway.exitValue() + ":\n" + gatewayOutput());
            }
            if (System.nanoTime() > end) {
                fail("gateway not ready within 60 s:\n" + gatewayOutput());
            }
            Thread.sleep(50);
        }
        String out = gatewayOutput();
        for (String group : List.of("224.0.1.187", "ff02::158")) {
            assertTrue(out.contains("Joined multicast group " + group + " port 5683 on " + gwIf),
                    "the gateway joined " + group + " on " + gwIf + ":\n" + out);
        }
    }

    /** The second gateway, ownership=transfer, on an ephemeral unicast port (the group port is shared). */
    private static void startTransferGateway(Path jar) throws Exception {
        Path transferHome = Paths.get("target", "multicast-it", suffix + "-transfer").toAbsolutePath();
        Files.createDirectories(transferHome.resolve("etc"));
        Files.writeString(transferHome.resolve("etc/org.ocfupdate.coap.cfg"),
                "port=0\nsecurePort=0\nmulticast=true\nmulticastInterfaces=" + gwIf + "\n");
        Files.writeString(transferHome.resolve("etc/org.ocfupdate.onboarding.cfg"), "ownership=transfer\n");
        transferLog = transferHome.resolve("gateway.log");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        synchronized (LOCK) {
            transferGateway = new ProcessBuilder("ip", "netns", "exec", gwNs, "timeout", "-k", "10", "600", java,
                    "-Dgateway.home=" + transferHome, "-Dorg.osgi.service.http.port=18081", "-jar", jar.toString())
                    .directory(transferHome.toFile()).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(transferLog.toFile()).start();
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Matcher m;
        while (!(m = Pattern.compile("First start: device (\\S+) created, waiting in RFOTM").matcher(transferOutput()))
                .find() || !transferOutput().contains("Gateway ready")) {
            if (!transferGateway.isAlive()) {
                fail("transfer gateway exited with " + transferGateway.exitValue() + ":\n" + transferOutput());
            }
            if (System.nanoTime() > end) {
                fail("transfer gateway not ready within 60 s:\n" + transferOutput());
            }
            Thread.sleep(50);
        }
        transferDeviceId = m.group(1);
    }

    private static void stopTransferGateway() {
        synchronized (LOCK) {
            if (transferGateway != null) {
                // the JVM itself too: seen alive after timeout(1) ended, answering the next tests' discoveries
                List<ProcessHandle> all = new ArrayList<>(transferGateway.descendants().toList());
                all.add(transferGateway.toHandle());
                all.forEach(ProcessHandle::destroy);
                try {
                    for (ProcessHandle h : all) {
                        try {
                            h.onExit().get(30, TimeUnit.SECONDS);
                        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                            h.destroyForcibly();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                transferGateway = null;
            }
        }
    }

    private static String transferOutput() throws IOException {
        return transferLog == null || !Files.exists(transferLog) ? ""
                : "\ntransfer gateway log:\n" + Files.readString(transferLog, StandardCharsets.UTF_8);
    }

    private static String gatewayOutput() throws IOException {
        return gatewayLog == null || !Files.exists(gatewayLog) ? ""
                : "\ngateway log:\n" + Files.readString(gatewayLog, StandardCharsets.UTF_8);
    }

    /** Stops the gateway and deletes the namespaces (with the veth pair in them); safe to call twice. */
    private static void cleanUp() {
        synchronized (LOCK) {
            stopTransferGateway();
            if (gateway != null) {
                gateway.destroy(); // SIGTERM to timeout(1), which passes it on to the JVM
                try {
                    if (!gateway.waitFor(30, TimeUnit.SECONDS)) {
                        gateway.destroyForcibly();
                        gateway.waitFor(10, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                gateway = null;
            }
            for (String ns : new String[] {clNsCreated ? clNs : null, gwNsCreated ? gwNs : null}) {
                if (ns == null) {
                    continue;
                }
                try {
                    // whatever still runs in a namespace this test created was started by this test
                    Exec pids = exec(10, "ip", "netns", "pids", ns);
                    for (String pid : pids.out.trim().split("\\s+")) {
                        if (pid.matches("\\d+")) {
                            exec(10, "kill", "-9", pid);
                        }
                    }
                    Exec del = exec(20, "ip", "netns", "del", ns);
                    if (del.code != 0) {
                        System.err.println("MulticastDiscoveryIT: could not delete namespace " + ns + ": " + del.out);
                    }
                } catch (Exception e) {
                    System.err.println("MulticastDiscoveryIT: could not delete namespace " + ns + ": " + e);
                }
            }
            gwNsCreated = false;
            clNsCreated = false;
        }
    }

    private static int countOccurrences(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }

    private static long uid() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux-like
        }
        return -1;
    }

    record Exec(int code, String out) {
    }

    private static void must(String... cmd) throws Exception {
        Exec r = exec(20, cmd);
        assertEquals(0, r.code, String.join(" ", cmd) + ": " + r.out);
    }

    /** Runs a command (stdin closed, output merged); null when the program is not installed. */
    private static Exec execQuietly(int seconds, String... cmd) throws InterruptedException {
        try {
            return exec(seconds, cmd);
        } catch (IOException notFound) {
            return null;
        }
    }

    private static Exec exec(int seconds, String... cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("multicast-it", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return new Exec(-1, "timed out after " + seconds + " s: " + String.join(" ", cmd) + "\n"
                        + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Exec(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
