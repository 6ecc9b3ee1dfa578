package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an OCF client needs of the running gateway.jar's DTLS (docs/dtls.md): openssl s_client offering only
 * {@code ECDHE-PSK-AES128-CBC-SHA256} (0xC037, the one PSK suite IoTivity-Lite offers) with the owner's identity
 * and key completes the handshake, sees the device UUID as 16 raw bytes in the ServerKeyExchange's PSK identity
 * hint, and a CoAP request over the session is answered.
 */
class OcfDtlsIT {
    @TempDir
    static Path tmp;
    static GatewayProcess gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = new GatewayProcess(tmp.resolve("home"));
        gateway.coapConfig("host=127.0.0.1\nport=0\nsecurePort=0\nmulticast=false\n");
        gateway.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void opensslWithTheOcfPskSuiteSeesTheUuidHintAndIsAnswered() throws Exception {
        GatewayProcess.Owner owner = gateway.owner();
        CoapClientCli gnutls = new CoapClientCli(Files.createDirectories(tmp.resolve("gnutls")));
        UUID di = UUID.fromString(Payloads.decode(gnutls.get(gateway.uri("/oic/d")).payload()).path("di").asText());

        String out = opensslGet(owner.identity(), owner.key().getBytes(StandardCharsets.US_ASCII));

        assertTrue(out.contains("Cipher is ECDHE-PSK-AES128-CBC-SHA256"), out);
        // ServerKeyExchange (type 12): 12-byte DTLS handshake header, psk_identity_hint<2> = the UUID's 16 bytes
        byte[] ske = received(out, 12);
        assertEquals(16, ((ske[12] & 0xff) << 8) | (ske[13] & 0xff), out);
        byte[] uuid = ByteBuffer.allocate(16).putLong(di.getMostSignificantBits())
                .putLong(di.getLeastSignificantBits()).array();
        assertArrayEquals(uuid, Arrays.copyOfRange(ske, 14, 30));
        // the answer to GET /oic/d: ACK 2.05 with our message id 0x1234
        assertTrue(out.contains(new String(new byte[] { 0x60, 0x45, 0x12, 0x34 }, StandardCharsets.ISO_8859_1)), out);
    }

    /** openssl s_client: handshake, then a CoAP GET /oic/d (CON, message id 0x1234) as application data. */
    static String opensslGet(String identity, byte[] key) throws Exception {
        Process p = new ProcessBuilder("openssl", "s_client", "-dtls1_2", "-connect", "127.0.0.1:" + gateway.securePort(),
                "-psk", HexFormat.of().formatHex(key), "-psk_identity", identity,
                "-cipher", "ECDHE-PSK-AES128-CBC-SHA256", "-msg", "-ign_eof").redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] answer = { 0x60, 0x45, 0x12, 0x34 };
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
                if (!sent && text.contains(", Cipher is ") && text.contains("SSL-Session:")) {
                    stdin.write(new byte[] { 0x40, 0x01, 0x12, 0x34, (byte) 0xb3, 'o', 'i', 'c', 0x01, 'd' });
                    stdin.flush();
                    sent = true;
                }
                if (text.contains(new String(answer, StandardCharsets.ISO_8859_1))) {
                    Thread.sleep(200); // the rest of that datagram
                    if (in.available() > 0) {
                        out.write(buf, 0, in.read(buf));
                    }
                    break;
                }
            }
        } finally {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** The first handshake message of {@code type} the server sent, from -msg's hex dumps of received records. */
    static byte[] received(String output, int type) {
        Matcher m = Pattern.compile("<<< [^\\n]*\\n((?:    [0-9a-f ]+\\n)+)").matcher(output);
        while (m.find()) {
            byte[] b = HexFormat.of().parseHex(m.group(1).replaceAll("\\s", ""));
            if (b.length > 12 && b[0] == type) {
                return b;
            }
        }
        throw new AssertionError("no handshake message " + type + " from the gateway in openssl's output:\n" + output);
    }
}
