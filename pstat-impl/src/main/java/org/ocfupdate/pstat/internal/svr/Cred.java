package org.ocfupdate.pstat.internal.svr;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A credential of {@code oic.sec.cred} that the device accepts from clients: a pre-shared key of one subject
 * ({@code credtype} 1), or a CA certificate whose identity certificates it trusts ({@code credtype} 8,
 * {@code credusage} {@code oic.sec.cred.trustca}).
 *
 * @param credid    unique within the list; 0 in a request asks the device to assign one
 * @param subject   the subject UUID (text), or {@code *}
 * @param psk       the key of a {@code credtype} 1 credential, else null
 * @param pem       the certificate(s) of a {@code credtype} 8 credential, else null
 */
public record Cred(int credid, String subject, int credtype, String credusage, byte[] psk, String pem) {
    public static final int PSK = 1;
    public static final int CERTIFICATE = 8;
    public static final String TRUST_CA = "oic.sec.cred.trustca";

    public Cred withId(int id) {
        return new Cred(id, subject, credtype, credusage, psk, pem);
    }

    /** As {@code /oic/sec/cred} shows it: private data is never read back, only its encoding. */
    public Map<String, Object> toMap(boolean withPrivate) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("credid", credid);
        m.put("subjectuuid", subject);
        m.put("credtype", credtype);
        if (credusage != null) {
            m.put("credusage", credusage);
        }
        if (psk != null) {
            Map<String, Object> p = new LinkedHashMap<>();
            if (withPrivate) {
                p.put("data", Base64.getEncoder().encodeToString(psk));
            }
            p.put("encoding", "oic.sec.encoding.base64");
            m.put("privatedata", p);
        }
        if (pem != null) {
            m.put("publicdata", Map.of("data", pem, "encoding", "oic.sec.encoding.pem"));
        }
        return m;
    }

    /** The certificates of a trust-anchor credential. */
    public List<X509Certificate> certificates() {
        return pem == null ? List.of() : readCertificates(pem);
    }

    /**
     * Reads one entry of {@code creds}.
     *
     * @throws IllegalArgumentException with a short diagnostic when it is not a credential the device accepts
     */
    public static Cred parse(JsonNode n) {
        if (!n.isObject()) {
            throw new IllegalArgumentException("a credential must be a map");
        }
        int credid = 0;
        String subject = null;
        Integer credtype = null;
        String credusage = null;
        JsonNode privatedata = null;
        JsonNode publicdata = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "credid" -> {
                    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 1) {
                        throw new IllegalArgumentException("credid must be an integer >= 1");
                    }
                    credid = v.intValue();
                }
                case "subjectuuid" -> {
                    if (!v.isTextual() || !("*".equals(v.textValue()) || Ace.UUID_TEXT.matcher(v.textValue()).matches())) {
                        throw new IllegalArgumentException("subjectuuid must be a UUID or *");
                    }
                    subject = "*".equals(v.textValue()) ? "*" : UUID.fromString(v.textValue()).toString();
                }
                case "credtype" -> {
                    if (!v.isIntegralNumber()) {
                        throw new IllegalArgumentException("credtype must be an integer");
                    }
                    credtype = v.intValue();
                }
                case "credusage" -> credusage = v.asText();
                case "privatedata" -> privatedata = v;
                case "publicdata" -> publicdata = v;
                case "crms", "optionaldata", "period", "roleid" -> {
                    // informational in this device; not stored
                }
                default -> throw new IllegalArgumentException("unknown credential property " + e.getKey());
            }
        }
        if (subject == null || credtype == null) {
            throw new IllegalArgumentException("a credential needs subjectuuid and credtype");
        }
        if (credtype == PSK) {
            if ("*".equals(subject)) {
                throw new IllegalArgumentException("a pre-shared key needs a subject UUID, not *");
            }
            byte[] key = key(privatedata);
            return new Cred(credid, subject, PSK, null, key, null);
        }
        if (credtype == CERTIFICATE && TRUST_CA.equals(credusage)) {
            if (publicdata == null || !publicdata.path("data").isTextual()
                    || !"oic.sec.encoding.pem".equals(publicdata.path("encoding").asText("oic.sec.encoding.pem"))) {
                throw new IllegalArgumentException("a trust anchor needs publicdata {data: PEM certificate}");
            }
            String pem = publicdata.get("data").textValue();
            readCertificates(pem);
            return new Cred(credid, subject, CERTIFICATE, TRUST_CA, null, pem);
        }
        throw new IllegalArgumentException("supported credentials: credtype 1 (pre-shared key) and credtype 8 with "
                + "credusage " + TRUST_CA);
    }

    private static byte[] key(JsonNode p) {
        if (p == null || !p.isObject()) {
            throw new IllegalArgumentException("a pre-shared key needs privatedata {data, encoding}");
        }
        JsonNode data = p.path("data");
        String encoding = p.path("encoding").asText("");
        byte[] key;
        try {
            key = switch (encoding) {
                case "oic.sec.encoding.base64" -> Base64.getDecoder().decode(data.asText());
                // raw: a CBOR byte string, or text taken as its bytes (what coap-client -k passes)
                case "oic.sec.encoding.raw" -> data.isBinary() ? data.binaryValue()
                        : data.asText().getBytes(StandardCharsets.UTF_8);
                default -> throw new IllegalArgumentException(
                        "privatedata encoding must be oic.sec.encoding.base64 or oic.sec.encoding.raw");
            };
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() != null && e.getMessage().startsWith("privatedata")
                    ? e.getMessage() : "privatedata data is not valid for its encoding");
        }
        if (key.length < 16 || key.length > 64) {
            throw new IllegalArgumentException("a pre-shared key must be 16..64 bytes, not " + key.length);
        }
        return key;
    }

    static List<X509Certificate> readCertificates(String pem) {
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("no certificate in the PEM data");
            }
            return out;
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage());
        }
    }
}
