package org.ocfupdate.pstat.internal.coap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.network.Exchange.Origin;
import org.eclipse.californium.core.network.KeyMID;
import org.eclipse.californium.elements.config.Configuration;
import org.junit.jupiter.api.Test;

/** Duplicate detection bounded in total (issue 12, item 9): many peers cannot grow it beyond its capacity. */
class BoundedDeduplicatorTest {
    static {
        CoapConfig.register();
    }

    static Exchange exchange(Origin origin) {
        return new Exchange(Request.newGet(), new InetSocketAddress("127.0.0.1", 1), origin, Runnable::run);
    }

    /** A distinct peer (source port) per message, as a flood from 60 000 ports. */
    static KeyMID key(int i) {
        return new KeyMID(i & 0xffff, new InetSocketAddress("127.0.0.1", 1024 + i));
    }

    @Test
    void keepsAtMostItsCapacityDroppingTheOldest() {
        BoundedDeduplicator d = new BoundedDeduplicator(CoapServerComponent.configuration(), 100);
        for (int i = 0; i < 60_000; i++) {
            assertNull(d.findPrevious(key(i), exchange(Origin.REMOTE)), "new message " + i);
        }
        assertEquals(100, d.size());
        assertNull(d.find(key(0)), "the oldest gave way");
        assertTrue(d.find(key(59_999)) != null, "the newest is kept");
    }

    @Test
    void aDuplicateFindsTheFirstExchange() {
        BoundedDeduplicator d = new BoundedDeduplicator(CoapServerComponent.configuration(), 10);
        Exchange first = exchange(Origin.REMOTE);
        assertNull(d.findPrevious(key(1), first));
        assertSame(first, d.findPrevious(key(1), exchange(Origin.REMOTE)));
        assertEquals(1, d.size());
        // an exchange of the other origin replaces it (Californium's DEDUPLICATOR_AUTO_REPLACE)
        Exchange local = exchange(Origin.LOCAL);
        assertNull(d.findPrevious(key(1), local));
        assertSame(local, d.find(key(1)));
        Exchange next = exchange(Origin.REMOTE);
        assertTrue(d.replacePrevious(key(1), local, next));
        assertSame(next, d.find(key(1)));
    }

    @Test
    void sweepRemovesExpiredExchanges() {
        Configuration cfg = CoapServerComponent.configuration();
        cfg.set(CoapConfig.EXCHANGE_LIFETIME, 0, TimeUnit.MILLISECONDS);
        BoundedDeduplicator d = new BoundedDeduplicator(cfg, 10);
        d.findPrevious(key(1), exchange(Origin.REMOTE));
        d.findPrevious(key(2), exchange(Origin.REMOTE));
        d.sweep();
        assertTrue(d.isEmpty());
    }
}
