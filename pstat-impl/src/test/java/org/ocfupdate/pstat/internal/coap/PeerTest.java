package org.ocfupdate.pstat.internal.coap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.junit.jupiter.api.Test;

class PeerTest {
    @Test
    void pskIdentityIsTheUuidAsTextOrAsSixteenBytes() {
        UUID u = UUID.randomUUID();
        assertEquals(u, Peer.uuid(u.toString().getBytes(StandardCharsets.UTF_8)));
        assertEquals(u, Peer.uuid(u.toString().toUpperCase().getBytes(StandardCharsets.UTF_8)));
        byte[] raw = ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits())
                .array();
        assertEquals(u, Peer.uuid(raw));
        assertNull(Peer.uuid("client-1".getBytes(StandardCharsets.UTF_8)));
        assertNull(Peer.uuid("1-1-1-1-1".getBytes(StandardCharsets.UTF_8)));
        assertEquals(u, Peer.subject(new PreSharedKeyIdentity(u.toString())));
    }
}
