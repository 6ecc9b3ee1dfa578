package org.ocfupdate.pstat.internal.coap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.DTLSContext;
import org.eclipse.californium.scandium.dtls.Handshaker;
import org.eclipse.californium.scandium.dtls.SessionAdapter;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ocfupdate.pstat.internal.svr.Credentials;
import org.ocfupdate.pstat.internal.svr.SvrStore;

/**
 * The DTLS that OCF clients speak (docs/dtls.md), on the gateway's connector with the patched Scandium: the
 * anonymous suite 0xFF00 only during a Just-Works transfer, Random-PIN sessions, the PSK identity hint and the key
 * block, with Scandium clients and with openssl as the peer.
 */
class OcfDtlsTest {
    @TempDir
    Path dir;

    /** Our own interface, faked: what the onboarding state would answer. */
    static final class FakeTransfer implements TransferSecurity {
        volatile UUID device = UUID.randomUUID();
        volatile int oxm = NONE;
        volatile byte[] pinPsk;

        @Override
        public UUID deviceUuid() {
            return device;
        }

        @Override
        public int transferOxm() {
            return oxm;
        }

        @Override
        public byte[] randomPinPsk() {
            return pinPsk;
        }

        @Override
        public Path manufacturerCertificate() {
            return null;
        }

        @Override
        public Path manufacturerKey() {
            return null;
        }
    }

    /** Answers with what Peer.of sees; the key block in hex (a test resource: production never sends it). */
    static final class Probe extends CoapResource {
        Probe() {
            super("probe");
        }

        @Override
        public void handleGET(CoapExchange exchange) {
            Peer p = Peer.of(exchange.advanced());
            exchange.respond("oxm=" + p.transferOxm() + " subject=" + p.subject() + " kb="
                    + (p.keyBlock() == null ? "null" : HexFormat.of().formatHex(p.keyBlock())));
        }
    }

    final FakeTransfer transfer = new FakeTransfer();
    CoapServer server;
    AbuseGuard guard;
    Credentials credentials;
    UUID owner;
    InetSocketAddress address;
    final List<CoapEndpoint> clients = new java.util.ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        SvrStore svr = new SvrStore(dir.resolve("svr"), "1.0.0");
        owner = svr.state().rowneruuid();
        credentials = new Credentials(dir.resolve("data"), owner, null);
        Configuration cfg = CoapServerComponent.configuration();
        server = new CoapServer(cfg);
        server.add(new Probe());
        guard = new AbuseGuard(cfg, 100);
        DTLSConnector dtls = SecureEndpoint.connector(cfg, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                credentials, guard, null, new TransferSessions(() -> transfer), () -> null);
        CoapEndpoint secure = new CoapEndpoint.Builder().setConfiguration(cfg).setConnector(dtls).build();
        server.addEndpoint(secure);
        server.start();
        address = secure.getAddress();
    }

    @AfterEach
    void stop() {
        clients.forEach(CoapEndpoint::destroy);
        server.destroy();
    }

    /** A patched-Scandium client offering only {@code suite}; its side's key block lands in {@code keyBlock[0]}. */
    CoapEndpoint client(CipherSuite suite, String identity, byte[] key, byte[][] keyBlock) {
        Configuration cfg = Configuration.createStandardWithoutFile();
        DtlsConnectorConfig.Builder b = DtlsConnectorConfig.builder(cfg).set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY)
                .set(DtlsConfig.DTLS_RECOMMENDED_CIPHER_SUITES_ONLY, false)
                .set(DtlsConfig.DTLS_CIPHER_SUITES, List.of(suite))
                .set(DtlsConfig.DTLS_MAX_RETRANSMISSIONS, 1)
                .setSessionListener(new SessionAdapter() {
                    @Override
                    public void contextEstablished(Handshaker handshaker, DTLSContext context) {
                        keyBlock[0] = handshaker.exportKeyBlock();
                    }
                });
        if (identity != null) {
            b.setAdvancedPskStore(new AdvancedSinglePskStore(identity, key));
        }
        CoapEndpoint c = new CoapEndpoint.Builder().setConfiguration(cfg).setConnector(new DTLSConnector(b.build()))
                .build();
        clients.add(c);
        return c;
    }

    /** GET /probe; null when the handshake failed. */
    String probe(CoapEndpoint client) throws Exception {
        client.start();
        Request get = Request.newGet();
        get.setURI("coaps://" + CoapServerComponent.hostOf(address) + ":" + address.getPort() + "/probe");
        client.sendRequest(get);
        Response r = null;
        for (int i = 0; i < 200 && r == null && get.getSendError() == null && !get.isTimedOut(); i++) {
            r = get.waitForResponse(100);
        }
        return r == null ? null : r.getPayloadString();
    }

    @Test
    void anonymousSuiteCompletesDuringJustWorksWithTheKeyBlockOfBothSides() throws Exception {
        transfer.oxm = 0;
        byte[][] clientKeyBlock = new byte[1][];
        String answer = probe(client(CipherSuite.TLS_ECDH_ANON_WITH_AES_128_CBC_SHA256, null, null, clientKeyBlock));

        assertNotNull(answer, "anonymous handshake while transferOxm is 0");
        Matcher m = Pattern.compile("oxm=0 subject=null kb=([0-9a-f]+)").matcher(answer);
        assertTrue(m.matches(), answer);
        byte[] serverKeyBlock = HexFormat.of().parseHex(m.group(1));
        assertEquals(96, serverKeyBlock.length);
        assertArrayEquals(clientKeyBlock[0], serverKeyBlock);
    }

    @ParameterizedTest
    @ValueSource(ints = { TransferSecurity.NONE, 1, 2 })
    void anonymousSuiteIsRefusedOutsideJustWorks(int oxm) throws Exception {
        transfer.oxm = oxm;
        transfer.pinPsk = new byte[16];
        assertNull(probe(client(CipherSuite.TLS_ECDH_ANON_WITH_AES_128_CBC_SHA256, null, null, new byte[1][])));
    }

    @Test
    void anonymousSuiteIsRefusedWithoutTransferState() throws Exception {
        stop();
        Configuration cfg = CoapServerComponent.configuration();
        server = new CoapServer(cfg);
        server.add(new Probe());
        DTLSConnector dtls = SecureEndpoint.connector(cfg, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                credentials, new AbuseGuard(cfg, 100), null); // ownership "self": no TransferSecurity
        CoapEndpoint secure = new CoapEndpoint.Builder().setConfiguration(cfg).setConnector(dtls).build();
        server.addEndpoint(secure);
        server.start();
        address = secure.getAddress();
        assertNull(probe(client(CipherSuite.TLS_ECDH_ANON_WITH_AES_128_CBC_SHA256, null, null, new byte[1][])));
        byte[] key = credentials.psk(owner).orElseThrow();
        assertTrue(probe(client(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256, owner.toString(), key,
                new byte[1][])).startsWith("oxm=-1 subject=" + owner + " kb=null"));
    }

    @Test
    void randomPinSessionCompletesWithThePinKeyAndAWrongPinIsAFailedHandshake() throws Exception {
        transfer.oxm = 1;
        transfer.pinPsk = new byte[16];
        new SecureRandom().nextBytes(transfer.pinPsk);
        byte[][] kb = new byte[1][];
        String answer = probe(client(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256,
                TransferSessions.RDP_IDENTITY, transfer.pinPsk, kb));
        assertEquals("oxm=1 subject=null kb=" + HexFormat.of().formatHex(kb[0]), answer);
        assertEquals(96, kb[0].length);

        byte[] wrong = transfer.pinPsk.clone();
        wrong[0] ^= 1;
        assertNull(probe(client(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256, TransferSessions.RDP_IDENTITY,
                wrong, new byte[1][])));
        assertTrue(guard.stats().startsWith("1 failed handshakes"), guard.stats());
    }

    @Test
    void randomPinIdentityHasNoKeyOutsideARandomPinTransfer() throws Exception {
        transfer.oxm = 0;
        transfer.pinPsk = new byte[16];
        assertNull(probe(client(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256, TransferSessions.RDP_IDENTITY,
                transfer.pinPsk, new byte[1][])));
    }

    /** openssl s_client as the peer: its output (with -msg) and its key log. */
    record OpenSsl(String output, String keyLog) {
    }

    OpenSsl openssl(String identity, byte[] key) throws Exception {
        Path keyLog = dir.resolve("keylog-" + System.nanoTime());
        Process p = new ProcessBuilder("openssl", "s_client", "-dtls1_2", "-connect",
                "127.0.0.1:" + address.getPort(), "-psk", HexFormat.of().formatHex(key), "-psk_identity", identity,
                "-cipher", "ECDHE-PSK-AES128-CBC-SHA256", "-msg", "-keylogfile", keyLog.toString(), "-ign_eof")
                .redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream(); OutputStream stdin = p.getOutputStream()) {
            byte[] buf = new byte[8192];
            boolean sent = false;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < end) {
                if (in.available() > 0) {
                    out.write(buf, 0, in.read(buf));
                } else if (!p.isAlive()) {
                    break;
                } else {
                    Thread.sleep(20);
                }
                String text = out.toString(StandardCharsets.ISO_8859_1);
                if (!sent && text.contains(", Cipher is ") && text.contains("SSL-Session:")) { // handshake Finished
                    // a CoAP GET /probe (CON, message id 0x1234, no token) as application data
                    stdin.write(new byte[] { 0x40, 0x01, 0x12, 0x34, (byte) 0xb5, 'p', 'r', 'o', 'b', 'e' });
                    stdin.flush();
                    sent = true;
                }
                if (Pattern.compile("kb=(null|[0-9a-f]{192})").matcher(text).find()) {
                    break; // the answer (one datagram) is in
                }
            }
        } finally {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        return new OpenSsl(out.toString(StandardCharsets.ISO_8859_1),
                Files.exists(keyLog) ? Files.readString(keyLog) : "");
    }

    /**
     * The first handshake message of {@code type} (1 byte, e.g. 2 ServerHello, 12 ServerKeyExchange) the server sent,
     * from -msg's hex dumps of received ("<<<") records: the 12-byte DTLS handshake header and the body.
     */
    static byte[] message(String output, int type) {
        Matcher m = Pattern.compile("<<< [^\\n]*\\n((?:    [0-9a-f ]+\\n)+)").matcher(output);
        while (m.find()) {
            byte[] b = HexFormat.of().parseHex(m.group(1).replaceAll("\\s", ""));
            if (b.length > 12 && b[0] == type && b[0] != 0x16) {
                return b;
            }
        }
        throw new AssertionError("no handshake message " + type + " in openssl output:\n" + output);
    }

    @Test
    void opensslOrdinarySessionSeesTheUuidHintAndIsAnswered() throws Exception {
        transfer.oxm = TransferSecurity.NONE;
        OpenSsl s = openssl(owner.toString(), credentials.psk(owner).orElseThrow());

        // ServerKeyExchange: 12-byte DTLS handshake header, then psk_identity_hint<2> = the device UUID's 16 bytes
        byte[] ske = message(s.output(), 12);
        byte[] uuid = ByteBuffer.allocate(16).putLong(transfer.device.getMostSignificantBits())
                .putLong(transfer.device.getLeastSignificantBits()).array();
        assertEquals(16, ((ske[12] & 0xff) << 8) | (ske[13] & 0xff));
        assertArrayEquals(uuid, java.util.Arrays.copyOfRange(ske, 14, 30));
        assertTrue(s.output().contains("oxm=-1 subject=" + owner + " kb=null"), s.output());
    }

    @Test
    void opensslRandomPinSessionSeesTheRdpHintAndTheKeyBlockMatchesTheKeyLog() throws Exception {
        transfer.oxm = 1;
        transfer.pinPsk = new byte[16];
        new SecureRandom().nextBytes(transfer.pinPsk);
        OpenSsl s = openssl(TransferSessions.RDP_IDENTITY, transfer.pinPsk);

        byte[] ske = message(s.output(), 12);
        byte[] hint = (TransferSessions.RDP_IDENTITY + ":" + transfer.device).getBytes(StandardCharsets.US_ASCII);
        assertEquals(hint.length, ((ske[12] & 0xff) << 8) | (ske[13] & 0xff));
        assertArrayEquals(hint, java.util.Arrays.copyOfRange(ske, 14, 14 + hint.length));

        // key block = PRF_SHA256(master_secret, "key expansion", server_random + client_random), computed here
        Matcher log = Pattern.compile("CLIENT_RANDOM ([0-9a-fA-F]{64}) ([0-9a-fA-F]{96})").matcher(s.keyLog());
        assertTrue(log.find(), "key log: " + s.keyLog());
        byte[] clientRandom = HexFormat.of().parseHex(log.group(1).toLowerCase());
        byte[] master = HexFormat.of().parseHex(log.group(2).toLowerCase());
        byte[] serverRandom = java.util.Arrays.copyOfRange(message(s.output(), 2), 14, 46);
        byte[] expected = prf(master, "key expansion", concat(serverRandom, clientRandom), 96);

        Matcher kb = Pattern.compile("oxm=1 subject=null kb=([0-9a-f]+)").matcher(s.output());
        assertTrue(kb.find(), s.output());
        assertArrayEquals(expected, HexFormat.of().parseHex(kb.group(1)));
    }

    /** TLS 1.2 PRF with HMAC-SHA256 (RFC 5246 section 5), written out here independently of Scandium. */
    static byte[] prf(byte[] secret, String label, byte[] seed, int length) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        byte[] labelSeed = concat(label.getBytes(StandardCharsets.US_ASCII), seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] a = labelSeed;
        while (out.size() < length) {
            a = mac.doFinal(a);
            mac.update(a);
            out.write(mac.doFinal(labelSeed));
        }
        return java.util.Arrays.copyOf(out.toByteArray(), length);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
