package org.ocfupdate.pstat.internal.coap;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

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
 * text or as 16 bytes; it is normalised to the UUID's text, which becomes the connection's principal. During a
 * Random-PIN transfer the identity {@value TransferSessions#RDP_IDENTITY} has the PIN's key. The server's identity
 * hint (ECDHE-PSK) is the device UUID, which OCF clients choose their key by (docs/dtls.md).
 */
final class PskCredentialStore implements AdvancedPskStore {
    private final Credentials credentials;
    private final TransferSessions transfer;
    private final Supplier<UUID> deviceUuid;

    PskCredentialStore(Credentials credentials) {
        this(credentials, new TransferSessions(() -> null), () -> null);
    }

    /**
     * @param deviceUuid the device UUID of ordinary sessions' hints when no {@link TransferSecurity} is registered
     *                   (ownership {@code self}); null gives Scandium's empty hint
     */
    PskCredentialStore(Credentials credentials, TransferSessions transfer, Supplier<UUID> deviceUuid) {
        this.credentials = credentials;
        this.transfer = transfer;
        this.deviceUuid = deviceUuid;
    }

    @Override
    public boolean hasEcdhePskSupported() {
        return true;
    }

    @Override
    public PskSecretResult requestPskSecretResult(ConnectionId cid, ServerNames serverName,
            PskPublicInformation identity, String hmacAlgorithm, SecretKey otherSecret, byte[] seed,
            boolean useExtendedMasterSecret) {
        if (TransferSessions.RDP_IDENTITY.equals(identity.getPublicInfoAsString())) {
            TransferSecurity t = transfer.security();
            byte[] pin = t != null && t.transferOxm() == 1 ? t.randomPinPsk() : null;
            if (pin == null) {
                return new PskSecretResult(cid, identity, null); // no Random-PIN transfer waits: an ordinary failure
            }
            return new AdvancedSinglePskStore(identity, pin).requestPskSecretResult(cid, serverName, identity,
                    hmacAlgorithm, otherSecret, seed, useExtendedMasterSecret);
        }
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

    /**
     * On this server (the patched Scandium asks, see docs/dtls.md): the PSK identity hint of a handshake starting
     * now. The device UUID as 16 raw bytes; during a Random-PIN transfer {@code oic.sec.doxm.rdp:} and the UUID's
     * text.
     */
    @Override
    public PskPublicInformation getIdentity(InetSocketAddress peerAddress, ServerNames virtualHost) {
        TransferSecurity t = transfer.security();
        UUID uuid = t != null ? t.deviceUuid() : deviceUuid.get();
        if (uuid == null) {
            return null;
        }
        if (t != null && t.transferOxm() == 1) {
            return new PskPublicInformation(TransferSessions.RDP_IDENTITY + ":" + uuid);
        }
        byte[] raw = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits()).array();
        return new PskPublicInformation(uuid.toString(), raw);
    }


    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {
        // answers synchronously
    }
}
