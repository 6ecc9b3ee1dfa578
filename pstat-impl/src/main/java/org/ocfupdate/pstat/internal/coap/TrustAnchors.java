package org.ocfupdate.pstat.internal.coap;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import javax.security.auth.x500.X500Principal;

import org.eclipse.californium.scandium.dtls.AlertMessage;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertDescription;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertLevel;
import org.eclipse.californium.scandium.dtls.CertificateMessage;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.CertificateVerificationResult;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeException;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.x509.NewAdvancedCertificateVerifier;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;
import org.eclipse.californium.scandium.util.ServerNames;
import org.ocfupdate.pstat.internal.svr.Credentials;

/**
 * Verifies client certificates against the configured CA certificates plus the trust anchors provisioned in
 * {@code /oic/sec/cred}; {@link #rebuild()} when the credentials change, so a new CA takes effect without a restart.
 * With no trust anchor at all, no client certificate is accepted (Scandium's verifier would trust every one).
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
        // Scandium reads an empty list of trusted certificates as "trust all": a self-signed certificate with
        // CN uuid:<owner> would be the owner. No anchor means no client certificate is trusted.
        current = all.isEmpty() ? null : StaticNewAdvancedCertificateVerifier.builder()
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
        NewAdvancedCertificateVerifier v = current;
        if (v == null) {
            return new CertificateVerificationResult(cid, new HandshakeException("no trust anchor: client certificates "
                    + "are not accepted", new AlertMessage(AlertLevel.FATAL, AlertDescription.BAD_CERTIFICATE)), null);
        }
        return v.verifyCertificate(cid, serverName, remotePeer, clientUsage, verifySubject, truncateCertificatePath,
                message);
    }

    @Override
    public List<X500Principal> getAcceptedIssuers() {
        NewAdvancedCertificateVerifier v = current;
        return v == null ? List.of() : v.getAcceptedIssuers();
    }

    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {
        // the static verifier answers synchronously
    }
}
