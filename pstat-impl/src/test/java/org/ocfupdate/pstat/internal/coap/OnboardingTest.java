package org.ocfupdate.pstat.internal.coap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.pstat.api.DeviceOnboardingState;
import org.ocfupdate.pstat.api.PstatChange;
import org.ocfupdate.pstat.api.PstatRefusedException;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.internal.Pstats;
import org.ocfupdate.pstat.internal.svr.AccessControl;
import org.ocfupdate.pstat.internal.svr.Ace;
import org.ocfupdate.pstat.internal.svr.Cred;
import org.ocfupdate.pstat.internal.svr.Credentials;
import org.ocfupdate.pstat.internal.svr.SvrState;
import org.ocfupdate.pstat.internal.svr.SvrStore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The ownership-transfer rules (docs/onboarding.md), on the real SVR store, pstat state machine and credentials. */
class OnboardingTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final UUID TOOL = UUID.fromString("11111111-2222-3333-4444-555555555555");
    static final UUID NEW_DI = UUID.fromString("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    static final byte[] KEY_BLOCK = new byte[96];

    @TempDir
    Path dir;
    SvrStore store;
    PstatService pstat;
    Credentials credentials;
    Onboarding onboarding;

    @BeforeEach
    void start() throws Exception {
        store = new SvrStore(dir.resolve("svr"), "1.0.0", true);
        pstat = Pstats.create(store, dir);
        credentials = new Credentials(dir, store, pstat);
        onboarding = new Onboarding(store, pstat, Pstats.core(pstat), "", null, null);
    }

    @AfterEach
    void stop() throws Exception {
        Pstats.stop(pstat);
    }

    static JsonNode json(String text) throws Exception {
        return JSON.readTree(text.replace('\'', '"'));
    }

    static Peer transfer(int oxm) {
        return new Peer(true, null, oxm, KEY_BLOCK);
    }

    void refused(ResponseCode code, String body, Peer peer) throws Exception {
        SvrState before = store.state();
        Onboarding.Refusal r = assertThrows(Onboarding.Refusal.class, () -> onboarding.writeDoxm(json(body), peer));
        assertEquals(code, r.code(), r.getMessage());
        assertEquals(before, store.state(), "nothing changed");
    }

    void pstatRefused(PstatChange change) {
        SvrState before = store.state();
        assertThrows(PstatRefusedException.class, () -> pstat.update(change, true));
        assertEquals(before, store.state(), "nothing changed");
    }

    @Test
    void aFactoryNewDeviceWaitsInRfotmWithoutOwnerOrOwnerCredential() {
        assertEquals(DeviceOnboardingState.RFOTM, pstat.current().dos());
        assertFalse(pstat.current().isop());
        assertEquals(2, pstat.current().cm());
        Map<String, Object> doxm = onboarding.doxm();
        assertEquals(false, doxm.get("owned"));
        assertEquals(SvrState.NIL.toString(), doxm.get("devowneruuid"));
        assertEquals(List.of(0, 1), doxm.get("oxms"));
        assertEquals(SvrState.NO_OXM, doxm.get("oxmsel"));
        assertEquals(TransferSecurity.NONE, onboarding.transferOxm(), "no transfer handshake while oxmsel is 4");
        assertFalse(Files.exists(credentials.ownerFile()), "no owner credential made");
        assertTrue(credentials.takeFreshOwnerKey().isEmpty(), "none to tell");
    }

    /**
     * doxm's write and the state machine's writes of the SVR state never undo each other: both run on the machine's
     * thread. Before, doxm read the state on a CoAP thread while a pstat write was being saved, and its own save then
     * put the older rowneruuid back.
     */
    @Test
    void aDoxmWriteNeverUndoesAPstatWriteMadeMeanwhile() throws Exception {
        java.util.concurrent.atomic.AtomicInteger committed = new java.util.concurrent.atomic.AtomicInteger(-1);
        java.util.concurrent.atomic.AtomicReference<String> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < 200 && failure.get() == null; i++) {
                    pstat.update(new PstatChange(null, null, null, new UUID(7, i)), true);
                    committed.set(i);
                }
            } catch (Exception e) {
                failure.compareAndSet(null, "pstat write failed: " + e);
            }
        }, "pstat-writer");
        writer.start();
        int doxmWrites = 0;
        while (writer.isAlive() && failure.get() == null) {
            onboarding.writeDoxm(json("{'oxmsel': 0}"), Peer.PLAIN);
            doxmWrites++;
            int c = committed.get(); // before the state: the writer only counts up
            UUID r = store.state().rowneruuid();
            if (c >= 0 && (r.getMostSignificantBits() != 7 || r.getLeastSignificantBits() < c)) {
                failure.compareAndSet(null, "rowneruuid " + r + " after the pstat write of " + new UUID(7, c)
                        + " was saved: a doxm write undid it (" + doxmWrites + " doxm writes)");
            }
        }
        writer.join();
        assertEquals(null, failure.get());
        assertTrue(doxmWrites > 5, "the two writers overlapped: " + doxmWrites + " doxm writes");
    }

    @Test
    void plainCoapMayChooseOnlyAnOfferedOxmsel() throws Exception {
        refused(ResponseCode.UNAUTHORIZED, "{'owned': true}", Peer.PLAIN);
        refused(ResponseCode.UNAUTHORIZED, "{'oxmsel': 0, 'devowneruuid': '" + TOOL + "'}", Peer.PLAIN);
        refused(ResponseCode.BAD_REQUEST, "{'oxmsel': 2}", Peer.PLAIN);
        refused(ResponseCode.BAD_REQUEST, "{'oxms': [0]}", Peer.PLAIN);
        onboarding.writeDoxm(json("{'oxmsel': 0}"), Peer.PLAIN);
        assertEquals(0, onboarding.transferOxm());
        assertNull(onboarding.randomPinPsk());
    }

    @Test
    void eachRandomPinChoiceMakesANewPinOnStdoutAndItsPsk() throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            onboarding.writeDoxm(json("{'oxmsel': 1}"), Peer.PLAIN);
            onboarding.writeDoxm(json("{'oxmsel': 1}"), Peer.PLAIN);
        } finally {
            System.setOut(out);
        }
        Matcher m = Pattern.compile("PIN (\\d{8})").matcher(captured.toString(StandardCharsets.UTF_8));
        assertTrue(m.find(), captured.toString());
        assertTrue(m.find(), "a second line for the second write");
        String pin = m.group(1);
        assertEquals(1, onboarding.transferOxm());
        assertEquals(pin, onboarding.waitingPin().orElseThrow());
        assertArrayEquals(OwnerPsk.randomPin(pin, store.state().di()), onboarding.randomPinPsk());
    }

    @Test
    void theOrdinarySessionOrAnotherStateWritesNoDoxm() throws Exception {
        onboarding.writeDoxm(json("{'oxmsel': 0}"), Peer.PLAIN);
        refused(ResponseCode.BAD_REQUEST, "{'oxmsel': 1}", transfer(0));
        refused(ResponseCode.BAD_REQUEST, "{'owned': true}", new Peer(true, TOOL));
        refused(ResponseCode.BAD_REQUEST, "{'deviceuuid': 'not-a-uuid'}", transfer(0));
    }

    @Test
    void rfproAndRfnopNeedOwnedAndTheOwnersIdentities() throws Exception {
        pstatRefused(new PstatChange(DeviceOnboardingState.RFNOP, null, null, null));
        pstatRefused(new PstatChange(DeviceOnboardingState.RFPRO, null, null, null));
        onboarding.writeDoxm(json("{'oxmsel': 0}"), Peer.PLAIN);
        onboarding.writeDoxm(json("{'owned': true}"), transfer(0));
        // owned, but devowneruuid and rowneruuid are still nil
        pstatRefused(new PstatChange(DeviceOnboardingState.RFPRO, null, null, null));
        pstatRefused(new PstatChange(DeviceOnboardingState.SRESET, null, null, null));
    }

    /** Steps 3-15 of the Just-Works table, in order. */
    @Test
    void justWorksTransferInOrder() throws Exception {
        AccessControl acl = new AccessControl(dir.resolve("svr"), store);
        onboarding.writeDoxm(json("{'oxmsel': 0}"), Peer.PLAIN);
        Peer session = transfer(onboarding.transferOxm());
        pstat.update(new PstatChange(null, null, 4, null), true); // 3
        onboarding.writeDoxm(json("{'devowneruuid': '" + TOOL + "'}"), session); // 4
        onboarding.writeDoxm(json("{'deviceuuid': '" + NEW_DI + "'}"), session); // 5
        onboarding.writeDoxm(json("{'rowneruuid': '" + TOOL + "'}"), session); // 6
        assertEquals(TOOL, pstat.current().rowneruuid());
        assertEquals(TOOL, acl.owner());
        // 9: the owner credential with an empty key, derived by the device
        byte[] derived = OwnerPsk.derive(KEY_BLOCK, 0, TOOL, NEW_DI);
        credentials.add(List.of(new Cred(0, TOOL.toString(), Cred.PSK, null, derived, null)), true);
        assertArrayEquals(derived, credentials.psk(TOOL).orElseThrow());
        assertFalse(Files.exists(credentials.ownerFile()), "the tool's key is in the credential list");
        onboarding.writeDoxm(json("{'owned': true}"), session); // 11
        pstat.update(new PstatChange(DeviceOnboardingState.RFPRO, null, null, null), true); // 12
        assertFalse(pstat.current().isop());
        assertEquals(0, pstat.current().cm());
        refused(ResponseCode.BAD_REQUEST, "{'owned': false}", session); // doxm is closed outside RFOTM
        acl.add(List.of(Ace.parse(json("{'subject': {'uuid': '" + TOOL + "'}, 'resources': [{'href': '/oic/sec/sp'}],"
                + " 'permission': 14}")), Ace.parse(json("{'subject': {'uuid': '" + TOOL + "'}, 'resources': [{'href': "
                + "'/oic/sec/csr'}], 'permission': 2}")))); // 14
        pstat.update(new PstatChange(DeviceOnboardingState.RFNOP, null, null, null), true); // 15
        assertTrue(pstat.current().isop());
        assertEquals(TransferSecurity.NONE, onboarding.transferOxm());
        refused(ResponseCode.BAD_REQUEST, "{'oxmsel': 1}", Peer.PLAIN); // oxmsel outside RFOTM
        refused(ResponseCode.BAD_REQUEST, "{'oxmsel': 1}", new Peer(true, TOOL)); // even by the owner

        SvrStore again = new SvrStore(dir.resolve("svr"), "1.0.0", true);
        assertEquals(NEW_DI, again.state().di(), "the new identity is kept");
        assertEquals(TOOL, again.state().devowneruuid());
        assertTrue(again.state().owned());
        assertEquals(DeviceOnboardingState.RFNOP, again.state().dos());
        assertArrayEquals(derived, new Credentials(dir, again, null).psk(TOOL).orElseThrow());
    }

    @Test
    void aResetReturnsToRfotmAndTheOldOwnerKeyOpensNothing() throws Exception {
        justWorksTransferInOrder();
        pstat.update(new PstatChange(DeviceOnboardingState.RESET, null, null, null), true);
        assertEquals(DeviceOnboardingState.RFOTM, pstat.current().dos());
        assertFalse(store.state().owned());
        assertEquals(SvrState.NO_OXM, store.state().oxmsel());
        assertEquals(NEW_DI, store.state().di(), "the identity stays");
        assertTrue(credentials.takeFreshOwnerKey().isEmpty(), "no owner key made");
        assertNotNull(onboarding.doxm());
    }

    /** A test CA (EC P-256) and a manufacturer certificate it issued, with their keys, made with openssl. */
    Path manufacturerPki() throws Exception {
        Path pki = Files.createDirectories(dir.resolve("pki"));
        for (String cmd : List.of("openssl ecparam -name prime256v1 -genkey -noout -out ca.key",
                "openssl req -x509 -new -key ca.key -subj /CN=Test-Manufacturer-CA -days 2 -out ca.pem",
                "openssl ecparam -name prime256v1 -genkey -noout -out mfg.key",
                "openssl req -new -key mfg.key -subj /CN=Test-Device -out mfg.csr",
                "openssl x509 -req -in mfg.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out mfg.pem")) {
            Process p = new ProcessBuilder(cmd.split(" ")).directory(pki.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), cmd + ": " + out);
        }
        return pki;
    }

    @Test
    void aUsableManufacturerCertificateOffersTheCertificateMethod() throws Exception {
        Path pki = manufacturerPki();
        assertEquals(List.of(0, 1, 2), new Onboarding(store, pstat, Pstats.core(pstat), "", pki.resolve("mfg.pem"),
                pki.resolve("mfg.key")).oxms());
        assertEquals(List.of(0, 2), new Onboarding(store, pstat, Pstats.core(pstat), "2,0", pki.resolve("mfg.pem"),
                pki.resolve("mfg.key")).oxms());
    }

    /** Missing file, unreadable content, a key that is not the certificate's (the CA's): path pairs by case. */
    Map<String, Path[]> unusable(Path pki) throws Exception {
        Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
        return Map.of("no file " + pki.resolve("missing.pem"),
                new Path[] {pki.resolve("missing.pem"), pki.resolve("mfg.key")},
                dir.resolve("garbage.pem").toString(), new Path[] {dir.resolve("garbage.pem"), pki.resolve("mfg.key")},
                "the private key does not belong to the certificate",
                new Path[] {pki.resolve("mfg.pem"), pki.resolve("ca.key")});
    }

    @Test
    void aManufacturerCertificateThatCannotServeAHandshakeIsNotOffered() throws Exception {
        for (Map.Entry<String, Path[]> c : unusable(manufacturerPki()).entrySet()) {
            for (String oxms : List.of("", "0,1,2")) {
                assertEquals(List.of(0, 1), new Onboarding(store, pstat, Pstats.core(pstat), oxms, c.getValue()[0], c.getValue()[1])
                        .oxms(), c.getKey());
            }
        }
        Path pki = dir.resolve("pki");
        assertEquals(List.of(0, 1), new Onboarding(store, pstat, Pstats.core(pstat), "0,1,2", pki.resolve("mfg.pem"), null).oxms());
        assertEquals(List.of(1), new Onboarding(store, pstat, Pstats.core(pstat), "1,2", null, null).oxms(), "2 left out, no failure");
    }

    @Test
    void theCheckSaysWhyAManufacturerCertificateIsUnusable() throws Exception {
        Path pki = manufacturerPki();
        assertNull(TransferCertificateProvider.check(pki.resolve("mfg.pem"), pki.resolve("mfg.key")));
        for (Map.Entry<String, Path[]> c : unusable(pki).entrySet()) {
            String problem = TransferCertificateProvider.check(c.getValue()[0], c.getValue()[1]);
            assertTrue(problem != null && problem.contains(c.getKey()), c.getKey() + " <> " + problem);
        }
    }
}
