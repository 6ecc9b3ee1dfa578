package org.ocfupdate.pstat.internal.coap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.UUID;

import org.eclipse.californium.scandium.dtls.CertificateMessage;
import org.eclipse.californium.scandium.dtls.CertificateVerificationResult;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.pstat.internal.svr.Credentials;

class TrustAnchorsTest {
    @TempDir
    Path dir;

    /** A self-signed certificate claiming to be the owner, made with the JDK's keytool. */
    private X509Certificate selfSigned(UUID subject) throws Exception {
        Path store = dir.resolve("impostor.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit",
                "-alias", "a", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=uuid:" + subject,
                "-validity", "2").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        return (X509Certificate) ks.getCertificate("a");
    }

    @Test
    void withoutAnyTrustAnchorNoClientCertificateIsAccepted() throws Exception {
        UUID owner = UUID.randomUUID();
        TrustAnchors trust = new TrustAnchors(List.of(), new Credentials(dir.resolve("data"), owner, null));
        CertificateVerificationResult r = trust.verifyCertificate(new ConnectionId(new byte[] {1}), null, new InetSocketAddress(0), true, false,
                false, new CertificateMessage(List.of(selfSigned(owner))));
        assertNotNull(r.getException(), "a self-signed uuid:<owner> certificate was accepted");
        assertNull(r.getCertificatePath());
        assertEquals(List.of(), trust.getAcceptedIssuers());
    }
}
