package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The owner's credential and the trust anchors over real DTLS: a client granted UPDATE and DELETE on
 * {@code /oic/sec/cred} cannot set or remove the owner's key nor add a CA (which could issue a {@code uuid:<owner>}
 * certificate); the owner can replace its own key, keeps its session and finds the new key in owner.properties.
 * Each test has its own gateway, since keys change.
 */
class OwnerCredentialIT {
    @TempDir
    Path tmp;
    GatewayProcess gateway;
    CoapClientCli coap;

    @BeforeEach
    void start() throws Exception {
        coap = new CoapClientCli(Files.createDirectories(tmp.resolve("coap")));
        gateway = new GatewayProcess(tmp.resolve("home")).start();
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
    }

    @Test
    void aClientWithUpdateOnCredCannotBecomeTheOwner() throws Exception {
        GatewayProcess.Owner owner = gateway.owner();
        String attacker = UUID.randomUUID().toString();
        String attackerKey = "attacker-key-" + UUID.randomUUID().toString().substring(0, 8);
        assertEquals("2.04", coap.post(gateway.uri("/oic/sec/cred"), psk(attacker, attackerKey)).code());
        assertEquals("2.04", coap.post(gateway.uri("/oic/sec/acl2"), Payloads.cbor(Map.of("aclist2", List.of(Map.of(
                "subject", Map.of("uuid", attacker), "resources", List.of(Map.of("href", "/oic/sec/cred")),
                "permission", 2 | 4 | 8))))).code());
        String credAsAttacker = gateway.secureUri("/oic/sec/cred", attacker, attackerKey);
        byte[] before = coap.get(gateway.uri("/oic/sec/cred")).payload();

        CoapClientCli.Result takeOver = coap.post(credAsAttacker, psk(owner.identity(), attackerKey));
        assertEquals("4.01", takeOver.code(), takeOver.log());
        assertEquals("only the owner may set the credential of the owner " + owner.identity(), takeOver.diagnostic());
        assertEquals(Payloads.decode(before), Payloads.decode(coap.get(gateway.uri("/oic/sec/cred")).payload()));
        assertTrue(gateway.output().contains("refused: only the owner may set the credential of the owner"),
                gateway.output());
        // the owner's key still opens a session, the attacker's does not (as the owner's identity)
        assertEquals("2.05", coap.get(gateway.uri("/oic/sec/pstat")).code());
        CoapClientCli.Result asOwner = coap.get(gateway.secureUri("/oic/sec/pstat", owner.identity(), attackerKey),
                "-B", "3");
        assertNull(asOwner.code(), asOwner.log());
        CoapClientCli.Result dos = coap.post(gateway.secureUri("/oic/sec/pstat", owner.identity(), attackerKey),
                Payloads.cbor(Map.of("dos", Map.of("s", 2))));
        assertNull(dos.code(), dos.log());
        assertEquals(3, Payloads.decode(coap.get(gateway.uri("/oic/sec/pstat")).payload()).at("/dos/s").intValue());

        // nor a CA of its own, which could issue a certificate with CN uuid:<owner>; the device serves X.509 too
        String di = Payloads.decode(coap.get(gateway.uri("/oic/d")).payload()).path("di").asText();
        Path pki = Files.createDirectories(tmp.resolve("pki"));
        sh(pki, "openssl ecparam -name prime256v1 -genkey -noout -out ca.key",
                "openssl req -x509 -new -key ca.key -subj /CN=Test-OCF-CA -days 2 -out ca.pem",
                "openssl ecparam -name prime256v1 -genkey -noout -out device.key",
                "openssl req -new -key device.key -subj /CN=uuid:" + di + " -out device.csr",
                "openssl x509 -req -in device.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out device.pem");
        gateway.stop();
        gateway.coapConfig("host=127.0.0.1\nport=0\nsecurePort=0\nmulticast=false\n"
                + "certificate=" + pki.resolve("device.pem") + "\nprivateKey=" + pki.resolve("device.key") + "\n");
        gateway.start();
        credAsAttacker = gateway.secureUri("/oic/sec/cred", attacker, attackerKey);
        sh(pki, "openssl ecparam -name prime256v1 -genkey -noout -out rogue-ca.key",
                "openssl req -x509 -new -key rogue-ca.key -subj /CN=Rogue-CA -days 2 -out rogue-ca.pem",
                "openssl ecparam -name prime256v1 -genkey -noout -out owner.key",
                "openssl req -new -key owner.key -subj /CN=uuid:" + owner.identity() + " -out owner.csr",
                "openssl x509 -req -in owner.csr -CA rogue-ca.pem -CAkey rogue-ca.key -CAcreateserial -days 2 "
                        + "-out owner.pem");
        CoapClientCli.Result ca = coap.post(credAsAttacker, Payloads.cbor(Map.of("creds", List.of(Map.of(
                "subjectuuid", "*", "credtype", 8, "credusage", "oic.sec.cred.trustca", "publicdata",
                Map.of("data", Files.readString(pki.resolve("rogue-ca.pem")), "encoding", "oic.sec.encoding.pem"))))));
        assertEquals("4.01", ca.code(), ca.log());
        assertEquals("only the owner may provision trust anchors", ca.diagnostic());
        CoapClientCli.Result impostor = coap.get(gateway.secureUri("/oic/sec/pstat", null, null), "-B", "3",
                "-c", pki.resolve("owner.pem").toString(), "-j", pki.resolve("owner.key").toString(),
                "-C", pki.resolve("ca.pem").toString());
        assertNull(impostor.code(), "no session with a certificate of the attacker's CA: " + impostor.log());

        // what UPDATE on /oic/sec/cred is for still works: keys of other subjects
        String client = UUID.randomUUID().toString();
        CoapClientCli.Result other = coap.post(credAsAttacker, psk(client, "maintenance-key-0123"));
        assertEquals("2.04", other.code(), other.log());
    }

    @Test
    void theOwnerReplacesItsKeyKeepsItsSessionAndFindsTheNewKeyInOwnerProperties() throws Exception {
        GatewayProcess.Owner owner = gateway.owner();
        String newKey = "rotated-owner-key-" + UUID.randomUUID().toString().substring(0, 8);
        CoapClient client = new CoapClient(gateway.secureUri("/oic/sec/cred", null, null)).setTimeout(5000L);
        client.setEndpoint(gateway.ownerDtlsEndpoint());
        try {
            assertEquals(ResponseCode.CONTENT, client.get().getCode());
            CoapResponse rotated = client.post(psk(owner.identity(), newKey), 10000);
            assertEquals(ResponseCode.CHANGED, rotated.getCode(), rotated.getResponseText());
            // the session made with the old key goes on
            client.setURI(gateway.secureUri("/oic/sec/pstat", null, null));
            assertEquals(ResponseCode.CONTENT, client.get().getCode(), "the owner's open session");
        } finally {
            client.getEndpoint().destroy();
            client.shutdown();
        }
        Properties p = new Properties();
        try (var in = Files.newInputStream(gateway.home.resolve("data/credentials/owner.properties"))) {
            p.load(in);
        }
        assertEquals(owner.identity(), p.getProperty("identity"));
        assertEquals(newKey, p.getProperty("key"));
        CoapClientCli.Result oldKey = coap.get(gateway.uri("/oic/sec/pstat"), "-B", "3");
        assertNull(oldKey.code(), "the old key opens no new session: " + oldKey.log());
        CoapClientCli.Result withNew = coap.get(gateway.secureUri("/oic/sec/pstat", owner.identity(), newKey));
        assertEquals("2.05", withNew.code(), withNew.log());

        // a key owner.properties could not hold is refused, and the key stays
        CoapClientCli.Result binary = coap.post(gateway.secureUri("/oic/sec/cred", owner.identity(), newKey),
                Payloads.cbor(Map.of("creds", List.of(Map.of("subjectuuid", owner.identity(), "credtype", 1,
                        "privatedata", Map.of("data", "AAECAwQFBgcICQoLDA0ODw==", "encoding",
                                "oic.sec.encoding.base64"))))));
        assertEquals("4.00", binary.code(), binary.log());
        assertTrue(binary.diagnostic().startsWith("the owner's key must be printable ASCII"), binary.diagnostic());
        JsonNode pstat = Payloads.decode(coap.get(gateway.secureUri("/oic/sec/pstat", owner.identity(), newKey))
                .payload());
        assertEquals(owner.identity(), pstat.path("rowneruuid").asText());
    }

    private static byte[] psk(String subject, String key) {
        return Payloads.cbor(Map.of("creds", List.of(Map.of("subjectuuid", subject, "credtype", 1, "privatedata",
                Map.of("data", key, "encoding", "oic.sec.encoding.raw")))));
    }

    private static void sh(Path dir, String... commands) throws Exception {
        for (String c : commands) {
            Process p = new ProcessBuilder(c.split(" ")).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), c + ": " + out);
        }
    }
}
