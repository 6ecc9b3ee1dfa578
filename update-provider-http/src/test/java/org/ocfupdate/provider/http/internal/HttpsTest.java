package org.ocfupdate.provider.http.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.provider.UpdateException;
import org.ocfupdate.pstat.api.provider.UpdateOffer;
import org.ocfupdate.testsupport.TestFetchRequest;

/** HTTPS from a server whose certificate a private CA issued (made with openssl for each run). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpsTest {
    @TempDir
    static Path pki;
    static Path caPem;
    static Path serverP12;
    TestServer https;
    TestServer http;

    @BeforeAll
    static void aPrivateCaAndAServerCertificateFor127001() throws Exception {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=ocf-update test CA");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "server.key",
                "-out", "server.csr", "-subj", "/CN=127.0.0.1");
        Files.writeString(pki.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "2",
                "-days", "2", "-extfile", "san.ext", "-out", "server.pem");
        openssl("pkcs12", "-export", "-inkey", "server.key", "-in", "server.pem", "-certfile", "ca.pem",
                "-passout", "pass:changeit", "-out", "server.p12");
        caPem = pki.resolve("ca.pem");
        serverP12 = pki.resolve("server.p12");
    }

    static void openssl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(pki.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "openssl " + String.join(" ", args) + ": " + out);
    }

    @AfterEach
    void stop() {
        if (https != null) {
            https.close();
        }
        if (http != null) {
            http.close();
        }
    }

    static Settings settings(String url, Path ca) {
        return new Settings(url, Duration.ofSeconds(2), Duration.ofSeconds(5), 1, ca, Duration.ofMillis(20));
    }

    @Test
    void withThePrivateCaConfiguredTheDescriptorAndPackageAreRead(@TempDir Path tmp) throws Exception {
        HttpProviderTest.keysAndPackage();
        byte[] pkg = HttpProviderTest.PACKAGE;
        byte[] d = HttpProviderTest.descriptor("2.1.0", "p.zip", pkg.length, HttpProviderTest.sha256(pkg));
        https = TestServer.https(serverP12).file("/r.json", d, null)
                .file("/r.json.sig", HttpProviderTest.sign(HttpProviderTest.vendor, d), null).file("/p.zip", pkg, null);
        HttpProvider p = HttpProviderTest.provider(settings(https.uri("/r.json").toString(), caPem));

        UpdateOffer o = p.offer(HttpProviderTest.check("2.0.0", null)).orElseThrow();
        TestFetchRequest f = new TestFetchRequest(o, tmp.resolve("staged.zip"));
        p.fetch(f);

        assertEquals(https.uri("/p.zip"), o.location());
        assertArrayEquals(pkg, Files.readAllBytes(f.target()));
    }

    @Test
    void withoutTheCaTheServerIsRefused() throws Exception {
        HttpProviderTest.keysAndPackage();
        https = TestServer.https(serverP12).file("/r.json", new byte[1], null);
        HttpProvider p = HttpProviderTest.provider(settings(https.uri("/r.json").toString(), null));

        UpdateException e = assertThrows(UpdateException.class, () -> p.offer(HttpProviderTest.check("2.0.0", null)));

        assertEquals(UpdateResult.CONNECTION_FAILURE, e.result());
        assertTrue(e.getMessage().contains("TLS handshake failed"), e.getMessage());
        assertTrue(https.seen.isEmpty());
    }

    @Test
    void aRedirectFromHttpsToHttpIsRefused() throws Exception {
        HttpProviderTest.keysAndPackage();
        http = TestServer.http().file("/r.json", new byte[1], null);
        https = TestServer.https(serverP12).on("/r.json", ex -> {
            ex.getResponseHeaders().add("Location", http.uri("/r.json").toString());
            ex.sendResponseHeaders(302, -1);
        });
        HttpProvider p = HttpProviderTest.provider(settings(https.uri("/r.json").toString(), caPem));

        UpdateException e = assertThrows(UpdateException.class, () -> p.offer(HttpProviderTest.check("2.0.0", null)));

        assertEquals(UpdateResult.CONNECTION_FAILURE, e.result());
        assertTrue(e.getMessage().contains("refused (https to http)"), e.getMessage());
        assertTrue(http.seen.isEmpty(), "never asked the http server");
    }

    @Test
    void anUnreadableCaFileLeavesTheDefaultTrustAndSaysSo() {
        HttpProvider p = HttpProviderTest.provider(settings("https://127.0.0.1:1/r.json", pki.resolve("none.pem")));
        assertTrue(p.status().contains("none.pem unreadable"), p.status());
    }
}
