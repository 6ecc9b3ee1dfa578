package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

import org.eclipse.californium.core.coap.CoAP.Code;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.DTLSContext;
import org.eclipse.californium.scandium.dtls.Handshaker;
import org.eclipse.californium.scandium.dtls.SessionAdapter;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A test onboarding tool: takes ownership of a running gateway.jar the way IoTivity-Lite's onboarding tool does
 * ({@code oc_obt_otm_justworks.c}, {@code _randompin.c}, {@code _cert.c}; docs/onboarding.md, "The transfer, request by request"),
 * with Californium clients on the patched Scandium (the 0xFF00 suite and the key block). It derives the owner PSK
 * itself, with its own PRF (not the gateway's {@code OwnerPsk}), as a real tool would.
 */
final class OnboardingTool implements AutoCloseable {
    static final String RDP_IDENTITY = "oic.sec.doxm.rdp";
    static final String[] LABELS = {"oic.sec.doxm.jw", "oic.sec.doxm.rdp", "oic.sec.doxm.mfgcert"};

    /** What the tool holds after a transfer: its UUID (the owner) and the owner PSK, and the device's new UUID. */
    record Owner(UUID uuid, byte[] psk, UUID device) {
    }

    final UUID uuid = UUID.randomUUID();
    private final GatewayProcess gateway;
    private final List<CoapEndpoint> endpoints = new ArrayList<>();
    private final CoapEndpoint plain;

    OnboardingTool(GatewayProcess gateway) throws Exception {
        this.gateway = gateway;
        CoapConfig.register();
        UdpConfig.register();
        DtlsConfig.register();
        plain = new CoapEndpoint.Builder().setConfiguration(Configuration.createStandardWithoutFile()).build();
        plain.start();
        endpoints.add(plain);
    }

    CoapEndpoint plainEndpoint() {
        return plain;
    }

    /** Just-Works: steps 1-16 over an anonymous (0xFF00) session. */
    Owner justWorks() throws Exception {
        chooseMethod(0);
        return transfer(0, session(CipherSuite.TLS_ECDH_ANON_WITH_AES_128_CBC_SHA256, null, null));
    }

    /** Random PIN: the PIN from the gateway's stdout (where its operator reads it), then steps 3-16 over 0xC037. */
    Owner randomPin() throws Exception {
        int pinsBefore = pins().size();
        chooseMethod(1);
        List<String> pins = pins();
        assertEquals(pinsBefore + 1, pins.size(), "a new PIN on stdout:\n" + gateway.output());
        UUID device = UUID.fromString(get(plain, "/oic/sec/doxm", false).path("deviceuuid").asText());
        byte[] key = pbkdf2(pins.get(pins.size() - 1), bytes(device));
        return transfer(1, session(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256, RDP_IDENTITY, key));
    }

    /**
     * Manufacturer certificate: steps 1-2, a handshake with {@code suite} (ECDHE-ECDSA with AES-CCM or CCM_8) that
     * trusts only the manufacturer CA {@code ca} and presents no client certificate, then steps 3-16.
     */
    Owner manufacturerCertificate(CipherSuite suite, Path ca) throws Exception {
        chooseMethod(2);
        return transfer(2, certificateSession(suite, ca));
    }

    private List<String> pins() throws Exception {
        Matcher m = Pattern.compile("PIN (\\d{8})$", Pattern.MULTILINE).matcher(gateway.output());
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** Steps 1-2 (plain CoAP, anonymous): the device offers the method; choose it. */
    void chooseMethod(int oxm) throws Exception {
        JsonNode doxm = get(plain, "/oic/sec/doxm", false);
        assertTrue(doxm.path("oxms").toString().contains(String.valueOf(oxm)), doxm.toString());
        assertEquals("2.04", post(plain, "/oic/sec/doxm", Map.of("oxmsel", oxm), false));
    }

    /** A DTLS client offering only {@code suite}; the key block of its session lands in {@link Session#keyBlock}. */
    Session session(CipherSuite suite, String identity, byte[] key) throws Exception {
        Session s = new Session();
        DtlsConnectorConfig.Builder b = builder(suite, s);
        if (identity != null) {
            b.setAdvancedPskStore(new AdvancedSinglePskStore(identity, key));
        }
        return start(s, b);
    }

    /** A DTLS client offering only the certificate suite {@code suite}, trusting only the CA certificate {@code ca}. */
    Session certificateSession(CipherSuite suite, Path ca) throws Exception {
        X509Certificate trusted;
        try (InputStream in = Files.newInputStream(ca)) {
            trusted = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        Session s = new Session();
        // the tool checks the chain up to the manufacturer CA; a device has no host name to match
        return start(s, builder(suite, s).set(DtlsConfig.DTLS_VERIFY_SERVER_CERTIFICATES_SUBJECT, false)
                .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                        .setTrustedCertificates(trusted).build()));
    }

    /**
     * Asserts that the handshake of {@code s} fails: its first request gets no answer but a send error (the tool's
     * fatal alert, here). Returns the error.
     */
    Throwable refusedHandshake(Session s) throws Exception {
        Request req = new Request(Code.GET);
        req.setURI("coaps://127.0.0.1:" + gateway.securePort() + "/oic/sec/doxm");
        s.endpoint.sendRequest(req);
        Response r = null;
        for (int i = 0; i < 200 && r == null && req.getSendError() == null && !req.isTimedOut(); i++) {
            r = req.waitForResponse(100);
        }
        assertNull(r, "the handshake must fail, yet the device answered");
        assertNotNull(req.getSendError(), "a failed handshake, not a silent device");
        return req.getSendError();
    }

    private DtlsConnectorConfig.Builder builder(CipherSuite suite, Session s) {
        return DtlsConnectorConfig.builder(Configuration.createStandardWithoutFile())
                .set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY)
                .set(DtlsConfig.DTLS_RECOMMENDED_CIPHER_SUITES_ONLY, false)
                .set(DtlsConfig.DTLS_CIPHER_SUITES, List.of(suite)).setSessionListener(new SessionAdapter() {
                    @Override
                    public void contextEstablished(Handshaker handshaker, DTLSContext context) {
                        s.keyBlock = handshaker.exportKeyBlock();
                    }
                });
    }

    private Session start(Session s, DtlsConnectorConfig.Builder b) throws Exception {
        s.endpoint = new CoapEndpoint.Builder().setConfiguration(Configuration.createStandardWithoutFile())
                .setConnector(new DTLSConnector(b.build())).build();
        s.endpoint.start();
        endpoints.add(s.endpoint);
        return s;
    }

    static final class Session {
        CoapEndpoint endpoint;
        volatile byte[] keyBlock;
    }

    /** Steps 3-16 over the transfer session, each answered with success, in the order of the tool. */
    private Owner transfer(int oxm, Session s) throws Exception {
        CoapEndpoint e = s.endpoint;
        UUID device = UUID.randomUUID();
        String me = uuid.toString();
        ok(post(e, "/oic/sec/pstat", Map.of("om", 4), true), 3);
        assertNotNull(s.keyBlock, "the transfer session's key block");
        ok(post(e, "/oic/sec/doxm", Map.of("devowneruuid", me), true), 4);
        ok(post(e, "/oic/sec/doxm", Map.of("deviceuuid", device.toString()), true), 5);
        ok(post(e, "/oic/sec/doxm", Map.of("rowneruuid", me), true), 6);
        ok(post(e, "/oic/sec/acl2", Map.of("rowneruuid", me), true), 7);
        ok(post(e, "/oic/sec/pstat", Map.of("rowneruuid", me), true), 8);
        ok(post(e, "/oic/sec/cred", Map.of("creds", List.of(Map.of("credtype", 1, "subjectuuid", me, "privatedata",
                Map.of("encoding", "oic.sec.encoding.raw", "data", new byte[0]))), "rowneruuid", me), true), 9);
        ok(post(e, "/oic/sec/sdi", Map.of("uuid", UUID.randomUUID().toString(), "name", "test domain", "priv",
                false), true), 10);
        ok(post(e, "/oic/sec/doxm", Map.of("owned", true), true), 11);
        ok(post(e, "/oic/sec/pstat", Map.of("dos", Map.of("s", 2)), true), 12);
        ok(send(e, Code.DELETE, "/oic/sec/acl2", null, true), 13);
        ok(post(e, "/oic/sec/acl2", Map.of("aclist2", List.of(
                ace(Map.of("uuid", me), "/oic/sec/sp", 14), ace(Map.of("uuid", me), "/oic/sec/csr", 2),
                Map.of("subject", Map.of("conntype", "anon-clear"), "resources", List.of(Map.of("href", "/oic/d"),
                        Map.of("href", "/oic/p"), Map.of("href", "/oic/res"), Map.of("href", "/oic/sec/sdi")),
                        "permission", 2))), true), 14);
        ok(post(e, "/oic/sec/pstat", Map.of("dos", Map.of("s", 3)), true), 15);
        e.destroy(); // 16
        byte[] psk = prf(s.keyBlock, LABELS[oxm].getBytes(StandardCharsets.US_ASCII),
                ByteBuffer.allocate(32).put(bytes(uuid)).put(bytes(device)).array(), 16);
        return new Owner(uuid, psk, device);
    }

    private static Map<String, Object> ace(Map<String, String> subject, String href, int permission) {
        return Map.of("subject", subject, "resources", List.of(Map.of("href", href)), "permission", permission);
    }

    private static void ok(String code, int step) {
        assertTrue(code != null && code.startsWith("2."), "step " + step + " answered " + code);
    }

    /** An ordinary session of the owner: 0xC037 (as an OCF client), identity = its UUID, key = the owner PSK. */
    CoapEndpoint ownerSession(Owner owner) throws Exception {
        return session(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256, owner.uuid().toString(), owner.psk())
                .endpoint;
    }

    JsonNode get(CoapEndpoint e, String path, boolean secure) throws Exception {
        Response r = request(e, Code.GET, path, null, secure);
        assertEquals("2.05", r.getCode().toString(), path + ": " + r.getPayloadString());
        return Payloads.decode(r.getPayload());
    }

    String post(CoapEndpoint e, String path, Object body, boolean secure) throws Exception {
        return send(e, Code.POST, path, body, secure);
    }

    private String send(CoapEndpoint e, Code code, String path, Object body, boolean secure) throws Exception {
        Response r = request(e, code, path, body, secure);
        return r == null ? null : r.getCode() + (r.getPayloadSize() > 0 && !r.isSuccess() ? " "
                + r.getPayloadString() : "");
    }

    Response request(CoapEndpoint e, Code code, String path, Object body, boolean secure) throws Exception {
        Request req = new Request(code);
        req.setURI((secure ? "coaps://127.0.0.1:" + gateway.securePort() : "coap://127.0.0.1:" + gateway.port())
                + path);
        if (body != null) {
            req.setPayload(Payloads.cbor(body));
            req.getOptions().setContentFormat(10000);
        }
        e.sendRequest(req);
        Response r = req.waitForResponse(20_000);
        if (r == null) {
            throw new AssertionError(code + " " + path + ": no answer (send error " + req.getSendError() + ")\n"
                    + gateway.output());
        }
        return r;
    }

    static byte[] bytes(UUID u) {
        return ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
    }

    static byte[] pbkdf2(String pin, byte[] salt) throws Exception {
        return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(pin.toCharArray(), salt, 1000, 128)).getEncoded();
    }

    /** TLS 1.2 P_SHA256(secret, label || seed) (RFC 5246 section 5), the tool's own. */
    static byte[] prf(byte[] secret, byte[] label, byte[] seed, int n) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        byte[] ls = ByteBuffer.allocate(label.length + seed.length).put(label).put(seed).array();
        ByteBuffer out = ByteBuffer.allocate(n + 32);
        byte[] a = ls;
        while (out.position() < n) {
            a = mac.doFinal(a);
            mac.update(a);
            out.put(mac.doFinal(ls));
        }
        return java.util.Arrays.copyOf(out.array(), n);
    }

    @Override
    public void close() {
        endpoints.forEach(CoapEndpoint::destroy);
    }
}
