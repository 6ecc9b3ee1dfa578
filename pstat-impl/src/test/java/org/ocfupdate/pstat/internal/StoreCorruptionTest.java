package org.ocfupdate.pstat.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.pstat.api.DeviceOnboardingState;
import org.ocfupdate.update.engine.internal.History;
import org.ocfupdate.gateway.support.AtomicStore;
import org.ocfupdate.pstat.internal.svr.AccessControl;
import org.ocfupdate.pstat.internal.svr.Ace;
import org.ocfupdate.pstat.internal.svr.Cred;
import org.ocfupdate.pstat.internal.svr.Credentials;
import org.ocfupdate.pstat.internal.svr.ResourceStoreImpl;
import org.ocfupdate.pstat.internal.svr.SvrStore;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Every user of {@link AtomicStore} starts from the previous generation when the newest one is damaged — one
 * character of its header, or a body that is intact but not a document of that store — and sets it aside.
 */
class StoreCorruptionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path data;

    /** One character of the header's length field becomes a letter (what a NumberFormatException came from). */
    static Path damageNewestHeader(Path dir, String name) throws IOException {
        Path newest = newest(dir, name);
        String text = Files.readString(newest, UTF_8);
        int lengthField = text.indexOf(' ', "ocf-store 1 ".length()) + 1;
        Files.writeString(newest, text.substring(0, lengthField) + "x" + text.substring(lengthField + 1), UTF_8);
        return newest;
    }

    static Path newest(Path dir, String name) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches(java.util.regex.Pattern.quote(name) + "\\.\\d+"))
                    .max(Path::compareTo).orElseThrow();
        }
    }

    static void assertSetAside(Path file) {
        assertTrue(Files.exists(file.resolveSibling(file.getFileName() + ".corrupt")), file + " set aside");
    }

    @Test
    void svrState() throws IOException {
        Path dir = data.resolve("svr");
        SvrStore first = new SvrStore(dir, "1.0.0");
        first.save(first.state().withDos(DeviceOnboardingState.RFPRO));
        Path damaged = damageNewestHeader(dir, "svr.json");
        SvrStore again = new SvrStore(dir, "1.0.0");
        assertEquals(DeviceOnboardingState.RFNOP, again.state().dos(), "the previous generation");
        assertEquals(first.state().di(), again.state().di());
        assertSetAside(damaged);

        // intact on disk, but not an SVR state: corrupt as well (it used to load as a state full of nulls)
        again.save(again.state().withDos(DeviceOnboardingState.RFPRO));
        new AtomicStore(dir, "svr.json").save("{}".getBytes(UTF_8));
        assertEquals(DeviceOnboardingState.RFPRO, new SvrStore(dir, "1.0.0").state().dos());
    }

    @Test
    void acl2() throws Exception {
        Path dir = data.resolve("svr");
        SvrStore svr = new SvrStore(dir, "1.0.0");
        AccessControl acl = new AccessControl(dir, svr);
        acl.add(List.of(Ace.parse(JSON.readTree("{\"subject\": {\"conntype\": \"auth-crypt\"}, "
                + "\"resources\": [{\"href\": \"/brewing\"}], \"permission\": 2}"))));
        acl.add(List.of(Ace.parse(JSON.readTree("{\"subject\": {\"conntype\": \"auth-crypt\"}, "
                + "\"resources\": [{\"href\": \"/brewing\"}], \"permission\": 6}"))));
        Path damaged = damageNewestHeader(dir, "acl2.json");
        assertEquals(1, new AccessControl(dir, svr).aces().size());
        assertSetAside(damaged);

        new AtomicStore(dir, "acl2.json").save("{\"aclist2\": [{\"nonsense\": 1}]}".getBytes(UTF_8));
        assertEquals(1, new AccessControl(dir, svr).aces().size());
    }

    @Test
    void cred() throws Exception {
        Path dir = data.resolve("svr");
        Credentials creds = new Credentials(data, UUID.randomUUID(), null);
        creds.add(List.of(psk(UUID.randomUUID())));
        creds.add(List.of(psk(UUID.randomUUID())));
        Path damaged = damageNewestHeader(dir, "cred.json");
        assertEquals(1, new Credentials(data, UUID.randomUUID(), null).creds().size());
        assertSetAside(damaged);

        new AtomicStore(dir, "cred.json").save("[]".getBytes(UTF_8));
        assertEquals(1, new Credentials(data, UUID.randomUUID(), null).creds().size());
    }

    @Test
    void history() throws IOException {
        Path dir = data.resolve("history");
        History h = new History(dir);
        h.add(new History.Entry("2026-01-01T00:00:00Z", "1.0.0", "1.1.0", "usb", 1, 10, "installed"));
        h.add(new History.Entry("2026-01-02T00:00:00Z", "1.1.0", "1.2.0", "usb", 1, 10, "installed"));
        Path damaged = damageNewestHeader(dir, "history.json");
        assertEquals(1, new History(dir).entries().size());
        assertSetAside(damaged);

        new AtomicStore(dir, "history.json").save("{\"entries\": 3}".getBytes(UTF_8));
        assertEquals(1, new History(dir).entries().size());
    }

    @Test
    void resourceData() throws IOException {
        Path dir = data.resolve("resources");
        ResourceStoreImpl store = new ResourceStoreImpl(dir);
        store.save("brewing", "{\"cups\": 1}".getBytes(UTF_8));
        store.save("brewing", "{\"cups\": 2}".getBytes(UTF_8));
        Path damaged = damageNewestHeader(dir, "brewing");
        assertArrayEquals("{\"cups\": 1}".getBytes(UTF_8), new ResourceStoreImpl(dir).load("brewing").orElseThrow());
        assertSetAside(damaged);

        store = new ResourceStoreImpl(dir);
        store.save("brewing", "not json".getBytes(UTF_8));
        assertEquals(1, new ResourceStoreImpl(dir).load("brewing", b -> JSON.readTree(b).get("cups").intValue())
                .orElseThrow());
    }

    private static Cred psk(UUID subject) throws IOException {
        return Cred.parse(JSON.readTree("{\"subjectuuid\": \"" + subject + "\", \"credtype\": 1, \"privatedata\": "
                + "{\"data\": \"0123456789abcdef\", \"encoding\": \"oic.sec.encoding.raw\"}}"));
    }
}
