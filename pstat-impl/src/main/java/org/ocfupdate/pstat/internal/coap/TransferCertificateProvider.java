package org.ocfupdate.pstat.internal.coap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.security.auth.x500.X500Principal;

import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.scandium.dtls.CertificateIdentityResult;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.SignatureAndHashAlgorithm;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite.CertificateKeyAlgorithm;
import org.eclipse.californium.scandium.dtls.cipher.XECDHECryptography.SupportedGroup;
import org.eclipse.californium.scandium.dtls.x509.CertificateProvider;
import org.ocfupdate.gateway.support.Keys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's certificate for a handshake: the manufacturer certificate while a manufacturer-certificate ownership
 * transfer waits ({@link TransferSecurity#transferOxm()} 2), marked so that the patched Scandium requests no client
 * certificate in that handshake (the onboarding tool is not known yet; IoTivity-Lite's device requests none in
 * RFOTM either); otherwise the identity certificate, if one is configured, with the client certificate NEEDED as
 * always; otherwise none, so that no certificate suite can be chosen.
 */
final class TransferCertificateProvider implements CertificateProvider {
    private static final Logger LOG = LoggerFactory.getLogger(TransferCertificateProvider.class);

    private record Identity(PrivateKey key, List<X509Certificate> chain) {
    }

    /** The manufacturer certificate as read last from its files (read again when they change). */
    private record Read(Path certificate, Path key, long modified, Identity identity) {
    }

    private final Identity device;
    private final TransferSessions transfer;
    private final List<CertificateKeyAlgorithm> keyAlgorithms;
    private volatile Read manufacturer;

    /** @param certificate the identity certificate chain (PEM) and key, or nulls */
    TransferCertificateProvider(Path certificate, Path privateKey, TransferSessions transfer) throws IOException {
        this.device = certificate == null ? null : read(certificate, privateKey);
        this.transfer = transfer;
        // manufacturer certificates are EC (OCF); the identity certificate may be another
        CertificateKeyAlgorithm own = device == null ? CertificateKeyAlgorithm.EC
                : CertificateKeyAlgorithm.getAlgorithm(device.chain().get(0).getPublicKey());
        this.keyAlgorithms = own == CertificateKeyAlgorithm.EC ? List.of(own) : List.of(own, CertificateKeyAlgorithm.EC);
    }

    private static Identity read(Path certificate, Path privateKey) throws IOException {
        List<X509Certificate> chain = SecureEndpoint.certificates(certificate);
        try {
            return new Identity(Keys.readPrivate(privateKey), chain);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the private key " + privateKey + ": " + e.getMessage(), e);
        }
    }

    /**
     * Why a manufacturer certificate and key cannot serve a certificate transfer, or null when they can: both
     * readable, an EC key (OCF's certificate suites are ECDHE-ECDSA), and the key the one of the certificate.
     */
    static String check(Path certificate, Path privateKey) {
        try {
            Identity m = read(certificate, privateKey);
            java.security.PublicKey pub = m.chain().get(0).getPublicKey();
            if (CertificateKeyAlgorithm.getAlgorithm(pub) != CertificateKeyAlgorithm.EC) {
                return "the certificate's key is " + pub.getAlgorithm() + ", not EC (ECDHE-ECDSA)";
            }
            byte[] probe = "manufacturer certificate check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            if (!Keys.verify(pub, probe, Keys.sign(m.key(), probe))) {
                return "the private key does not belong to the certificate";
            }
            return null;
        } catch (java.nio.file.NoSuchFileException e) {
            return "no file " + e.getFile();
        } catch (java.nio.file.AccessDeniedException e) {
            return "no permission to read " + e.getFile();
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return e.getMessage();
        }
    }

    /** The manufacturer certificate now, or null when none is configured or readable (logged). */
    private Identity manufacturer(TransferSecurity t) {
        Path cert = t.manufacturerCertificate();
        Path key = t.manufacturerKey();
        if (cert == null || key == null) {
            return null;
        }
        try {
            long modified = Files.getLastModifiedTime(cert).toMillis() ^ Files.getLastModifiedTime(key).toMillis();
            Read m = manufacturer;
            if (m == null || !cert.equals(m.certificate()) || !key.equals(m.key()) || modified != m.modified()) {
                m = new Read(cert, key, modified, read(cert, key));
                manufacturer = m;
            }
            return m.identity();
        } catch (IOException e) {
            LOG.warn("Manufacturer certificate {} / key {} unusable, certificate transfer refused: {}", cert, key,
                    e.getMessage());
            return null;
        }
    }

    @Override
    @SuppressWarnings("deprecation") // the custom argument is what the OCF patch reads
    public CertificateIdentityResult requestCertificateIdentity(ConnectionId cid, boolean client,
            List<X500Principal> issuers, org.eclipse.californium.scandium.util.ServerNames serverNames,
            List<CertificateKeyAlgorithm> certificateKeyAlgorithms,
            List<SignatureAndHashAlgorithm> signatureAndHashAlgorithms, List<SupportedGroup> curves) {
        TransferSecurity t = transfer.security();
        if (t != null && t.transferOxm() == 2) {
            Identity m = manufacturer(t);
            if (m != null) {
                return new CertificateIdentityResult(cid, m.key(), m.chain(), CertificateAuthenticationMode.NONE);
            }
        }
        return device == null ? new CertificateIdentityResult(cid)
                : new CertificateIdentityResult(cid, device.key(), device.chain());
    }

    @Override
    public List<CertificateKeyAlgorithm> getSupportedCertificateKeyAlgorithms() {
        return keyAlgorithms;
    }

    @Override
    public List<CertificateType> getSupportedCertificateTypes() {
        return List.of(CertificateType.X_509);
    }

    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {
        // answers synchronously
    }
}
