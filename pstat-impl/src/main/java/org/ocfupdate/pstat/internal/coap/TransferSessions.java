package org.ocfupdate.pstat.internal.coap;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.eclipse.californium.elements.DtlsEndpointContext;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.scandium.dtls.DTLSContext;
import org.eclipse.californium.scandium.dtls.DTLSSession;
import org.eclipse.californium.scandium.dtls.Handshaker;
import org.eclipse.californium.scandium.dtls.SessionListener;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuiteParameters;
import org.eclipse.californium.scandium.dtls.cipher.DefaultCipherSuiteSelector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DTLS side of ownership transfer (docs/dtls.md): which transfer handshakes the device's {@link TransferSecurity}
 * allows now, and which established sessions are transfer sessions, with their key block for the owner-PSK
 * derivation. Without a {@link TransferSecurity} (ownership {@code self}) no transfer handshake is possible.
 * <p>
 * Transfer sessions are remembered by peer address and handshake time (the {@link DtlsEndpointContext} of every
 * request carries both), at most {@value #MAX_SESSIONS} at once: ownership transfer is one tool at a time. A later
 * ordinary handshake from the same address forgets the entry, and so does a new handshake time.
 */
final class TransferSessions implements SessionListener {
    private static final Logger LOG = LoggerFactory.getLogger(TransferSessions.class);
    /** The PSK identity of a Random-PIN transfer client, and the prefix of the server's hint then. */
    static final String RDP_IDENTITY = "oic.sec.doxm.rdp";
    static final int MAX_SESSIONS = 16;

    /** A transfer session: its handshake time (to tell it from a later session of the same peer) and method. */
    record Session(long handshakeTime, int oxm, byte[] keyBlock) {
        @Override
        public String toString() {
            return "transfer session (method " + oxm + ")"; // never the key block
        }
    }

    /** Shared by the connectors of the JVM: Peer.of(exchange) has no connector at hand. Keys never collide. */
    private static final Map<InetSocketAddress, Session> SESSIONS = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, Session> eldest) {
            return size() > MAX_SESSIONS;
        }
    };

    private final Supplier<TransferSecurity> transfer;

    TransferSessions(Supplier<TransferSecurity> transfer) {
        this.transfer = transfer;
    }

    /** The transfer state now, or null (ownership {@code self}). */
    TransferSecurity security() {
        return transfer.get();
    }

    /** The transfer method a handshake may use now, or {@link TransferSecurity#NONE}. */
    int transferOxm() {
        TransferSecurity t = transfer.get();
        return t == null ? TransferSecurity.NONE : t.transferOxm();
    }

    /** The transfer session a request came over, or null for an ordinary session or plain CoAP. */
    static Session of(EndpointContext context) {
        Long time = context.get(DtlsEndpointContext.KEY_HANDSHAKE_TIMESTAMP);
        if (time == null) {
            return null;
        }
        Session s;
        synchronized (SESSIONS) {
            s = SESSIONS.get(context.getPeerAddress());
        }
        return s != null && s.handshakeTime() == time ? s : null;
    }

    /**
     * Scandium's cipher-suite choice, with the anonymous suite 0xFF00 only while a Just-Works transfer waits: at any
     * other time a client offering only 0xFF00 gets the ordinary {@code handshake_failure} of "no common suite".
     */
    DefaultCipherSuiteSelector selector() {
        return new DefaultCipherSuiteSelector() {
            @Override
            protected boolean select(CipherSuite cipherSuite, CipherSuiteParameters parameters) {
                if (cipherSuite == CipherSuite.TLS_ECDH_ANON_WITH_AES_128_CBC_SHA256 && transferOxm() != 0) {
                    return false;
                }
                return super.select(cipherSuite, parameters);
            }
        };
    }

    @Override
    public void contextEstablished(Handshaker handshaker, DTLSContext context) {
        InetSocketAddress peer = handshaker.getPeerAddress();
        int oxm = oxm(context.getSession());
        synchronized (SESSIONS) {
            Session old = oxm == TransferSecurity.NONE ? SESSIONS.remove(peer) : null;
            if (old != null) {
                Arrays.fill(old.keyBlock(), (byte) 0);
            }
        }
        if (oxm != TransferSecurity.NONE) {
            byte[] keyBlock = handshaker.exportKeyBlock();
            synchronized (SESSIONS) {
                SESSIONS.put(peer, new Session(context.getLastHandshakeTime(), oxm, keyBlock));
            }
            LOG.info("Ownership-transfer DTLS session with {} established (method {}, {})", peer, oxm,
                    context.getSession().getCipherSuite().name());
        }
    }

    /** The transfer method of a new session, or NONE for an ordinary one. */
    private static int oxm(DTLSSession session) {
        if (session.getCipherSuite() == CipherSuite.TLS_ECDH_ANON_WITH_AES_128_CBC_SHA256) {
            return 0;
        }
        if (session.getPeerIdentity() instanceof PreSharedKeyIdentity psk && RDP_IDENTITY.equals(psk.getIdentity())) {
            return 1; // only PskCredentialStore's Random-PIN key gives this identity a session
        }
        return TransferSecurity.NONE;
    }

    @Override
    public void handshakeStarted(Handshaker handshaker) {
    }

    @Override
    public void handshakeCompleted(Handshaker handshaker) {
    }

    @Override
    public void handshakeFailed(Handshaker handshaker, Throwable error) {
    }

    @Override
    public void handshakeFlightRetransmitted(Handshaker handshaker, int flight) {
    }
}
