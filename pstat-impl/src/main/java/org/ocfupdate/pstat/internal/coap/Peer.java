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
 * @param secure  the request came over an authenticated DTLS connection
 * @param subject the subject UUID, or null (plain CoAP, or a certificate without an OCF UUID)
 */
record Peer(boolean secure, UUID subject) {
    static final Peer PLAIN = new Peer(false, null);

    static Peer of(Exchange exchange) {
        EndpointContext context = exchange.getRequest().getSourceContext();
        Principal identity = context == null ? null : context.getPeerIdentity();
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
