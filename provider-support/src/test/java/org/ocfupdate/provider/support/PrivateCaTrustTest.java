package org.ocfupdate.provider.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.testsupport.TestPki;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/** The providers' caFile: a server whose certificate a private CA issued (made with openssl for each run). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PrivateCaTrustTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static HttpsServer server;

    @BeforeAll
    static void anHttpsServerWithACertificateOfAPrivateCa() throws Exception {
        pki = TestPki.create(dir.resolve("pki"), "ours");
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(pki.server));
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    static int get(SSLContext trust) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().sslContext(trust).build();
        URI uri = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/");
        return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void theCaInTheFileIsTrustedBesidesTheJdks() throws Exception {
        assertEquals(204, get(PrivateCaTrust.sslContext(pki.caPem)));
        assertThrows(SSLHandshakeException.class, () -> get(SSLContext.getDefault()), "the JDK alone does not");
    }

    @Test
    void aFileWithoutCertificateIsRefusedNamingIt() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
                () -> PrivateCaTrust.sslContext(empty));
        assertEquals(empty + " holds no certificate", e.getMessage());
    }

    @Test
    void aMissingFileIsAnIoError() {
        Path none = dir.resolve("none.pem");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> PrivateCaTrust.sslContext(none));
        assertTrue(e.getMessage().contains("none.pem"), e.getMessage());
    }
}
