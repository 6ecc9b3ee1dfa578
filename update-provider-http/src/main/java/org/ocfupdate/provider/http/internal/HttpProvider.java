package org.ocfupdate.provider.http.internal;

import org.ocfupdate.pstat.api.provider.SemanticVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLHandshakeException;

import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.provider.FetchRequest;
import org.ocfupdate.pstat.api.provider.OfferRequest;
import org.ocfupdate.pstat.api.provider.UpdateException;
import org.ocfupdate.pstat.api.provider.UpdateOffer;
import org.ocfupdate.pstat.api.provider.UpdateProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Over-the-air updates (docs/operator-contract.md, HTTP release descriptor): the check GETs the descriptor and its
 * {@code .sig} (conditionally: an unchanged descriptor costs a 304), has the engine verify the signature with its trusted keys
 * ({@link OfferRequest#verify}) and
 * offers the package when it is newer; the fetch streams the package into staging, resuming with a Range request
 * after a lost connection, with bounded retries. Registered by {@link HttpProviderManager}.
 */
final class HttpProvider implements UpdateProvider {
    private static final Logger LOG = LoggerFactory.getLogger(HttpProvider.class);
    static final int MAX_DESCRIPTOR = 64 * 1024;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A GET answered 200 once: its ETag and body, reused when the server answers 304. */
    private record Cached(String etag, byte[] body, URI uri) {
    }

    /** A descriptor or signature as read: {@code status} 200, or 304 when the cached copy was reused. */
    private record Small(int status, byte[] body, URI uri) {
    }

    private final Map<URI, Cached> cache = new ConcurrentHashMap<>();
    /** ETags of packages partly fetched, for If-Range on resume. */
    private final Map<URI, String> packageTags = new ConcurrentHashMap<>();
    private volatile Settings settings;
    private volatile HttpTransport transport;
    private volatile String status = "no check yet";

    HttpProvider(Settings settings) {
        reconfigure(settings);
    }

    void reconfigure(Settings next) {
        HttpTransport t;
        try {
            t = new HttpTransport(next);
        } catch (IOException | GeneralSecurityException e) {
            LOG.error("HTTP provider: cannot read the CA file {} ({}); only the JDK's default trust is used",
                    next.caFile(), e.getMessage());
            status = "CA file " + next.caFile() + " unreadable: " + e.getMessage();
            next = new Settings(next.url(), next.connectTimeout(), next.readTimeout(), next.retries(), null,
                    next.backoff());
            try {
                t = new HttpTransport(next);
            } catch (IOException | GeneralSecurityException x) {
                throw new IllegalStateException(x);
            }
        }
        settings = next;
        transport = t;
    }

    @Override
    public Optional<UpdateOffer> offer(OfferRequest request) throws UpdateException {
        SemanticVersion running;
        try {
            running = SemanticVersion.parse(request.runningVersion());
        } catch (IllegalArgumentException e) {
            throw new UpdateException(UpdateResult.VALIDATION_FAILURE, "running version: " + e.getMessage());
        }
        URI url = request.location().isPresent() ? checkedUrl(request.location().get().toString())
                : checkedUrl(settings.url());
        try {
            Small descriptor = getSmall(url, request::isCancelled);
            Small sig = getSmall(URI.create(url + ".sig"), request::isCancelled);
            try {
                request.verify(descriptor.body(), sig.body()); // trust stays in the engine: its keys, its rules
            } catch (UpdateException e) {
                throw fail(url, e.result(), e.getMessage().startsWith("no trusted signing key") ? e.getMessage()
                        : "the release descriptor " + url + " is not signed by a trusted key (" + e.getMessage() + ")");
            }
            Descriptor d = parse(descriptor);
            String seen = "descriptor " + d.version() + " at " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS)
                    + " (" + descriptor.status() + ") from " + url;
            if (!d.version().isNewerThan(running)) {
                status = seen + ", not newer than " + running;
                LOG.info("HTTP: {} offers {}, not newer than {}", url, d.version(), running);
                return Optional.empty();
            }
            if (request.wasRefused(d.version().toString(), d.sha256())) {
                status = seen + ", refused before";
                LOG.info("HTTP: {} offers {}, which was refused before", url, d.version());
                return Optional.empty();
            }
            status = seen;
            LOG.info("HTTP: offering {} ({} bytes) from {}", d.version(), d.size(), d.pkg());
            return Optional.of(UpdateOffer.builder(d.version().toString(), d.pkg()).size(d.size()).sha256(d.sha256())
                    .description(d.version() + " from " + d.pkg()).build());
        } catch (HttpTransport.Cancelled e) {
            return Optional.empty();
        } catch (IOException e) {
            throw fail(url, UpdateResult.CONNECTION_FAILURE, url + " unreachable: " + reason(e));
        }
    }

    private UpdateException fail(URI url, UpdateResult result, String reason) {
        status = reason;
        LOG.warn("HTTP check of {} failed (result {}): {}", url, result.code(), reason);
        return new UpdateException(result, reason);
    }

    /** An absolute http(s) URL, else 6 (malformed or relative) or 7 (another scheme). */
    static URI checkedUrl(String text) throws UpdateException {
        URI u;
        try {
            u = new URI(text);
        } catch (URISyntaxException e) {
            throw new UpdateException(UpdateResult.INVALID_URL, "not a URL: " + text);
        }
        if (u.getScheme() == null) {
            throw new UpdateException(UpdateResult.INVALID_URL, "not an absolute URL: '" + text + "'");
        }
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new UpdateException(UpdateResult.UNSUPPORTED_PROTOCOL, "the HTTP provider does not speak "
                    + scheme + " (" + text + ")");
        }
        if (u.getHost() == null || u.getRawPath() == null) {
            throw new UpdateException(UpdateResult.INVALID_URL, "no host in " + text);
        }
        return u;
    }

    /** The release descriptor, verified. */
    record Descriptor(SemanticVersion version, URI pkg, long size, String sha256) {
    }

    private Descriptor parse(Small descriptor) throws UpdateException {
        try {
            JsonNode n = JSON.readTree(descriptor.body());
            SemanticVersion v = SemanticVersion.parse(n.path("version").asText(null));
            String pkg = n.path("package").asText(null);
            JsonNode size = n.path("size");
            String sha = n.path("sha256").asText("");
            if (pkg == null || !size.canConvertToLong() || size.asLong() < 0 || !SHA256.matcher(sha).matches()) {
                throw new IllegalArgumentException("needs package, size and sha256");
            }
            URI location = descriptor.uri().resolve(new URI(pkg));
            checkedUrl(location.toString());
            return new Descriptor(v, location, size.asLong(), sha.toLowerCase(Locale.ROOT));
        } catch (IOException | URISyntaxException | IllegalArgumentException | UpdateException e) {
            throw fail(descriptor.uri(), UpdateResult.VALIDATION_FAILURE, "the release descriptor "
                    + descriptor.uri() + " is invalid: " + e.getMessage());
        }
    }

    /** GETs a descriptor or signature, conditionally when it was read before. */
    private Small getSmall(URI uri, BooleanSupplier cancelled) throws IOException, UpdateException {
        Cached before = cache.get(uri);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        Map<String, String> headers = before != null && before.etag() != null
                ? Map.of("If-None-Match", before.etag()) : Map.of();
        HttpTransport.Response r = transport.get(uri, headers, cancelled, info -> buffers -> {
            for (ByteBuffer buffer : buffers) {
                if (body.size() + buffer.remaining() > MAX_DESCRIPTOR) {
                    throw new IOException(uri + " is larger than " + MAX_DESCRIPTOR + " bytes");
                }
                byte[] b = new byte[buffer.remaining()];
                buffer.get(b);
                body.write(b);
            }
        });
        if (r.status() == 304 && before != null) {
            LOG.debug("HTTP: {} unchanged (304)", uri);
            return new Small(304, before.body(), before.uri());
        }
        if (r.status() != 200) {
            throw fail(uri, UpdateResult.CONNECTION_FAILURE, statusReason(uri, r));
        }
        Cached c = new Cached(r.headers().firstValue("ETag").orElse(null), body.toByteArray(), r.uri());
        if (c.etag() != null) {
            cache.put(uri, c);
        } else {
            cache.remove(uri);
        }
        return new Small(200, c.body(), c.uri());
    }

    private static String statusReason(URI uri, HttpTransport.Response r) {
        int s = r.status();
        if (s / 100 == 3) {
            String to = r.headers().firstValue("Location").orElse("?");
            boolean downgrade = "https".equalsIgnoreCase(r.uri().getScheme()) && to.toLowerCase(Locale.ROOT)
                    .startsWith("http:");
            return downgrade ? "redirect from " + r.uri() + " to " + to + " refused (https to http)"
                    : "too many redirects (a redirect loop?) at " + r.uri() + " to " + to;
        }
        return s == 404 ? uri + " not found (404)" : uri + " answered " + s;
    }

    static String reason(IOException e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && t.getMessage() == null) {
            t = t.getCause();
        }
        if (e instanceof HttpTimeoutException) {
            return "timeout: " + e.getMessage();
        }
        if (e instanceof ConnectException) {
            return "connection refused or timed out" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
        }
        if (e instanceof SSLHandshakeException || e.getCause() instanceof SSLHandshakeException) {
            return "TLS handshake failed (server certificate not trusted? set caFile): " + e.getMessage();
        }
        return t.getMessage() == null ? t.toString() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    @Override
    public void fetch(FetchRequest request) throws UpdateException {
        UpdateOffer offer = request.offer();
        URI uri = checkedUrl(offer.location().toString());
        Settings s = settings;
        String last = "no attempt";
        for (int attempt = 0; attempt <= s.retries(); attempt++) {
            if (attempt > 0) {
                LOG.info("HTTP fetch of {}: retry {} of {} in {} ms after: {}", uri, attempt, s.retries(),
                        s.backoff(attempt).toMillis(), last);
                sleep(s.backoff(attempt).toMillis(), request);
            }
            try {
                if (once(uri, request)) {
                    status = "fetched " + offer.version() + " from " + uri;
                    return;
                }
                last = "the connection ended before the declared " + offer.size() + " bytes";
            } catch (Retry e) {
                last = e.getMessage();
            } catch (HttpTransport.Cancelled e) {
                throw cancelled(uri);
            } catch (IOException e) {
                last = reason(e);
            }
            if (request.isCancelled()) {
                throw cancelled(uri);
            }
        }
        status = "fetch of " + uri + " failed: " + last;
        LOG.warn("HTTP fetch of {} failed after {} attempts: {}", uri, s.retries() + 1, last);
        throw new UpdateException(UpdateResult.CONNECTION_FAILURE, "cannot fetch " + uri + ": " + last);
    }

    private UpdateException cancelled(URI uri) {
        LOG.info("HTTP fetch of {} cancelled", uri);
        return new UpdateException(UpdateResult.IDLE, "cancelled");
    }

    /** A failure worth another attempt (5xx, a resume the server did not honour as asked). */
    private static final class Retry extends IOException {
        private static final long serialVersionUID = 1L;

        Retry(String message) {
            super(message);
        }
    }

    /** The package grew past its declared size: never retried. */
    private static final class TooLong extends IOException {
        private static final long serialVersionUID = 1L;

        TooLong(String message) {
            super(message);
        }
    }

    /**
     * One GET, resuming the bytes already in the target.
     *
     * @return true when the target holds the declared size, false when the body ended early
     */
    private boolean once(URI uri, FetchRequest request) throws IOException, UpdateException {
        long size = request.offer().size();
        try (FileChannel out = FileChannel.open(request.target(), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            long have = out.size();
            if (have >= size || size <= 0) {
                have = 0; // nothing to resume (or nothing to trust): start over
            }
            out.truncate(have);
            Map<String, String> headers = new java.util.HashMap<>();
            if (have > 0) {
                headers.put("Range", "bytes=" + have + "-");
                String tag = packageTags.get(uri);
                if (tag != null) {
                    headers.put("If-Range", tag);
                }
            }
            long start = have;
            long[] position = {-1};
            StagingWriter writer = new StagingWriter(out, size, uri, request);
            HttpTransport.Response r;
            try {
                r = transport.get(uri, headers, request::isCancelled, info -> {
                    if (info.statusCode() == 206) {
                        Matcher m = CONTENT_RANGE.matcher(info.headers().firstValue("Content-Range").orElse(""));
                        position[0] = m.matches() && Long.parseLong(m.group(1)) == start ? start : -2;
                    } else if (info.statusCode() == 200) {
                        position[0] = 0;
                    }
                    if (position[0] < 0) {
                        return buffers -> buffers.forEach(b -> b.position(b.limit())); // error page or bad range
                    }
                    writer.startAt(position[0]);
                    return writer::accept;
                });
                writer.flush();
            } finally {
                writer.flushQuietly(); // what arrived stays, for a resume
            }
            r.headers().firstValue("ETag").ifPresent(t -> packageTags.put(uri, t));
            int st = r.status();
            if (st == 206 && position[0] == -2) {
                out.truncate(0);
                throw new Retry("the server answered a different range than bytes=" + start + "-: starting over");
            }
            if (st == 416 && start > 0) {
                out.truncate(0);
                throw new Retry("the server refused the range bytes=" + start + "-: starting over");
            }
            if (st / 100 == 5) {
                throw new Retry(uri + " answered " + st);
            }
            if (st != 200 && st != 206) {
                throw new UpdateException(UpdateResult.CONNECTION_FAILURE, statusReason(uri, r));
            }
            long total = writer.end();
            if (st == 206) {
                LOG.info("HTTP fetch of {} resumed at byte {}", uri, start);
            }
            if (total < size) {
                return false;
            }
            out.force(true);
            packageTags.remove(uri);
            LOG.info("Fetched {} ({} bytes) to {}", uri, total, request.target());
            return true;
        } catch (TooLong e) {
            status = e.getMessage();
            throw new UpdateException(UpdateResult.VALIDATION_FAILURE, e.getMessage());
        } catch (FileSystemException e) {
            throw new UpdateException(UpdateResult.NOT_ENOUGH_FLASH, "cannot write the staging file "
                    + request.target() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the body into the staging file in 1 MiB writes (the JDK hands over 16 KiB buffers), refusing bytes beyond
     * the declared size; progress is reported as bytes arrive. Called on the client's threads, flushed by the fetching
     * one, hence synchronized.
     */
    private static final class StagingWriter {
        private final FileChannel out;
        private final long size;
        private final URI uri;
        private final FetchRequest request;
        private final ByteBuffer pending = ByteBuffer.allocateDirect(1 << 20);
        private long received = -1; // the end of the bytes arrived, once started
        private long seek = -1;

        StagingWriter(FileChannel out, long size, URI uri, FetchRequest request) {
            this.out = out;
            this.size = size;
            this.uri = uri;
            this.request = request;
        }

        /** The body goes at {@code position}: what the file holds beyond it is dropped at the first write. */
        synchronized void startAt(long position) {
            received = position;
            seek = position;
        }

        synchronized void accept(List<ByteBuffer> buffers) throws IOException {
            if (request.isCancelled()) {
                throw new HttpTransport.Cancelled();
            }
            for (ByteBuffer b : buffers) {
                if (received + b.remaining() > size) {
                    throw new TooLong(uri + " sent more than the declared " + size + " bytes");
                }
                received += b.remaining();
                while (b.hasRemaining()) {
                    if (!pending.hasRemaining()) {
                        flush();
                    }
                    int n = Math.min(b.remaining(), pending.remaining());
                    pending.put(b.slice(b.position(), n));
                    b.position(b.position() + n);
                }
            }
            request.progress(received, size);
        }

        synchronized void flush() throws IOException {
            if (seek >= 0) {
                out.truncate(seek);
                out.position(seek);
                seek = -1;
            }
            pending.flip();
            while (pending.hasRemaining()) {
                out.write(pending);
            }
            pending.clear();
        }

        synchronized void flushQuietly() {
            try {
                if (out.isOpen()) {
                    flush();
                }
            } catch (IOException e) {
                LOG.debug("Cannot keep the partial transfer of {}: {}", uri, e.toString());
            }
        }

        /** Where the body ended in the file (the position of the last byte written + 1), or -1 when none. */
        synchronized long end() {
            return received;
        }
    }

    private static void sleep(long millis, FetchRequest request) throws UpdateException {
        long end = System.currentTimeMillis() + millis;
        try {
            while (System.currentTimeMillis() < end) {
                if (request.isCancelled()) {
                    throw new UpdateException(UpdateResult.IDLE, "cancelled");
                }
                Thread.sleep(Math.min(50, Math.max(1, end - System.currentTimeMillis())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpdateException(UpdateResult.IDLE, "cancelled");
        }
    }

    @Override
    public String status() {
        return status;
    }
}
