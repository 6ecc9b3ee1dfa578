package org.ocfupdate.pstat.internal.coap;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import javax.security.auth.x500.X500Principal;

import org.eclipse.californium.scandium.dtls.CertificateMessage;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.CertificateVerificationResult;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.x509.NewAdvancedCertificateVerifier;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;
import org.eclipse.californium.scandium.util.ServerNames;
import org.ocfupdate.pstat.internal.svr.Credentials;

/**
 * Verifies client certificates against the configured CA certificates plus the trust anchors provisioned in
 * {@code /oic/sec/cred}; {@link #rebuild()} when the credentials change, so a new CA takes effect without a restart.
 */
final class TrustAnchors implements NewAdvancedCertificateVerifier {
    private final List<X509Certificate> configured;
    private final Credentials credentials;
    private volatile NewAdvancedCertificateVerifier current;

    TrustAnchors(List<X509Certificate> configured, Credentials credentials) {
        this.configured = List.copyOf(configured);
        this.credentials = credentials;
        rebuild();
    }

    void rebuild() {
        List<X509Certificate> all = new ArrayList<>(configured);
        all.addAll(credentials.trustAnchors());
        current = StaticNewAdvancedCertificateVerifier.builder()
                .setTrustedCertificates(all.toArray(new X509Certificate[0]))
                .setSupportedCertificateTypes(List.of(CertificateType.X_509)).build();
    }

    int size() {
        return configured.size() + credentials.trustAnchors().size();
    }

    @Override
    public List<CertificateType> getSupportedCertificateTypes() {
        return List.of(CertificateType.X_509);
    }

    @Override
    public CertificateVerificationResult verifyCertificate(ConnectionId cid, ServerNames serverName,
            InetSocketAddress remotePeer, boolean clientUsage, boolean verifySubject, boolean truncateCertificatePath,
            CertificateMessage message) {
        return current.verifyCertificate(cid, serverName, remotePeer, clientUsage, verifySubject,
                truncateCertificatePath, message);
    }

    @Override
    public List<X500Principal> getAcceptedIssuers() {
        return current.getAcceptedIssuers();
    }

    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {
        // the static verifier answers synchronously
    }
}
