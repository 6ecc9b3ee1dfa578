package org.ocfupdate.pstat.internal.coap;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.DTLSContext;
import org.eclipse.californium.scandium.dtls.Handshaker;
import org.eclipse.californium.scandium.dtls.SessionListener;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite.KeyExchangeAlgorithm;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.ocfupdate.pstat.internal.pkg.Keys;
import org.ocfupdate.pstat.internal.svr.Credentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DTLS 1.2 connector (Scandium) of {@code coaps}: pre-shared keys from the device's credentials, and X.509
 * identity certificates when the device has one. Its limits under abuse:
 * <ul>
 * <li>at most {@value #MAX_CONNECTIONS} connections; when full, the least recently used one idle for more than
 * {@value #STALE_SECONDS} s gives way to a new handshake (Scandium keeps a connection closed by its client, for
 * resumption, until it is stale);</li>
 * <li>at most {@value #MAX_RECENT_HANDSHAKES} handshakes completed within 135 s (about 26 new sessions a second
 * sustained; Scandium's own limit is the table size); beyond, new ClientHellos are dropped ({@link AbuseGuard});
 * a client that reconnects every 100 ms uses 1350 of them;</li>
 * <li>a stateless cookie exchange (HelloVerifyRequest) before any handshake state is kept, so spoofed addresses
 * cost nothing;</li>
 * <li>failed or incomplete handshakes limited per peer address and port ({@link AbuseGuard}).</li>
 * </ul>
 * Cipher suites: Scandium's recommended ones for the credentials configured, plus what OCF clients offer
 * (docs/dtls.md): {@code TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256} (0xC037) with the device UUID as PSK identity hint,
 * and the anonymous 0xFF00 of Just-Works ownership transfer, chosen only while {@link TransferSecurity} allows it.
 */
final class SecureEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(SecureEndpoint.class);
    static final int MAX_CONNECTIONS = 4000;
    static final int STALE_SECONDS = 60;
    static final int MAX_RECENT_HANDSHAKES = MAX_CONNECTIONS * 9 / 10;

    /** The device's certificate chain and key, and whom it trusts. */
    record X509(Path certificate, Path privateKey, TrustAnchors trust) {
    }

    private SecureEndpoint() {
    }

    static DTLSConnector connector(Configuration cfg, InetSocketAddress bind, Credentials credentials, AbuseGuard guard,
            X509 x509) throws IOException {
        return connector(cfg, bind, credentials, guard, x509, new TransferSessions(() -> null), () -> null);
    }

    /**
     * @param transfer   the ownership-transfer state as the DTLS layer sees it
     * @param deviceUuid the device UUID for the PSK identity hint while no {@link TransferSecurity} is registered
     */
    static DTLSConnector connector(Configuration cfg, InetSocketAddress bind, Credentials credentials, AbuseGuard guard,
            X509 x509, TransferSessions transfer, Supplier<UUID> deviceUuid) throws IOException {
        DtlsConnectorConfig.Builder b = DtlsConnectorConfig.builder(cfg).setAddress(bind)
                .set(DtlsConfig.DTLS_ROLE, DtlsRole.SERVER_ONLY)
                .set(DtlsConfig.DTLS_MAX_CONNECTIONS, MAX_CONNECTIONS)
                .set(DtlsConfig.DTLS_STALE_CONNECTION_THRESHOLD, STALE_SECONDS, TimeUnit.SECONDS)
                // handshakes are CPU-bound: one receiver and one crypto thread per core, as for plain CoAP
                .set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, threads())
                .set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, threads())
                .set(DtlsConfig.DTLS_USE_HELLO_VERIFY_REQUEST, true)
                .set(DtlsConfig.DTLS_USE_HELLO_VERIFY_REQUEST_FOR_PSK, true)
                // a client certificate is required whenever a certificate cipher suite is chosen
                .set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, CertificateAuthenticationMode.NEEDED)
                .setAdvancedPskStore(new PskCredentialStore(credentials, transfer, deviceUuid))
                .setCipherSuiteSelector(transfer.selector())
                .setSessionListener(both(guard, transfer))
                .setDatagramFilter(guard)
                .setLoggingTag("coaps");
        List<CipherSuite> suites = new ArrayList<>();
        if (x509 != null) {
            List<X509Certificate> chain = certificates(x509.certificate());
            // what Scandium chooses for this certificate (EC: ECDHE-ECDSA with AES-GCM and AES-CCM/CCM_8)
            suites.addAll(CipherSuite.getCertificateCipherSuites(true, chain.get(0).getPublicKey()));
        }
        suites.addAll(CipherSuite.getCipherSuitesByKeyExchangeAlgorithm(true, KeyExchangeAlgorithm.ECDHE_PSK));
        suites.addAll(CipherSuite.getCipherSuitesByKeyExchangeAlgorithm(true, KeyExchangeAlgorithm.PSK));
        // what OCF stacks offer: CBC suites, so not in Scandium's recommended set; 0xFF00 is gated by the selector
        suites.add(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256);
        suites.add(CipherSuite.TLS_ECDH_ANON_WITH_AES_128_CBC_SHA256);
        b.set(DtlsConfig.DTLS_RECOMMENDED_CIPHER_SUITES_ONLY, false).set(DtlsConfig.DTLS_CIPHER_SUITES, suites);
        if (x509 != null) {
            List<X509Certificate> chain = certificates(x509.certificate());
            PrivateKey key;
            try {
                key = Keys.readPrivate(x509.privateKey());
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot read the private key " + x509.privateKey() + ": " + e.getMessage(), e);
            }
            b.setCertificateIdentityProvider(new SingleCertificateProvider(key,
                    chain.toArray(new X509Certificate[0]), CertificateType.X_509));
            b.setAdvancedCertificateVerifier(x509.trust());
            LOG.info("DTLS with X.509: device certificate {} ({}), {} trust anchor(s)", x509.certificate(),
                    chain.get(0).getSubjectX500Principal().getName(), x509.trust().size());
        }
        try {
            return new DTLSConnector(b.build());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IOException("invalid DTLS configuration: " + e.getMessage(), e);
        }
    }

    /** Scandium takes one session listener. */
    private static SessionListener both(SessionListener a, SessionListener b) {
        return new SessionListener() {
            @Override
            public void handshakeStarted(Handshaker handshaker) throws org.eclipse.californium.scandium.dtls.HandshakeException {
                a.handshakeStarted(handshaker);
                b.handshakeStarted(handshaker);
            }

            @Override
            public void contextEstablished(Handshaker handshaker, DTLSContext context)
                    throws org.eclipse.californium.scandium.dtls.HandshakeException {
                a.contextEstablished(handshaker, context);
                b.contextEstablished(handshaker, context);
            }

            @Override
            public void handshakeCompleted(Handshaker handshaker) {
                a.handshakeCompleted(handshaker);
                b.handshakeCompleted(handshaker);
            }

            @Override
            public void handshakeFailed(Handshaker handshaker, Throwable error) {
                a.handshakeFailed(handshaker, error);
                b.handshakeFailed(handshaker, error);
            }

            @Override
            public void handshakeFlightRetransmitted(Handshaker handshaker, int flight) {
                a.handshakeFlightRetransmitted(handshaker, flight);
                b.handshakeFlightRetransmitted(handshaker, flight);
            }
        };
    }

    private static int threads() {
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    static List<X509Certificate> certificates(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IOException("no certificate in " + pem);
            }
            return out;
        } catch (CertificateException e) {
            throw new IOException("cannot read certificates from " + pem + ": " + e.getMessage(), e);
        }
    }
}
