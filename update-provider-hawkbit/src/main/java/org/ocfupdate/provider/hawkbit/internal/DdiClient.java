package org.ocfupdate.provider.hawkbit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The DDI requests, with the JDK's HttpClient. The Authorization header goes only to the server's own origin (scheme,
 * host and port of {@code url}): a download link to another host (a CDN) gets no token. Bodies read into memory are
 * capped ({@link Ddi#MAX_DOCUMENT}); redirects are never followed from https to http.
 */
final class DdiClient {
    /** A response: status, headers and (for documents) the body, at most {@link Ddi#MAX_DOCUMENT} bytes. */
    record Response(int status, HttpHeaders headers, byte[] body) {
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    /** An answer larger than {@link Ddi#MAX_DOCUMENT}: refused, not read further. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message);
        }
    }

    private final HttpClient client;
    private final Settings settings;

    DdiClient(Settings settings) throws IOException, GeneralSecurityException {
        this.settings = settings;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(settings.connectTimeout());
        ProxySelector proxies = ProxySelector.getDefault();
        if (proxies != null) {
            b.proxy(proxies);
        }
        if (settings.caFile() != null) {
            b.sslContext(sslContext(settings.caFile()));
        }
        client = b.build();
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(settings.readTimeout());
        if (settings.authorization() != null && sameOrigin(uri, settings.server())) {
            rb.header("Authorization", settings.authorization());
        }
        return rb;
    }

    static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(lower(a.getScheme()), lower(b.getScheme()))
                && Objects.equals(lower(a.getHost()), lower(b.getHost())) && port(a) == port(b);
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    /** GET of a DDI document, conditional when {@code etag} is given. */
    Response get(URI uri, String etag) throws IOException, InterruptedException {
        HttpRequest.Builder rb = request(uri).GET().header("Accept", "application/hal+json");
        if (etag != null) {
            rb.header("If-None-Match", etag);
        }
        return send(rb.build());
    }

    Response post(URI uri, JsonNode body) throws IOException, InterruptedException {
        return send(request(uri).header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Ddi.JSON.writeValueAsBytes(body))).build());
    }

    Response put(URI uri, JsonNode body) throws IOException, InterruptedException {
        return send(request(uri).header("Content-Type", "application/json").header("Accept", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(Ddi.JSON.writeValueAsBytes(body))).build());
    }

    private Response send(HttpRequest r) throws IOException, InterruptedException {
        HttpResponse<InputStream> resp = client.send(r, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = resp.body()) {
            byte[] body = in.readNBytes(Ddi.MAX_DOCUMENT + 1);
            if (body.length > Ddi.MAX_DOCUMENT) {
                throw new TooLarge(r.method() + " " + r.uri() + ": answer larger than " + Ddi.MAX_DOCUMENT
                        + " bytes, refused");
            }
            return new Response(resp.statusCode(), resp.headers(), body);
        }
    }

    /** GET of an artifact; the caller reads (and closes) the stream. */
    HttpResponse<InputStream> download(URI uri, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder rb = request(uri).GET();
        headers.forEach(rb::header);
        return client.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    /** The JDK's default trust plus the CA certificates in {@code pem} (a private PKI). */
    static SSLContext sslContext(Path pem) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        jdk.init((KeyStore) null);
        int i = 0;
        for (var tm : jdk.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                for (X509Certificate c : x.getAcceptedIssuers()) {
                    store.setCertificateEntry("jdk-" + i++, c);
                }
            }
        }
        Collection<? extends Certificate> cas;
        try (InputStream in = Files.newInputStream(pem)) {
            cas = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (cas.isEmpty()) {
            throw new GeneralSecurityException(pem + " holds no certificate");
        }
        for (Certificate c : cas) {
            store.setCertificateEntry("ca-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
