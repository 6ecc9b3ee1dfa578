package org.ocfupdate.provider.hawkbit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

import org.ocfupdate.provider.support.PrivateCaTrust;

/**
 * The DDI requests, with the JDK's HttpClient. The Authorization header goes only to the server's own origin (scheme,
 * host and port of {@code url}): a download link to another host (a CDN) gets no token, nor does a redirect to one.
 * Bodies read into memory are capped ({@link Ddi#MAX_DOCUMENT}); redirects are never followed from https to http.
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

    /** Redirects followed per GET, as many as the JDK's own {@code Redirect.NORMAL} follows. */
    static final int MAX_REDIRECTS = 5;
    private final HttpClient client;
    private final Settings settings;

    DdiClient(Settings settings) throws IOException, GeneralSecurityException {
        this.settings = settings;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(settings.connectTimeout());
        ProxySelector proxies = ProxySelector.getDefault();
        if (proxies != null) {
            b.proxy(proxies);
        }
        if (settings.caFile() != null) {
            b.sslContext(PrivateCaTrust.sslContext(settings.caFile()));
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

    /**
     * Sends {@code r}, following redirects of a GET here rather than in the HttpClient: the JDK's client repeats every
     * header of the request to wherever it is redirected, the token included (seen with JDK 17). Each hop gets the
     * Authorization header only when it is on the server's origin; https to http is not followed (the 3xx is the
     * answer then, as after {@link #MAX_REDIRECTS} hops).
     */
    private HttpResponse<InputStream> exchange(HttpRequest r) throws IOException, InterruptedException {
        for (int hop = 0;; hop++) {
            HttpResponse<InputStream> resp = client.send(r, HttpResponse.BodyHandlers.ofInputStream());
            int st = resp.statusCode();
            String location = resp.headers().firstValue("Location").orElse(null);
            if (!r.method().equals("GET") || location == null || hop == MAX_REDIRECTS
                    || st != 301 && st != 302 && st != 303 && st != 307 && st != 308) {
                return resp;
            }
            URI next;
            try {
                next = r.uri().resolve(location);
            } catch (IllegalArgumentException e) {
                return resp; // a Location that is no URI: the 3xx is the answer
            }
            String scheme = lower(next.getScheme());
            if (!"https".equals(scheme) && !"http".equals(scheme)
                    || "https".equalsIgnoreCase(r.uri().getScheme()) && !"https".equals(scheme)) {
                return resp;
            }
            resp.body().close();
            HttpRequest.Builder rb = HttpRequest.newBuilder(r, (name, value) -> !name.equalsIgnoreCase(
                    "Authorization")).uri(next);
            if (settings.authorization() != null && sameOrigin(next, settings.server())) {
                rb.header("Authorization", settings.authorization());
            }
            r = rb.build();
        }
    }

    private Response send(HttpRequest r) throws IOException, InterruptedException {
        HttpResponse<InputStream> resp = exchange(r);
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
        return exchange(rb.build());
    }
}
