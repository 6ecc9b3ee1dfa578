package org.ocfupdate.pstat.internal.svr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

class AccessControlTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    SvrStore svr;
    AccessControl acl;
    UUID owner;
    final UUID client = UUID.randomUUID();

    @BeforeEach
    void setUp() throws Exception {
        svr = new SvrStore(dir.resolve("svr"), "1.0.0");
        owner = svr.state().rowneruuid();
        acl = new AccessControl(dir.resolve("svr"), svr);
    }

    static Ace ace(String json) throws Exception {
        return Ace.parse(JSON.readTree(json));
    }

    @Test
    void plainCoapReadsOnlyThePublicResources() {
        assertEquals(Optional.empty(), acl.refusal(false, null, "/oic/res", Ace.RETRIEVE));
        assertEquals(Optional.empty(), acl.refusal(false, null, "/oic/d", Ace.RETRIEVE));
        assertEquals(Optional.of("/oic/d needs a secure connection (coaps)"),
                acl.refusal(false, null, "/oic/d", Ace.UPDATE));
        assertTrue(acl.refusal(false, null, "/oic/sec/pstat", Ace.RETRIEVE).isPresent());
        assertTrue(acl.refusal(false, owner, "/oic/sec/pstat", Ace.RETRIEVE).isPresent(), "never trusted over plain");
    }

    @Test
    void ownerMayDoEverythingOthersWhatTheirAcesGrant() throws Exception {
        assertEquals(Optional.empty(), acl.refusal(true, owner, "/oic/sec/acl2", Ace.DELETE));
        assertEquals(Optional.of("subject " + client + " lacks RETRIEVE on /oic/sec/pstat"),
                acl.refusal(true, client, "/oic/sec/pstat", Ace.RETRIEVE));
        acl.add(List.of(ace("{\"subject\":{\"uuid\":\"" + client + "\"},\"resources\":[{\"href\":\"/oic/sec/pstat\"}],\"permission\":2}")));
        assertEquals(Optional.empty(), acl.refusal(true, client, "/oic/sec/pstat", Ace.RETRIEVE));
        assertEquals(Optional.of("subject " + client + " lacks UPDATE on /oic/sec/pstat"),
                acl.refusal(true, client, "/oic/sec/pstat", Ace.UPDATE));
        assertTrue(acl.refusal(true, client, "/oc/swu", Ace.RETRIEVE).isPresent(), "href only");
        assertTrue(acl.refusal(true, UUID.randomUUID(), "/oic/sec/pstat", Ace.RETRIEVE).isPresent());
    }

    @Test
    void wildcardsCoverApplicationResourcesButNeverCoreOrConfiguration() throws Exception {
        acl.add(List.of(ace("{\"subject\":{\"conntype\":\"auth-crypt\"},\"resources\":[{\"wc\":\"*\"}],\"permission\":31}")));
        assertEquals(Optional.empty(), acl.refusal(true, client, "/brewing", Ace.UPDATE));
        assertEquals(Optional.empty(), acl.refusal(true, null, "/brewing", Ace.RETRIEVE), "any authenticated peer");
        assertTrue(acl.refusal(true, client, "/oic/sec/pstat", Ace.RETRIEVE).isPresent());
        assertTrue(acl.refusal(true, client, "/oic/sec/acl2", Ace.UPDATE).isPresent());
        assertTrue(acl.refusal(true, client, "/oc/swu", Ace.UPDATE).isPresent());
        assertTrue(acl.refusal(false, null, "/brewing", Ace.RETRIEVE).isPresent(), "auth-crypt needs DTLS");
    }

    @Test
    void entriesPersistGetIdsAreReplacedByIdAndRemoved() throws Exception {
        AtomicInteger changes = new AtomicInteger();
        acl.addListener(changes::incrementAndGet);
        List<Ace> added = acl.add(List.of(
                ace("{\"subject\":{\"uuid\":\"" + client + "\"},\"resources\":[{\"href\":\"/a\"}],\"permission\":2}"),
                ace("{\"subject\":{\"conntype\":\"anon-clear\"},\"resources\":[{\"href\":\"/b\"}],\"permission\":2}")));
        assertEquals(List.of(1, 2), added.stream().map(Ace::aceid).toList());
        acl.add(List.of(ace("{\"aceid\":1,\"subject\":{\"uuid\":\"" + client + "\"},\"resources\":[{\"href\":\"/a\"}],\"permission\":6}")));
        AccessControl reloaded = new AccessControl(dir.resolve("svr"), svr);
        assertEquals(acl.aces(), reloaded.aces());
        assertEquals(6, reloaded.aces().get(0).permission());
        assertTrue(reloaded.remove(2));
        assertFalse(reloaded.remove(2));
        assertEquals(1, new AccessControl(dir.resolve("svr"), svr).aces().size());
        assertEquals(2, changes.get());
    }

    @Test
    void aNewEntryNeverTakesAnIdRequestedInTheSameWrite() throws Exception {
        List<Ace> added = acl.add(List.of(
                ace("{\"subject\":{\"conntype\":\"auth-crypt\"},\"resources\":[{\"href\":\"/a\"}],\"permission\":2}"),
                ace("{\"aceid\":1,\"subject\":{\"conntype\":\"auth-crypt\"},\"resources\":[{\"href\":\"/b\"}],\"permission\":2}")));
        assertEquals(List.of(2, 1), added.stream().map(Ace::aceid).toList());
        assertEquals(2, acl.aces().size());
    }

    @Test
    void aNewOwnerIsToldToListenersAsAnAclChangeIs() {
        AtomicInteger changes = new AtomicInteger();
        acl.addListener(changes::incrementAndGet);
        UUID next = UUID.randomUUID();
        for (UUID o : List.of(owner, next, next)) {
            acl.pstatChanged(new org.ocfupdate.pstat.api.Pstat(org.ocfupdate.pstat.api.DeviceOnboardingState.RFNOP,
                    false, true, 0, 0, 4, 4, o, org.ocfupdate.pstat.api.UpdateState.IDLE));
        }
        assertEquals(1, changes.get(), "once, for the new owner only");
    }

    @Test
    void invalidEntriesAreRefusedWithAReason() {
        String[] bad = {
            "{\"subject\":{\"uuid\":\"x\"},\"resources\":[{\"href\":\"/a\"}],\"permission\":2}",
            "{\"subject\":{\"role\":\"r\"},\"resources\":[{\"href\":\"/a\"}],\"permission\":2}",
            "{\"subject\":{\"conntype\":\"auth-crypt\"},\"resources\":[],\"permission\":2}",
            "{\"subject\":{\"conntype\":\"auth-crypt\"},\"resources\":[{\"href\":\"a\"}],\"permission\":2}",
            "{\"subject\":{\"conntype\":\"auth-crypt\"},\"resources\":[{\"wc\":\"?\"}],\"permission\":2}",
            "{\"subject\":{\"conntype\":\"auth-crypt\"},\"resources\":[{\"href\":\"/a\"}],\"permission\":32}",
            "{\"subject\":{\"conntype\":\"auth-crypt\"},\"resources\":[{\"href\":\"/a\"}]}",
            "{\"aceid\":0,\"subject\":{\"conntype\":\"auth-crypt\"},\"resources\":[{\"href\":\"/a\"}],\"permission\":2}",
        };
        for (String json : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ace(json), json);
            assertFalse(e.getMessage().isBlank());
        }
    }
}
