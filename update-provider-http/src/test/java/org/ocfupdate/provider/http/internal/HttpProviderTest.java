package org.ocfupdate.provider.http.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.provider.OfferRequest;
import org.ocfupdate.pstat.api.provider.UpdateException;
import org.ocfupdate.pstat.api.provider.UpdateOffer;
import org.ocfupdate.testsupport.SignedPackages;
import org.ocfupdate.testsupport.TestFetchRequest;
import org.ocfupdate.testsupport.TestOfferRequest;

/** The provider against real HTTP(S) servers on 127.0.0.1, some misbehaving on purpose. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpProviderTest {
    static KeyPair vendor;
    static KeyPair stranger;
    static final byte[] PACKAGE = new byte[300_000];

    @TempDir
    Path tmp;
    final List<AutoCloseable> closing = new ArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);

    @BeforeAll
    static void keysAndPackage() throws Exception {
        vendor = ecKey();
        stranger = ecKey();
        new Random(7).nextBytes(PACKAGE);
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    static KeyPair ecKey() throws Exception {
        return SignedPackages.ecKey();
    }

    static byte[] sign(KeyPair key, byte[] data) throws Exception {
        return SignedPackages.sign(key, data);
    }

    static String sha256(byte[] data) {
        return SignedPackages.sha256(data);
    }

    static byte[] descriptor(String version, String pkg, long size, String sha) {
        return ("{\"version\":\"" + version + "\",\"package\":\"" + pkg + "\",\"size\":" + size + ",\"sha256\":\""
                + sha + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    TestServer server() throws IOException {
        TestServer s = TestServer.http();
        closing.add(s);
        return s;
    }

    /** A server with a descriptor of 2.1.0 signed by {@code signer}, the package at a relative URL. */
    TestServer release(KeyPair signer) throws Exception {
        byte[] d = descriptor("2.1.0", "pkg/update-2.1.0.zip", PACKAGE.length, sha256(PACKAGE));
        return server().file("/release.json", d, "\"d1\"").file("/release.json.sig", sign(signer, d), "\"s1\"")
                .file("/pkg/update-2.1.0.zip", PACKAGE, "\"p1\"");
    }

    static Settings settings(URI url) {
        return new Settings(url == null ? "" : url.toString(), Duration.ofSeconds(2), Duration.ofSeconds(5), 3, null,
                Duration.ofMillis(20));
    }

    static HttpProvider provider(Settings s) {
        return new HttpProvider(s);
    }

    /**
     * What the engine's {@code OfferRequest.verify} does, with real keys: a signature by one of {@code keys}
     * (SHA256withECDSA for P-256) passes, anything else is a validation failure (trust stays in the engine).
     */
    static void verifyWith(List<PublicKey> keys, byte[] data, byte[] signature) throws UpdateException {
        if (keys.isEmpty()) {
            throw new UpdateException(UpdateResult.VALIDATION_FAILURE,
                    "no trusted signing key is configured (org.ocfupdate.trust keys)");
        }
        for (PublicKey k : keys) {
            try {
                Signature v = Signature.getInstance("SHA256withECDSA");
                v.initVerify(k);
                v.update(data);
                if (v.verify(signature)) {
                    return;
                }
            } catch (java.security.GeneralSecurityException e) {
                // a malformed signature is a bad signature
            }
        }
        throw new UpdateException(UpdateResult.VALIDATION_FAILURE, "signature not made by a trusted key");
    }

    static OfferRequest check(String running, URI location) {
        return check(running, location, List.of(vendor.getPublic()));
    }

    static OfferRequest check(String running, URI location, List<PublicKey> trusted) {
        return new TestOfferRequest(running).location(location).verifiedBy((data, sig) -> verifyWith(trusted, data, sig));
    }

    UpdateOffer offerOf(TestServer s, String path, long size) throws Exception {
        return UpdateOffer.builder("2.1.0", s.uri(path)).size(size).sha256(sha256(PACKAGE)).build();
    }

    TestFetchRequest fetch(HttpProvider p, UpdateOffer offer) throws UpdateException {
        TestFetchRequest f = new TestFetchRequest(offer, tmp.resolve("staged.zip"));
        p.fetch(f);
        return f;
    }

    // ---- availability check ----

    @Test
    void aDescriptorSignedByATrustedKeyOffersItsPackage() throws Exception {
        TestServer s = release(vendor);
        HttpProvider p = provider(settings(s.uri("/release.json")));

        UpdateOffer o = p.offer(check("2.0.0", null)).orElseThrow();

        assertEquals("2.1.0", o.version());
        assertEquals(s.uri("/pkg/update-2.1.0.zip"), o.location(), "relative to the descriptor");
        assertEquals(PACKAGE.length, o.size());
        assertEquals(sha256(PACKAGE), o.sha256());
        assertEquals("2.1.0 from " + s.uri("/pkg/update-2.1.0.zip"), o.description());
        assertTrue(s.seen("/pkg/update-2.1.0.zip").isEmpty(), "the check never reads the package");
        assertTrue(p.status().startsWith("descriptor 2.1.0 at "), p.status());
        assertEquals(Optional.empty(), p.offer(check("2.1.0", null)), "not newer");
    }

    @Test
    void aVersionRefusedBeforeIsNotOffered() throws Exception {
        TestServer s = release(vendor);
        OfferRequest refusing = new TestOfferRequest("1.0.0")
                .refusing((version, sha256) -> version.equals("2.1.0") && sha256.equals(sha256(PACKAGE)))
                .verifiedBy((data, sig) -> verifyWith(List.of(vendor.getPublic()), data, sig));
        assertEquals(Optional.empty(), provider(settings(s.uri("/release.json"))).offer(refusing));
    }

    @Test
    void aForgedDescriptorIsAValidationFailure() throws Exception {
        byte[] genuine = descriptor("2.1.0", "pkg/update-2.1.0.zip", PACKAGE.length, sha256(PACKAGE));
        byte[] forged = descriptor("2.1.0", "http://evil.example/x.zip", PACKAGE.length, sha256(PACKAGE));
        TestServer s = server().file("/release.json", forged, null)
                .file("/release.json.sig", sign(vendor, genuine), null);

        UpdateException e = assertThrows(UpdateException.class,
                () -> provider(settings(s.uri("/release.json"))).offer(check("2.0.0", null)));
        assertEquals(UpdateResult.VALIDATION_FAILURE, e.result());
        assertTrue(e.getMessage().contains("not signed by a trusted key"), e.getMessage());
    }

    @Test
    void aDescriptorSignedByAnUnknownKeyIsAValidationFailure() throws Exception {
        TestServer s = release(stranger);
        UpdateException e = assertThrows(UpdateException.class,
                () -> provider(settings(s.uri("/release.json"))).offer(check("2.0.0", null)));
        assertEquals(UpdateResult.VALIDATION_FAILURE, e.result());
    }

    @Test
    void noTrustedKeyIsAValidationFailure() throws Exception {
        TestServer s = release(vendor);
        HttpProvider p = new HttpProvider(settings(s.uri("/release.json")));
        UpdateException e = assertThrows(UpdateException.class, () -> p.offer(check("2.0.0", null, List.of())));
        assertEquals(UpdateResult.VALIDATION_FAILURE, e.result());
        assertTrue(e.getMessage().contains("org.ocfupdate.trust"), e.getMessage());
    }

    @Test
    void aMissingSignatureIsAConnectionFailureNamingIt() throws Exception {
        byte[] d = descriptor("2.1.0", "p.zip", 1, sha256(PACKAGE));
        TestServer s = server().file("/release.json", d, null);
        UpdateException e = assertThrows(UpdateException.class,
                () -> provider(settings(s.uri("/release.json"))).offer(check("2.0.0", null)));
        assertEquals(UpdateResult.CONNECTION_FAILURE, e.result());
        assertTrue(e.getMessage().contains("release.json.sig not found (404)"), e.getMessage());
    }

    @Test
    void anUnchangedDescriptorCostsA304() throws Exception {
        TestServer s = release(vendor);
        HttpProvider p = provider(settings(s.uri("/release.json")));
        assertTrue(p.offer(check("2.0.0", null)).isPresent());

        UpdateOffer again = p.offer(check("2.0.0", null)).orElseThrow();

        assertEquals("2.1.0", again.version());
        List<TestServer.Seen> gets = s.seen("/release.json");
        assertEquals(2, gets.size());
        assertNull(gets.get(0).headers().getFirst("If-None-Match"));
        assertEquals("\"d1\"", gets.get(1).headers().getFirst("If-None-Match"));
        assertEquals("\"s1\"", s.seen("/release.json.sig").get(1).headers().getFirst("If-None-Match"));
        assertTrue(p.status().contains("(304)"), p.status());
    }

    @Test
    void aMissingDescriptorIsAConnectionFailure() throws Exception {
        TestServer s = server();
        UpdateException e = assertThrows(UpdateException.class,
                () -> provider(settings(s.uri("/release.json"))).offer(check("2.0.0", null)));
        assertEquals(UpdateResult.CONNECTION_FAILURE, e.result());
        assertTrue(e.getMessage().contains("not found (404)"), e.getMessage());
    }

    @Test
    void anUnreachableServerIsAConnectionFailure() throws Exception {
        URI gone;
        try (TestServer s = TestServer.http()) {
            gone = s.uri("/release.json");
        }
        HttpProvider p = provider(settings(gone));
        UpdateException e = assertThrows(UpdateException.class, () -> p.offer(check("2.0.0", null)));
        assertEquals(UpdateResult.CONNECTION_FAILURE, e.result());
        assertTrue(p.status().startsWith(gone + " unreachable: "), p.status());
    }

    @Test
    void aPurlOverridesTheConfiguredUrlForOneCheck() throws Exception {
        TestServer configured = release(vendor);
        byte[] d = descriptor("3.0.0", "/other.zip", 10, sha256(PACKAGE));
        TestServer other = server().file("/r.json", d, null).file("/r.json.sig", sign(vendor, d), null);
        HttpProvider p = provider(settings(configured.uri("/release.json")));

        UpdateOffer o = p.offer(check("2.0.0", other.uri("/r.json"))).orElseThrow();

        assertEquals("3.0.0", o.version());
        assertEquals(other.uri("/other.zip"), o.location());
        assertTrue(configured.seen.isEmpty());
        assertEquals("2.1.0", p.offer(check("2.0.0", null)).orElseThrow().version(), "only for that check");
    }

    @Test
    void aCoapsPurlIsAnUnsupportedProtocol() {
        HttpProvider p = provider(settings(URI.create("http://127.0.0.1:1/r.json")));
        UpdateException e = assertThrows(UpdateException.class,
                () -> p.offer(check("2.0.0", URI.create("coaps://[fe80::1]/fw"))));
        assertEquals(UpdateResult.UNSUPPORTED_PROTOCOL, e.result());
    }

    @Test
    void aRelativeOrGarbagePurlIsAnInvalidUrl() {
        HttpProvider p = provider(settings(URI.create("http://127.0.0.1:1/r.json")));
        for (URI purl : List.of(URI.create("release.json"), URI.create("/fw/release.json"),
                URI.create("http:release.json"))) {
            UpdateException e = assertThrows(UpdateException.class, () -> p.offer(check("2.0.0", purl)));
            assertEquals(UpdateResult.INVALID_URL, e.result(), purl.toString());
        }
        assertEquals(UpdateResult.INVALID_URL, assertThrows(UpdateException.class,
                () -> HttpProvider.checkedUrl("ht tp://x y")).result());
    }

    @Test
    void aRedirectLoopIsAConnectionFailure() throws Exception {
        TestServer s = server().on("/loop", ex -> {
            ex.getResponseHeaders().add("Location", "/loop");
            ex.sendResponseHeaders(302, -1);
        });
        UpdateException e = assertThrows(UpdateException.class,
                () -> provider(settings(s.uri("/loop"))).offer(check("2.0.0", null)));
        assertEquals(UpdateResult.CONNECTION_FAILURE, e.result());
        assertTrue(e.getMessage().contains("redirect loop"), e.getMessage());
    }

    // ---- fetch ----

    @Test
    void aFetchStreamsThePackageWithProgress() throws Exception {
        TestServer s = release(vendor);
        HttpProvider p = provider(settings(s.uri("/release.json")));
        UpdateOffer o = p.offer(check("2.0.0", null)).orElseThrow();

        TestFetchRequest f = fetch(p, o);

        assertArrayEquals(PACKAGE, Files.readAllBytes(f.target()));
        assertEquals(PACKAGE.length, f.lastBytes());
    }

    @Test
    void a500IsRetriedAndThenSucceeds() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        TestServer s = server();
        s.on("/p.zip", ex -> {
            if (calls.incrementAndGet() == 1) {
                ex.sendResponseHeaders(500, -1);
            } else {
                ex.sendResponseHeaders(200, PACKAGE.length);
                ex.getResponseBody().write(PACKAGE);
            }
        });
        TestFetchRequest f = fetch(provider(settings(null)), offerOf(s, "/p.zip", PACKAGE.length));
        assertArrayEquals(PACKAGE, Files.readAllBytes(f.target()));
        assertEquals(2, calls.get());
    }

    @Test
    void a404IsNotRetried() throws Exception {
        TestServer s = server();
        UpdateException e = assertThrows(UpdateException.class,
                () -> fetch(provider(settings(null)), offerOf(s, "/p.zip", PACKAGE.length)));
        assertEquals(UpdateResult.CONNECTION_FAILURE, e.result());
        assertEquals(1, s.seen("/p.zip").size());
    }

    @Test
    void aConnectionDroppedMidBodyIsResumedWithRange() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        TestServer s = server();
        s.on("/p.zip", ex -> {
            if (calls.incrementAndGet() == 1) { // declares all, sends half, and the connection ends
                ex.sendResponseHeaders(200, PACKAGE.length);
                ex.getResponseBody().write(PACKAGE, 0, PACKAGE.length / 2);
                ex.getResponseBody().flush();
                throw new IOException("dropped on purpose");
            }
            String range = ex.getRequestHeaders().getFirst("Range");
            int from = Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (PACKAGE.length - 1) + "/"
                    + PACKAGE.length);
            ex.sendResponseHeaders(206, PACKAGE.length - from);
            ex.getResponseBody().write(PACKAGE, from, PACKAGE.length - from);
        });

        TestFetchRequest f = fetch(provider(settings(null)), offerOf(s, "/p.zip", PACKAGE.length));

        assertArrayEquals(PACKAGE, Files.readAllBytes(f.target()));
        List<TestServer.Seen> gets = s.seen("/p.zip");
        assertEquals(2, gets.size());
        assertNull(gets.get(0).headers().getFirst("Range"));
        String range = gets.get(1).headers().getFirst("Range");
        assertTrue(range != null && range.matches("bytes=[1-9]\\d*-"), "resumed with " + range);
    }

    @Test
    void aPartialEarlierTransferIsResumed() throws Exception {
        TestServer s = server().file("/p.zip", PACKAGE, "\"p\"");
        Path target = tmp.resolve("staged.zip");
        Files.write(target, java.util.Arrays.copyOf(PACKAGE, 1000));
        TestFetchRequest f = new TestFetchRequest(offerOf(s, "/p.zip", PACKAGE.length), target);
        provider(settings(null)).fetch(f);
        assertArrayEquals(PACKAGE, Files.readAllBytes(target));
        assertEquals("bytes=1000-", s.seen("/p.zip").get(0).headers().getFirst("Range"));
    }

    @Test
    void aServerIgnoringTheRangeIsReadFromTheStart() throws Exception {
        TestServer s = server().on("/p.zip", ex -> {
            ex.sendResponseHeaders(200, PACKAGE.length);
            ex.getResponseBody().write(PACKAGE);
        });
        Path target = tmp.resolve("staged.zip");
        Files.write(target, new byte[1000]); // not even the right bytes: a 200 replaces them
        provider(settings(null)).fetch(new TestFetchRequest(offerOf(s, "/p.zip", PACKAGE.length), target));
        assertArrayEquals(PACKAGE, Files.readAllBytes(target));
    }

    @Test
    void aStalledServerHitsTheReadTimeout() throws Exception {
        TestServer s = server().on("/p.zip", ex -> {
            ex.sendResponseHeaders(200, PACKAGE.length);
            ex.getResponseBody().write(PACKAGE, 0, 1000);
            ex.getResponseBody().flush();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Settings one = new Settings("", Duration.ofSeconds(2), Duration.ofSeconds(1), 1, null, Duration.ofMillis(20));
        long t0 = System.nanoTime();
        UpdateException e = assertThrows(UpdateException.class,
                () -> fetch(provider(one), offerOf(s, "/p.zip", PACKAGE.length)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(UpdateResult.CONNECTION_FAILURE, e.result());
        assertTrue(e.getMessage().contains("read timeout"), e.getMessage());
        assertTrue(ms < 5000, "two attempts of about 1 s each, took " + ms + " ms");
    }

    @Test
    void aSlowButSteadyBodyOutlastsTheReadTimeout() throws Exception {
        TestServer s = server().on("/p.zip", ex -> {
            ex.sendResponseHeaders(200, PACKAGE.length);
            int step = PACKAGE.length / 25;
            for (int i = 0; i < PACKAGE.length; i += step) { // 2.5 s in all, never 1 s without data
                ex.getResponseBody().write(PACKAGE, i, Math.min(step, PACKAGE.length - i));
                ex.getResponseBody().flush();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        Settings one = new Settings("", Duration.ofSeconds(2), Duration.ofSeconds(1), 0, null, Duration.ofMillis(20));
        TestFetchRequest f = fetch(provider(one), offerOf(s, "/p.zip", PACKAGE.length));
        assertArrayEquals(PACKAGE, Files.readAllBytes(f.target()));
    }

    @Test
    void aStalledServerBeforeTheHeadersHitsTheReadTimeout() throws Exception {
        TestServer s = server().on("/release.json", ex -> {
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Settings one = new Settings(s.uri("/release.json").toString(), Duration.ofSeconds(2), Duration.ofSeconds(1),
                1, null, Duration.ofMillis(20));
        long t0 = System.nanoTime();
        UpdateException e = assertThrows(UpdateException.class, () -> provider(one).offer(check("1.0.0", null)));
        assertEquals(UpdateResult.CONNECTION_FAILURE, e.result());
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 3000);
    }

    @Test
    void aBodyLongerThanDeclaredIsCutOff() throws Exception {
        TestServer s = server().on("/p.zip", ex -> {
            ex.sendResponseHeaders(200, PACKAGE.length);
            ex.getResponseBody().write(PACKAGE);
        });
        Path target = tmp.resolve("staged.zip");
        UpdateException e = assertThrows(UpdateException.class,
                () -> provider(settings(null)).fetch(new TestFetchRequest(offerOf(s, "/p.zip", 100_000), target)));
        assertEquals(UpdateResult.VALIDATION_FAILURE, e.result());
        assertTrue(Files.size(target) <= 100_000, "never more than declared: " + Files.size(target));
        assertEquals(1, s.seen("/p.zip").size(), "not retried");
    }

    @Test
    void aBodyShorterThanDeclaredEveryTimeFailsAfterBoundedRetries() throws Exception {
        TestServer s = server().on("/p.zip", ex -> {
            ex.sendResponseHeaders(200, 1000);
            ex.getResponseBody().write(PACKAGE, 0, 1000);
        });
        UpdateException e = assertThrows(UpdateException.class,
                () -> fetch(provider(settings(null)), offerOf(s, "/p.zip", PACKAGE.length)));
        assertEquals(UpdateResult.CONNECTION_FAILURE, e.result());
        assertEquals(4, s.seen("/p.zip").size(), "1 attempt and 3 retries");
    }

    @Test
    void aCancelledFetchStopsAtOnce() throws Exception {
        TestServer s = server().on("/p.zip", ex -> {
            ex.sendResponseHeaders(200, PACKAGE.length);
            for (int i = 0; i < PACKAGE.length; i += 1000) {
                ex.getResponseBody().write(PACKAGE, i, Math.min(1000, PACKAGE.length - i));
                ex.getResponseBody().flush();
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        TestFetchRequest f = new TestFetchRequest(offerOf(s, "/p.zip", PACKAGE.length), tmp.resolve("staged.zip"))
                .onProgress(x -> {
                    if (x.lastBytes() >= 20_000) {
                        x.cancel();
                    }
                });
        long t0 = System.nanoTime();
        UpdateException e = assertThrows(UpdateException.class, () -> provider(settings(null)).fetch(f));
        assertEquals(UpdateResult.IDLE, e.result());
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 1000);
        assertTrue(f.lastBytes() < PACKAGE.length);
        assertEquals(1, s.seen("/p.zip").size(), "not retried");
    }

    @Test
    void settingsFromTheConfiguration() {
        Settings s = settings(null);
        assertEquals(Duration.ofMillis(20), s.backoff(1));
        assertEquals(Duration.ofMillis(80), s.backoff(3));
        assertFalse(s.backoff(40).isNegative());
    }
}
