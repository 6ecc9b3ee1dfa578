package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Only a sufficiently privileged client: the running gateway.jar over CoAP and CoAP over DTLS, driven by Debian's
 * libcoap clients built with GnuTLS and with OpenSSL — the owner's PSK, client certificates from a CA made here
 * with openssl, wrong keys, unknown identities, a rogue certificate, and a second client whose ACE grants first
 * RETRIEVE, then UPDATE.
 */
class SecurityIT {
    static final String OPENSSL_CLIENT = "/usr/bin/coap-client-openssl";
    @TempDir
    static Path tmp;
    static GatewayProcess gateway;
    static CoapClientCli gnutls;
    static CoapClientCli openssl;
    static Path pki;
    static String firstStartOutput;
    static UUID certSubject;

    @BeforeAll
    static void start() throws Exception {
        gnutls = new CoapClientCli(Files.createDirectories(tmp.resolve("gnutls")));
        openssl = new CoapClientCli(Files.createDirectories(tmp.resolve("openssl")), OPENSSL_CLIENT);
        Path home = tmp.resolve("home");
        gateway = new GatewayProcess(home).start();
        firstStartOutput = gateway.output();
        String di = Payloads.decode(gnutls.get(gateway.uri("/oic/d")).payload()).path("di").asText();
        gateway.stop();

        // a test CA, the device's identity certificate (CN uuid:<di>) and a client's, as an OBT would issue them
        pki = Files.createDirectories(tmp.resolve("pki"));
        certSubject = UUID.randomUUID();
        sh("openssl ecparam -name prime256v1 -genkey -noout -out ca.key",
                "openssl req -x509 -new -key ca.key -subj /CN=Test-OCF-CA -days 2 -out ca.pem",
                "openssl ecparam -name prime256v1 -genkey -noout -out device.key",
                "openssl req -new -key device.key -subj /CN=uuid:" + di + " -out device.csr",
                "openssl x509 -req -in device.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out device.pem",
                "openssl ecparam -name prime256v1 -genkey -noout -out client.key",
                "openssl req -new -key client.key -subj /CN=uuid:" + certSubject + " -out client.csr",
                "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out client.pem",
                "openssl ecparam -name prime256v1 -genkey -noout -out rogue.key",
                "openssl req -x509 -new -key rogue.key -subj /CN=uuid:" + certSubject + " -days 2 -out rogue.pem");
        gateway.coapConfig("host=127.0.0.1\nport=0\nsecurePort=0\nmulticast=false\n"
                + "certificate=" + pki.resolve("device.pem") + "\nprivateKey=" + pki.resolve("device.key")
                + "\ntrustAnchors=" + pki.resolve("ca.pem") + "\n");
        gateway.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void ownerCredentialIsMadeOnFirstStartToldOnceAndOwnerOnly() throws Exception {
        GatewayProcess.Owner owner = gateway.owner();
        Path file = gateway.home.resolve("data/credentials/owner.properties");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertTrue(owner.key().matches("[A-Za-z0-9]{32}"), owner.key());
        // the exact command, told on the first start only
        assertTrue(firstStartOutput.matches("(?s).*coap-client-gnutls -m get -u " + owner.identity() + " -k "
                + owner.key() + " coaps://127\\.0\\.0\\.1:\\d+/oic/sec/pstat.*"), firstStartOutput);
        assertFalse(gateway.output().contains(owner.key()), "the key is told once, not at every start");
        // rowneruuid is the owner, doxm shows an owned device
        JsonNode pstat = Payloads.decode(gnutls.get(gateway.uri("/oic/sec/pstat")).payload());
        assertEquals(owner.identity(), pstat.path("rowneruuid").asText());
        JsonNode doxm = Payloads.decode(gnutls.get(gateway.uri("/oic/sec/doxm")).payload());
        assertTrue(doxm.path("owned").asBoolean(), doxm.toString());
        assertEquals(owner.identity(), doxm.path("devowneruuid").asText());
        OcfSchemas.assertValid("oic.sec.doxm.swagger.json", "Doxm", doxm);
    }

    @Test
    void ownerReadsAndWritesWithGnuTlsAndOpenSslClients() throws Exception {
        for (CoapClientCli client : List.of(gnutls, openssl)) {
            CoapClientCli.Result get = client.get(gateway.uri("/oic/sec/pstat"));
            assertEquals("2.05", get.code(), get.log());
            // an owner-only write that changes nothing: om stays what it is
            int om = Payloads.decode(get.payload()).path("om").asInt();
            CoapClientCli.Result post = client.post(gateway.uri("/oic/sec/pstat"), Payloads.cbor(Map.of("om", om)));
            assertEquals("2.04", post.code(), post.log());
        }
    }

    @Test
    void plainCoapMayReadOnlyTheDiscoveryResources() throws Exception {
        for (String path : List.of("/oic/res", "/oic/d", "/oic/p")) {
            assertEquals("2.05", gnutls.get(gateway.plainUri(path)).code(), path);
        }
        for (String path : List.of("/oic/sec/pstat", "/oc/swu", "/oic/sec/acl2", "/oic/sec/cred", "/oic/sec/doxm")) {
            CoapClientCli.Result r = gnutls.get(gateway.plainUri(path));
            assertEquals("4.01", r.code(), path + ": " + r.log());
            assertTrue(r.diagnostic().contains("secure connection"), r.diagnostic());
        }
        byte[] before = gnutls.get(gateway.uri("/oic/sec/pstat")).payload();
        CoapClientCli.Result post = gnutls.post(gateway.plainUri("/oic/sec/pstat"), Payloads.cbor(Map.of("tm", 256)));
        assertEquals("4.01", post.code(), post.log());
        assertEquals(Payloads.decode(before), Payloads.decode(gnutls.get(gateway.uri("/oic/sec/pstat")).payload()));
    }

    @Test
    void wrongKeyAndUnknownIdentityGetNoSession() throws Exception {
        GatewayProcess.Owner owner = gateway.owner();
        String wrongKey = owner.key().substring(1) + (owner.key().charAt(0) == 'x' ? "y" : "x");
        for (CoapClientCli client : List.of(gnutls, openssl)) {
            CoapClientCli.Result wrong = client.get(gateway.secureUri("/oic/d", owner.identity(), wrongKey), "-B", "3");
            assertNull(wrong.code(), wrong.log());
            CoapClientCli.Result unknown = client.get(
                    gateway.secureUri("/oic/d", UUID.randomUUID().toString(), owner.key()), "-B", "3");
            assertNull(unknown.code(), unknown.log());
        }
        assertTrue(gateway.output().contains("DTLS handshake with /127.0.0.1:"), gateway.output());
    }

    @Test
    void clientCertificateOfTheTrustedCaIsItsSubjectUuid() throws Exception {
        for (CoapClientCli client : List.of(gnutls, openssl)) {
            String[] cert = {"-c", pki.resolve("client.pem").toString(), "-j", pki.resolve("client.key").toString(),
                    "-C", pki.resolve("ca.pem").toString()};
            CoapClientCli.Result d = client.get(gateway.secureUri("/oic/d", null, null), cert);
            assertEquals("2.05", d.code(), d.log());
            CoapClientCli.Result pstat = client.get(gateway.secureUri("/oic/sec/pstat", null, null), cert);
            assertEquals("4.01", pstat.code(), pstat.log());
            assertEquals("subject " + certSubject + " lacks RETRIEVE on /oic/sec/pstat", pstat.diagnostic());
        }
    }

    @Test
    void rogueSelfSignedCertificateIsRefused() throws Exception {
        for (CoapClientCli client : List.of(gnutls, openssl)) {
            CoapClientCli.Result r = client.get(gateway.secureUri("/oic/d", null, null), "-B", "3",
                    "-c", pki.resolve("rogue.pem").toString(), "-j", pki.resolve("rogue.key").toString(),
                    "-C", pki.resolve("ca.pem").toString());
            assertNull(r.code(), r.log());
        }
        // the handshake's failure is logged by Scandium's own thread, possibly after the client has given up
        for (int i = 0; i < 50 && !gateway.output().contains("Certificate chain could not be validated"); i++) {
            Thread.sleep(100);
        }
        assertTrue(gateway.output().contains("Certificate chain could not be validated"), gateway.output());
    }

    @Test
    void aceGrantsASecondClientRetrieveThenUpdateThenNothing() throws Exception {
        String id = UUID.randomUUID().toString();
        String key = "second-client-key-" + UUID.randomUUID().toString().substring(0, 8);
        provisionPsk(id, key);
        String pstatUri = gateway.secureUri("/oic/sec/pstat", id, key);
        CoapClientCli.Result none = gnutls.get(pstatUri);
        assertEquals("4.01", none.code(), none.log());

        int aceid = addAce(id, "/oic/sec/pstat", 2);
        assertEquals("2.05", gnutls.get(pstatUri).code());
        CoapClientCli.Result write = gnutls.post(pstatUri, Payloads.cbor(Map.of("tm", 256)));
        assertEquals("4.01", write.code(), write.log());
        assertEquals("subject " + id + " lacks UPDATE on /oic/sec/pstat", write.diagnostic());

        // the same aceid again replaces the entry: now RETRIEVE + UPDATE
        postAcl(Map.of("aclist2", List.of(ace(aceid, id, "/oic/sec/pstat", 6))));
        CoapClientCli.Result check = gnutls.post(pstatUri, Payloads.cbor(Map.of("tm", 256)));
        assertEquals("2.04", check.code(), check.log());
        // a maintenance client never writes dos, om or rowneruuid
        CoapClientCli.Result dos = gnutls.post(pstatUri, Payloads.cbor(Map.of("dos", Map.of("s", 3))));
        assertEquals("4.01", dos.code(), dos.log());
        CoapClientCli.Result om = gnutls.post(pstatUri, Payloads.cbor(Map.of("om", 4)));
        assertEquals("4.01", om.code(), om.log());

        CoapClientCli.Result delete = gnutls.send("delete", gateway.uri("/oic/sec/acl2?aceid=" + aceid), null, null);
        assertEquals("2.02", delete.code(), delete.log());
        assertEquals("4.01", gnutls.get(pstatUri).code());
    }

    @Test
    void removedAceCancelsTheObservationAtOnce() throws Exception {
        String id = UUID.randomUUID().toString();
        String key = "observer-key-" + UUID.randomUUID();
        provisionPsk(id, key);
        int aceid = addAce(id, "/oic/sec/pstat", 2);
        CoapClientCli.Running observer = gnutls.observe(gateway.secureUri("/oic/sec/pstat", id, key), 30);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (observer.payloadSoFar().length == 0 && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertTrue(observer.payloadSoFar().length > 0, "no first notification");
        long removed = System.nanoTime();
        assertEquals("2.02", gnutls.send("delete", gateway.uri("/oic/sec/acl2?aceid=" + aceid), null, null).code());
        // the observer learns at once: a final 4.01 notification (libcoap prints it on stderr, then waits out -s)
        long deadline = removed + TimeUnit.SECONDS.toNanos(10);
        java.util.regex.Pattern unauthorized = java.util.regex.Pattern.compile("(?m)^4\\.01\\b");
        while (!unauthorized.matcher(observer.stderrSoFar()).find() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - removed);
        String stderr = observer.stderrSoFar();
        observer.kill();
        assertTrue(unauthorized.matcher(stderr).find(), stderr);
        assertTrue(millis < 5000, "the 4.01 notification came " + millis + " ms after the ACE was removed");
        assertTrue(gateway.output().contains("Observation of /oic/sec/pstat by subject " + id + " cancelled"));
    }

    @Test
    void removedCredentialEndsItsSessionsAtOnce() throws Exception {
        String id = UUID.randomUUID().toString();
        String key = "session-key-" + UUID.randomUUID();
        provisionPsk(id, key);
        addAce(id, "/oic/sec/pstat", 2);
        int credid = -1;
        for (JsonNode c : Payloads.decode(gnutls.get(gateway.uri("/oic/sec/cred")).payload()).path("creds")) {
            if (c.path("subjectuuid").asText().equals(id)) {
                credid = c.path("credid").asInt();
            }
        }
        // one long-lived client (Californium + Scandium): one handshake, then requests in the session
        org.eclipse.californium.core.CoapClient client = new org.eclipse.californium.core.CoapClient(
                gateway.secureUri("/oic/sec/pstat", null, null)).setTimeout(3000L);
        client.setEndpoint(GatewayProcess.dtlsEndpoint(id, key));
        try {
            assertEquals(org.eclipse.californium.core.coap.CoAP.ResponseCode.CONTENT, client.get().getCode());
            assertEquals("2.02", gnutls.send("delete", gateway.uri("/oic/sec/cred?credid=" + credid), null, null).code());
            // the session is gone: the client's next request needs a new handshake, which its key no longer opens
            assertNull(client.get(), "answered in a session whose credential was removed");
            assertTrue(gateway.output().contains("DTLS session of " + id + " ended: its credential was removed"),
                    gateway.output());
        } finally {
            client.getEndpoint().destroy();
            client.shutdown();
        }
    }

    @Test
    void badAclAndCredentialWritesAreRefusedAndChangeNothing() throws Exception {
        byte[] before = gnutls.get(gateway.uri("/oic/sec/acl2")).payload();
        List<Map<String, Object>> bad = List.of(
                Map.of("aclist2", List.of(Map.of("subject", Map.of("uuid", "nope"), "resources",
                        List.of(Map.of("href", "/x")), "permission", 2))),
                Map.of("aclist2", List.of(Map.of("subject", Map.of("conntype", "auth-crypt"), "resources",
                        List.of(Map.of("href", "/x")), "permission", 32))),
                Map.of("aclist2", List.of(Map.of("subject", Map.of("role", "admin"), "resources",
                        List.of(Map.of("wc", "*")), "permission", 2))),
                Map.of("aclist2", "not a list"),
                Map.of("rowneruuid", UUID.randomUUID().toString(), "aclist2", List.of()));
        for (Map<String, Object> body : bad) {
            CoapClientCli.Result r = gnutls.post(gateway.uri("/oic/sec/acl2"), Payloads.cbor(body));
            assertEquals("4.00", r.code(), body + ": " + r.log());
            assertFalse(r.diagnostic().isBlank(), r.log());
        }
        assertEquals(Payloads.decode(before), Payloads.decode(gnutls.get(gateway.uri("/oic/sec/acl2")).payload()));
        CoapClientCli.Result shortKey = gnutls.post(gateway.uri("/oic/sec/cred"), Payloads.cbor(Map.of("creds",
                List.of(Map.of("subjectuuid", UUID.randomUUID().toString(), "credtype", 1, "privatedata",
                        Map.of("data", "short", "encoding", "oic.sec.encoding.raw"))))));
        assertEquals("4.00", shortKey.code(), shortKey.log());
        assertEquals("a pre-shared key must be 16..64 bytes, not 5", shortKey.diagnostic());
    }

    @Test
    void floodOfBadHandshakesFromOnePortDoesNotStopOtherClients() throws Exception {
        GatewayProcess.Owner owner = gateway.owner();
        String port = String.valueOf(GatewayProcess.freeUdpPort());
        for (int i = 0; i < 6; i++) {
            gnutls.get(gateway.secureUri("/oic/d", owner.identity(), "wrong-key-wrong-key-wrong-key-00"), "-B", "2",
                    "-p", port);
        }
        assertTrue(gateway.output().contains("ignored for 60 s after 5 failed or incomplete handshakes"),
                gateway.output());
        // that port is ignored now, even with the right key; any other port is served
        CoapClientCli.Result blocked = gnutls.get(gateway.uri("/oic/sec/pstat"), "-B", "2", "-p", port);
        assertNull(blocked.code(), blocked.log());
        CoapClientCli.Result other = gnutls.get(gateway.uri("/oic/sec/pstat"));
        assertEquals("2.05", other.code(), other.log());
    }

    @Test
    void freshFullHandshakeEvery100msIsNeverThrottled() throws Exception {
        String port = String.valueOf(GatewayProcess.freeUdpPort());
        for (int i = 0; i < 25; i++) {
            CoapClientCli.Result r = gnutls.get(gateway.uri("/oic/sec/pstat"), "-p", port);
            assertEquals("2.05", r.code(), "handshake " + i + ": " + r.log());
            Thread.sleep(100);
        }
    }

    private static void provisionPsk(String id, String key) throws Exception {
        CoapClientCli.Result r = gnutls.post(gateway.uri("/oic/sec/cred"), Payloads.cbor(Map.of("creds", List.of(
                Map.of("subjectuuid", id, "credtype", 1, "privatedata",
                        Map.of("data", key, "encoding", "oic.sec.encoding.raw"))))));
        assertEquals("2.04", r.code(), r.log());
        JsonNode creds = Payloads.decode(gnutls.get(gateway.uri("/oic/sec/cred")).payload());
        OcfSchemas.assertValid("oic.sec.cred.swagger.json", "Cred", creds);
        assertFalse(creds.toString().contains(key), "private data is never read back: " + creds);
    }

    private static int addAce(String id, String href, int permission) throws Exception {
        JsonNode before = Payloads.decode(gnutls.get(gateway.uri("/oic/sec/acl2")).payload());
        postAcl(Map.of("aclist2", List.of(Map.of("subject", Map.of("uuid", id), "resources",
                List.of(Map.of("href", href)), "permission", permission))));
        JsonNode after = Payloads.decode(gnutls.get(gateway.uri("/oic/sec/acl2")).payload());
        OcfSchemas.assertValid("oic.sec.acl2.swagger.json", "Acl2", after);
        assertEquals(before.path("aclist2").size() + 1, after.path("aclist2").size(), after.toString());
        for (JsonNode ace : after.path("aclist2")) {
            if (ace.path("subject").path("uuid").asText().equals(id)) {
                return ace.path("aceid").asInt();
            }
        }
        throw new AssertionError("ACE for " + id + " not listed: " + after);
    }

    private static void postAcl(Map<String, Object> body) throws Exception {
        CoapClientCli.Result r = gnutls.post(gateway.uri("/oic/sec/acl2"), Payloads.cbor(body));
        assertEquals("2.04", r.code(), r.log());
    }

    private static Map<String, Object> ace(int aceid, String id, String href, int permission) {
        return Map.of("aceid", aceid, "subject", Map.of("uuid", id), "resources", List.of(Map.of("href", href)),
                "permission", permission);
    }

    private static void sh(String... commands) throws Exception {
        for (String c : commands) {
            Process p = new ProcessBuilder(c.split(" ")).directory(pki.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), c + ": " + out);
        }
    }
}
