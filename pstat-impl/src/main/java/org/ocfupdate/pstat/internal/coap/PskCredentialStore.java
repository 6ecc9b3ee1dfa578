package org.ocfupdate.pstat.internal.coap;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.UUID;

import javax.crypto.SecretKey;

import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.PskSecretResult;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedPskStore;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.eclipse.californium.scandium.util.ServerNames;
import org.ocfupdate.pstat.internal.svr.Credentials;

/**
 * Scandium's PSK lookup backed by the device's credentials. The identity a client sends is its subject UUID, as
 * text or as 16 bytes; it is normalised to the UUID's text, which becomes the connection's principal.
 */
final class PskCredentialStore implements AdvancedPskStore {
    private final Credentials credentials;

    PskCredentialStore(Credentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public boolean hasEcdhePskSupported() {
        return true;
    }

    @Override
    public PskSecretResult requestPskSecretResult(ConnectionId cid, ServerNames serverName,
            PskPublicInformation identity, String hmacAlgorithm, SecretKey otherSecret, byte[] seed,
            boolean useExtendedMasterSecret) {
        UUID subject = Peer.uuid(identity.getBytes());
        Optional<byte[]> key = subject == null ? Optional.empty() : credentials.psk(subject);
        if (key.isEmpty()) {
            // no secret: the handshake fails with an alert, as for a wrong key
            return new PskSecretResult(cid, identity, null);
        }
        PskPublicInformation normalized = new PskPublicInformation(subject.toString());
        // Scandium's own single-key store derives the (EC)DHE-PSK master secret exactly as the handshake needs it
        return new AdvancedSinglePskStore(normalized, key.get()).requestPskSecretResult(cid, serverName, normalized,
                hmacAlgorithm, otherSecret, seed, useExtendedMasterSecret);
    }

    @Override
    public PskPublicInformation getIdentity(InetSocketAddress peerAddress, ServerNames virtualHost) {
        return null; // server only
    }

    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {
        // answers synchronously
    }
}
