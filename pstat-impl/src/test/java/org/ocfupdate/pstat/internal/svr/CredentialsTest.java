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
}
