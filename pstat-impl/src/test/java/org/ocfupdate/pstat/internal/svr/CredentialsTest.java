package org.ocfupdate.pstat.internal.svr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

class CredentialsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path data;

    @Test
    void ownerKeyIsMadeOnceOwnerOnlyAndToldOnce() throws Exception {
        UUID owner = UUID.randomUUID();
        Credentials c = new Credentials(data, owner, null);
        Path file = data.resolve("credentials/owner.properties");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        Properties p = new Properties();
        p.load(Files.newInputStream(file));
        assertEquals(owner.toString(), p.getProperty("identity"));
        assertTrue(p.getProperty("key").matches("[A-Za-z0-9]{32}"), p.getProperty("key"));
        assertEquals(p.getProperty("key"), c.takeFreshOwnerKey().orElseThrow().key());
        assertTrue(c.takeFreshOwnerKey().isEmpty(), "told once");
        assertArrayEquals(p.getProperty("key").getBytes(StandardCharsets.US_ASCII), c.psk(owner).orElseThrow());

        Credentials again = new Credentials(data, owner, null);
        assertTrue(again.takeFreshOwnerKey().isEmpty(), "not made again at the next start");
        assertArrayEquals(c.psk(owner).orElseThrow(), again.psk(owner).orElseThrow());
    }

    @Test
    void aNewOwnerAfterAResetGetsANewKey() throws Exception {
        UUID first = UUID.randomUUID();
        Credentials c = new Credentials(data, first, null);
        c.takeFreshOwnerKey();
        UUID second = UUID.randomUUID();
        c.pstatChanged(new org.ocfupdate.pstat.api.Pstat(org.ocfupdate.pstat.api.DeviceOnboardingState.RFNOP, false,
                true, 0, 0, 4, 4, second, org.ocfupdate.pstat.api.UpdateState.IDLE));
        assertTrue(c.psk(first).isEmpty(), "the old owner's key is gone");
        assertTrue(c.psk(second).isPresent());
        assertEquals(second, c.takeFreshOwnerKey().orElseThrow().identity());
    }

    @Test
    void credentialsPersistAndPrivateDataIsNeverShown() throws Exception {
        Credentials c = new Credentials(data, UUID.randomUUID(), null);
        UUID client = UUID.randomUUID();
        c.add(List.of(Cred.parse(JSON.readTree("{\"subjectuuid\":\"" + client
                + "\",\"credtype\":1,\"privatedata\":{\"data\":\"0123456789abcdef\",\"encoding\":\"oic.sec.encoding.raw\"}}"))));
        Credentials reloaded = new Credentials(data, UUID.randomUUID(), null);
        assertArrayEquals("0123456789abcdef".getBytes(StandardCharsets.US_ASCII), reloaded.psk(client).orElseThrow());
        assertFalse(reloaded.creds().get(0).toMap(false).toString().contains("0123456789abcdef"));
        assertTrue(reloaded.remove(1));
        assertTrue(new Credentials(data, UUID.randomUUID(), null).psk(client).isEmpty());
    }

    @Test
    void unsupportedOrInvalidCredentialsAreRefused() {
        String[] bad = {
            "{\"subjectuuid\":\"*\",\"credtype\":1,\"privatedata\":{\"data\":\"0123456789abcdef\",\"encoding\":\"oic.sec.encoding.raw\"}}",
            "{\"subjectuuid\":\"" + UUID.randomUUID() + "\",\"credtype\":1,\"privatedata\":{\"data\":\"short\",\"encoding\":\"oic.sec.encoding.raw\"}}",
            "{\"subjectuuid\":\"" + UUID.randomUUID() + "\",\"credtype\":1,\"privatedata\":{\"data\":\"!!\",\"encoding\":\"oic.sec.encoding.base64\"}}",
            "{\"subjectuuid\":\"" + UUID.randomUUID() + "\",\"credtype\":2}",
            "{\"subjectuuid\":\"*\",\"credtype\":8,\"credusage\":\"oic.sec.cred.trustca\",\"publicdata\":{\"data\":\"not pem\"}}",
            "{\"credtype\":1}",
        };
        for (String json : bad) {
            assertThrows(IllegalArgumentException.class, () -> Cred.parse(JSON.readTree(json)), json);
        }
    }
    static Cred psk(UUID subject, String key) throws Exception {
        return Cred.parse(JSON.readTree("{\"subjectuuid\":\"" + subject + "\",\"credtype\":1,\"privatedata\":{\"data\":\""
                + key + "\",\"encoding\":\"oic.sec.encoding.raw\"}}"));
    }

    static final Cred TRUST_ANCHOR = new Cred(0, "*", Cred.CERTIFICATE, Cred.TRUST_CA, null, "-----BEGIN CERTIFICATE-----");

    @Test
    void aNonOwnerCannotSetTheOwnersKeyNorATrustAnchor() throws Exception {
        UUID owner = UUID.randomUUID();
        Credentials c = new Credentials(data, owner, null);
        byte[] ownerKey = c.psk(owner).orElseThrow();
        SvrRefusedException e = assertThrows(SvrRefusedException.class,
                () -> c.add(List.of(psk(owner, "attacker-key-attacker-key")), false));
        assertEquals(SvrRefusedException.Reason.NOT_OWNER, e.reason());
        assertEquals("only the owner may set the credential of the owner " + owner, e.getMessage());
        assertArrayEquals(ownerKey, c.psk(owner).orElseThrow(), "the owner's key is unchanged");
        assertTrue(c.creds().isEmpty());
        // nor hidden among other entries: all or nothing
        assertThrows(SvrRefusedException.class, () -> c.add(List.of(psk(UUID.randomUUID(), "another-client-key"),
                psk(owner, "attacker-key-attacker-key")), false));
        assertTrue(c.creds().isEmpty());

        SvrRefusedException ca = assertThrows(SvrRefusedException.class, () -> c.add(List.of(TRUST_ANCHOR), false));
        assertEquals(SvrRefusedException.Reason.NOT_OWNER, ca.reason());
        assertEquals("only the owner may provision trust anchors", ca.getMessage());
        assertTrue(c.creds().isEmpty());

        // other subjects' keys are what UPDATE on /oic/sec/cred grants
        UUID client = UUID.randomUUID();
        c.add(List.of(psk(client, "maintenance-client-key")), false);
        assertArrayEquals("maintenance-client-key".getBytes(StandardCharsets.US_ASCII), c.psk(client).orElseThrow());
    }

    @Test
    void aNonOwnerCannotRemoveOrReplaceTheOwnersKeyOrATrustAnchor() throws Exception {
        UUID first = UUID.randomUUID();
        UUID next = UUID.randomUUID();
        Credentials c = new Credentials(data, first, null);
        // an owner transfer to a client that already has a key: that key is now the owner's credential
        c.add(List.of(psk(next, "next-owner-key-0123"), TRUST_ANCHOR));
        c.pstatChanged(new org.ocfupdate.pstat.api.Pstat(org.ocfupdate.pstat.api.DeviceOnboardingState.RFNOP, false,
                true, 0, 0, 4, 4, next, org.ocfupdate.pstat.api.UpdateState.IDLE));
        int ownersId = c.creds().get(0).credid();
        int anchorId = c.creds().get(1).credid();
        for (Integer id : new Integer[] {ownersId, anchorId, null}) {
            assertThrows(SvrRefusedException.class, () -> c.remove(id, false), "credid " + id);
        }
        assertThrows(SvrRefusedException.class, () -> c.add(List.of(psk(UUID.randomUUID(), "takes-over-the-entry")
                .withId(ownersId)), false));
        assertEquals(2, c.creds().size());
        assertArrayEquals("next-owner-key-0123".getBytes(StandardCharsets.US_ASCII), c.psk(next).orElseThrow());

        // the owner itself cannot remove its own key (it would lock itself out); "all" leaves it
        SvrRefusedException own = assertThrows(SvrRefusedException.class, () -> c.remove(ownersId, true));
        assertEquals(SvrRefusedException.Reason.FORBIDDEN, own.reason());
        assertTrue(c.remove(null, true));
        assertEquals(List.of(ownersId), c.creds().stream().map(Cred::credid).toList());
    }

    @Test
    void theOwnerReplacesItsKeyInOwnerProperties() throws Exception {
        UUID owner = UUID.randomUUID();
        Credentials c = new Credentials(data, owner, null);
        assertEquals(List.of(), c.add(List.of(psk(owner, "the-owners-new-key-42")), true));
        assertArrayEquals("the-owners-new-key-42".getBytes(StandardCharsets.US_ASCII), c.psk(owner).orElseThrow());
        assertTrue(c.creds().isEmpty(), "one place for the owner's key");
        Properties p = new Properties();
        p.load(Files.newInputStream(data.resolve("credentials/owner.properties")));
        assertEquals(owner.toString(), p.getProperty("identity"));
        assertEquals("the-owners-new-key-42", p.getProperty("key"), "the operator finds the working key");
        assertArrayEquals("the-owners-new-key-42".getBytes(StandardCharsets.US_ASCII),
                new Credentials(data, owner, null).psk(owner).orElseThrow(), "and so does the next start");

        // a key the file cannot hold, a credid, or other entries alongside: refused, nothing changed
        Cred binary = Cred.parse(JSON.readTree("{\"subjectuuid\":\"" + owner + "\",\"credtype\":1,\"privatedata\":"
                + "{\"data\":\"AAECAwQFBgcICQoLDA0ODw==\",\"encoding\":\"oic.sec.encoding.base64\"}}"));
        assertThrows(IllegalArgumentException.class, () -> c.add(List.of(binary), true));
        SvrRefusedException withId = assertThrows(SvrRefusedException.class,
                () -> c.add(List.of(psk(owner, "with-a-credid-key").withId(7)), true));
        assertEquals(SvrRefusedException.Reason.FORBIDDEN, withId.reason());
        assertThrows(IllegalArgumentException.class,
                () -> c.add(List.of(psk(owner, "the-owners-newer-key"), psk(UUID.randomUUID(), "other-client-key")), true));
        assertArrayEquals("the-owners-new-key-42".getBytes(StandardCharsets.US_ASCII), c.psk(owner).orElseThrow());
        assertTrue(c.creds().isEmpty());
    }

    @Test
    void anEntryInTheListNeverShadowsTheKeyOfOwnerProperties() throws Exception {
        UUID owner = UUID.randomUUID();
        Credentials c = new Credentials(data, owner, null);
        byte[] ownerKey = c.psk(owner).orElseThrow();
        Files.createDirectories(data.resolve("svr"));
        // as a store written before this rule could hold it
        new org.ocfupdate.gateway.support.AtomicStore(data.resolve("svr"), "cred.json").save(JSON.writeValueAsBytes(
                java.util.Map.of("creds", List.of(psk(owner, "planted-key-planted-key").withId(1).toMap(true)))));
        assertArrayEquals(ownerKey, new Credentials(data, owner, null).psk(owner).orElseThrow());
    }
}
