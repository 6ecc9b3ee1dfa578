package org.ocfupdate.pstat.internal.coap;

import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DtlsDatagramFilter;
import org.eclipse.californium.scandium.dtls.Connection;
import org.eclipse.californium.scandium.dtls.Record;
import org.eclipse.californium.scandium.dtls.DTLSContext;
import org.eclipse.californium.scandium.dtls.Handshaker;
import org.eclipse.californium.scandium.dtls.SessionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits failed and incomplete DTLS handshakes per peer (address and port): after {@value #MAX_FAILURES} within
 * {@value #WINDOW_SECONDS} s, datagrams from that peer are dropped for {@value #BLOCK_SECONDS} s, before any
 * cryptography. A completed handshake clears the peer's count, so a client that reconnects often but correctly
 * is never throttled, and a peer flooding bad handshakes from one port does not affect any other port. The table
 * of peers is bounded ({@value #MAX_PEERS}, least recently seen dropped first).
 */
final class AbuseGuard extends DtlsDatagramFilter implements SessionListener {
    private static final Logger LOG = LoggerFactory.getLogger(AbuseGuard.class);
    static final int MAX_FAILURES = 5;
    static final int WINDOW_SECONDS = 60;
    static final int BLOCK_SECONDS = 60;
    static final int MAX_PEERS = 10_000;

    private static final class Strikes {
        int count;
        long windowStart;
    }

    private final Map<InetSocketAddress, Strikes> peers = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, Strikes> eldest) {
            return size() > MAX_PEERS;
        }
    };
    /**
     * Peers ignored now, with the {@code System.nanoTime()} their block ends: read for every datagram, so a
     * concurrent map (no lock on the receive path); written only when a peer is blocked.
     */
    private final Map<InetSocketAddress, Long> blocked = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    /** Handshakes already counted from their Finished MAC error. */
    private final java.util.Set<Handshaker> struck =
            java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>()));
    /** At most this many failure lines a minute: a flood from rotating ports must not flood the log too. */
    static final int LOG_LINES_PER_MINUTE = 20;
    private long logWindowStart;
    private int logLines;
    private int unlogged;
    private final AtomicLong failures = new AtomicLong();

    /**
     * Scandium refuses a new handshake once as many completed within the last 135 s (twice its cookie lifetime,
     * plus 15 s) as the table holds, logging an ERROR for every refused ClientHello — half a million lines in 90 s
     * of a reconnect storm. Stopping a little earlier here, before any parsing, keeps the log to one line a minute.
     */
    static final int RECENT_WINDOW_SECONDS = 135;
    private final int recentLimit;
    private final int[] recentBuckets = new int[RECENT_WINDOW_SECONDS];
    private long recentSecond;
    private int recentTotal;
    private long refusedHellos;
    private long lastRefusalLog;

    AbuseGuard(Configuration config, int maxRecentHandshakes) {
        super(config);
        this.recentLimit = maxRecentHandshakes;
    }

    /** Advances the window of completed handshakes to now; returns how many completed within it. */
    private int recent(long nowSecond) {
        if (nowSecond - recentSecond >= RECENT_WINDOW_SECONDS) {
            java.util.Arrays.fill(recentBuckets, 0);
            recentTotal = 0;
        } else {
            for (long s = recentSecond + 1; s <= nowSecond; s++) {
                int i = (int) (s % RECENT_WINDOW_SECONDS);
                recentTotal -= recentBuckets[i];
                recentBuckets[i] = 0;
            }
        }
        recentSecond = nowSecond;
        return recentTotal;
    }

    private static boolean isClientHello(DatagramPacket p) {
        byte[] d = p.getData();
        int o = p.getOffset();
        // record: type 22 (handshake), version, epoch 0 (bytes 3-4), ...; handshake message type 1 at byte 13
        return p.getLength() > 13 && d[o] == 22 && d[o + 3] == 0 && d[o + 4] == 0 && d[o + 13] == 1;
    }

    @Override
    public boolean onReceiving(DatagramPacket packet) {
        InetSocketAddress from = (InetSocketAddress) packet.getSocketAddress();
        Long until = blocked.get(from);
        if (until != null) {
            if (System.nanoTime() - until < 0) {
                dropped.incrementAndGet();
                return false;
            }
            blocked.remove(from, until);
        }
        if (isClientHello(packet)) {
            long now = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime());
            synchronized (recentBuckets) {
                if (recent(now) >= recentLimit) {
                    refusedHellos++;
                    if (now - lastRefusalLog >= 60) {
                        lastRefusalLog = now;
                        LOG.warn("{} DTLS handshakes completed in the last {} s (limit {}): new clients wait until "
                                + "older ones expire ({} ClientHellos refused so far)", recentTotal,
                                RECENT_WINDOW_SECONDS, recentLimit, refusedHellos);
                    }
                    return false;
                }
            }
        }
        return super.onReceiving(packet);
    }

    /**
     * A record that fails its MAC during a handshake is the client's Finished under a wrong key (or an unknown PSK
     * identity, for which Scandium derives a random secret so that identities cannot be probed). DTLS drops such
     * records silently, leaving the handshake pending until it times out: count it as a failed handshake now and
     * close the connection, so it holds no slot. On an established connection a bad record is only dropped: a
     * spoofed datagram must not end a client's session.
     */
    @Override
    public boolean onMacError(Record record, Connection connection) {
        boolean close = super.onMacError(record, connection);
        Handshaker handshake = connection.getOngoingHandshake();
        if (handshake != null && !connection.hasEstablishedDtlsContext()) {
            if (struck.add(handshake)) { // one strike a handshake: closing it reports it failed once more
                strike(connection.getPeerAddress(), "the Finished message did not verify (wrong key or unknown identity)");
            }
            return true;
        }
        return close;
    }

    @Override
    public void handshakeFailed(Handshaker handshaker, Throwable error) {
        if (!struck.remove(handshaker)) {
            strike(handshaker.getPeerAddress(), error.getMessage());
        }
    }

    private void strike(InetSocketAddress peer, String why) {
        failures.incrementAndGet();
        long now = System.nanoTime();
        synchronized (peers) {
            Strikes s = peers.computeIfAbsent(peer, p -> new Strikes());
            if (s.count == 0 || now - s.windowStart > TimeUnit.SECONDS.toNanos(WINDOW_SECONDS)) {
                s.count = 0;
                s.windowStart = now;
            }
            if (++s.count >= MAX_FAILURES) {
                peers.remove(peer); // counted afresh once the block ends
                if (blocked.size() >= MAX_PEERS) {
                    blocked.values().removeIf(u -> now - u >= 0);
                }
                if (blocked.size() < MAX_PEERS) {
                    blocked.put(peer, now + TimeUnit.SECONDS.toNanos(BLOCK_SECONDS));
                }
                LOG.warn("DTLS peer {} ignored for {} s after {} failed or incomplete handshakes (last: {})", peer,
                        BLOCK_SECONDS, s.count, why);
                return;
            }
        }
        logFailure(peer, why);
    }

    private synchronized void logFailure(InetSocketAddress peer, String why) {
        long now = System.nanoTime();
        if (now - logWindowStart > TimeUnit.MINUTES.toNanos(1)) {
            if (unlogged > 0) {
                LOG.warn("{} more failed DTLS handshakes in the last minute were not logged", unlogged);
            }
            logWindowStart = now;
            logLines = 0;
            unlogged = 0;
        }
        if (++logLines <= LOG_LINES_PER_MINUTE) {
            LOG.info("DTLS handshake with {} failed: {}", peer, why);
        } else {
            unlogged++;
        }
    }

    @Override
    public void handshakeCompleted(Handshaker handshaker) {
        long now = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime());
        synchronized (recentBuckets) {
            recent(now);
            recentBuckets[(int) (now % RECENT_WINDOW_SECONDS)]++;
            recentTotal++;
        }
        synchronized (peers) {
            peers.remove(handshaker.getPeerAddress());
        }
    }

    @Override
    public void handshakeStarted(Handshaker handshaker) {
    }

    @Override
    public void contextEstablished(Handshaker handshaker, DTLSContext context) {
    }

    @Override
    public void handshakeFlightRetransmitted(Handshaker handshaker, int flight) {
    }

    /** Datagrams dropped from blocked peers, and failed handshakes, since start (for operators and benchmarks). */
    String stats() {
        return failures.get() + " failed handshakes, " + dropped.get() + " datagrams from blocked peers dropped";
    }
}
