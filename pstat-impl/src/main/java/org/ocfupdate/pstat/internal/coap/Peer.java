package org.ocfupdate.pstat.internal.coap;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.UUID;

import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.elements.auth.X509CertPath;

/**
 * Who sent a request: over DTLS the subject UUID its credential proves (the PSK identity, or {@code uuid:<UUID>}
 * in the CN of its certificate); over plain CoAP nobody.
 *
 * @param secure      the request came over an authenticated DTLS connection (or an ownership-transfer session)
 * @param subject     the subject UUID, or null (plain CoAP, a transfer session, or a certificate without an OCF UUID)
 * @param transferOxm the ownership-transfer method of the session (0, 1, 2), or {@link TransferSecurity#NONE} for
 *                    plain CoAP and ordinary sessions
 * @param keyBlock    the transfer session's TLS key block (input of the owner-PSK derivation), or null
 */
record Peer(boolean secure, UUID subject, int transferOxm, byte[] keyBlock) {
    static final Peer PLAIN = new Peer(false, null);

    Peer(boolean secure, UUID subject) {
        this(secure, subject, TransferSecurity.NONE, null);
    }

    /** True for a request over an ownership-transfer session. */
    boolean transfer() {
        return transferOxm != TransferSecurity.NONE;
    }

    static Peer of(Exchange exchange) {
        EndpointContext context = exchange.getRequest().getSourceContext();
        Principal identity = context == null ? null : context.getPeerIdentity();
        TransferSessions.Session transfer = context == null ? null : TransferSessions.of(context);
        if (transfer != null) {
            // an ownership-transfer session: no subject; the onboarding state reads the method and key block
            return new Peer(true, null, transfer.oxm(), transfer.keyBlock() == null ? null : transfer.keyBlock().clone());
        }
        if (identity instanceof PreSharedKeyIdentity psk && TransferSessions.RDP_IDENTITY.equals(psk.getIdentity())) {
            return PLAIN; // a Random-PIN session no longer known as a transfer session proves nothing
        }
        return identity == null ? PLAIN : new Peer(true, subject(identity));
    }

    static UUID subject(Principal identity) {
        if (identity instanceof PreSharedKeyIdentity psk) {
            return uuid(psk.getIdentity().getBytes(StandardCharsets.UTF_8));
        }
        if (identity instanceof X509CertPath cert) {
            String cn = cert.getCN();
            if (cn != null && cn.regionMatches(true, 0, "uuid:", 0, 5)) {
                return uuid(cn.substring(5).getBytes(StandardCharsets.UTF_8));
            }
        }
        return null;
    }

    /** A UUID given as its text (36 characters) or as its 16 bytes; null when it is neither. */
    static UUID uuid(byte[] identity) {
        if (identity.length == 16) {
            ByteBuffer b = ByteBuffer.wrap(identity);
            return new UUID(b.getLong(), b.getLong());
        }
        String text = new String(identity, StandardCharsets.UTF_8);
        if (text.length() != 36) {
            return null;
        }
        try {
            UUID u = UUID.fromString(text);
            return u.toString().equalsIgnoreCase(text) ? u : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return !secure ? "plain CoAP client" : subject == null ? "DTLS client without UUID" : "subject " + subject;
    }
}
