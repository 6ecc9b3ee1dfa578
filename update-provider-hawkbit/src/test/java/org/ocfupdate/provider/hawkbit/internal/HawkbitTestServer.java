package org.ocfupdate.provider.hawkbit.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;

/**
 * A hawkBit-compatible DDI server for one tenant (JDK HttpServer on 127.0.0.1), behaving as a real hawkBit does
 * (docs/hawkbit.md, "How a real hawkBit server answers"): GatewayToken authentication, sleep as HH:MM:SS, string action
 * ids, an ETag on the root with 304, {@code download-http} links only (plain HTTP), ranges with If-Range against the
 * quoted sha1, 404 for a closed action's artifacts, 410 for feedback after closing, cancelAction. Every request and
 * every response is checked against the published OpenAPI document ({@link DdiSpec}); violations are collected in
 * {@link #violations} (the tests assert it stays empty). Faults are injected on purpose ({@link #fail}).
 * With a TLS context it serves HTTPS and, like a real hawkBit reached over https, links artifacts with {@code download}
 * (https) instead of {@code download-http}.
 */
final class HawkbitTestServer implements AutoCloseable {
    static final String TENANT = "DEFAULT";
    static final String TOKEN = "gw-secret-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as received, with the status answered. */
    record Seen(long nanos, String method, String path, String query, Headers headers, byte[] body, int status) {
        String header(String name) {
            return headers.getFirst(name);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** An assigned distribution set: one software module with one artifact. */
    static final class Action {
        final String id;
        volatile String download;
        volatile String update;
        volatile String window; // null: no maintenance window
        final String filename;
        final byte[] bytes;
        volatile String sha256;
        final long module;
        final String version;
        volatile String state = "open"; // open, closed, canceling, canceled
        volatile boolean cancelRequested;
        final List<JsonNode> feedback = new CopyOnWriteArrayList<>();
        final List<JsonNode> cancelFeedback = new CopyOnWriteArrayList<>();

        Action(String id, String version, String filename, byte[] bytes, String download, String update) {
            this.id = id;
            this.version = version;
            this.filename = filename;
            this.bytes = bytes;
            this.sha256 = digest("SHA-256", bytes);
            this.module = Long.parseLong(id) + 100;
            this.download = download;
            this.update = update;
        }

        /** The executions reported, in order. */
        List<String> executions() {
            return feedback.stream().map(f -> f.path("status").path("execution").asText()).toList();
        }
    }

    final List<Seen> seen = new CopyOnWriteArrayList<>();
    final List<String> violations = new CopyOnWriteArrayList<>();
    final List<JsonNode> configData = new CopyOnWriteArrayList<>();
    final List<JsonNode> installedBase = new CopyOnWriteArrayList<>();
    final Map<String, Action> actions = new LinkedHashMap<>();
    final String controllerId;
    volatile String sleep = "00:00:01";
    volatile boolean requestAttributes;
    /** Status to answer to the next {@code failures} requests (any path), instead of serving them. */
    private final AtomicInteger failures = new AtomicInteger();
    private volatile int failStatus;
    private volatile String retryAfter;
    /** The next artifact download sends this many bytes, then stalls (-1: none) or ends the connection. */
    volatile long cutAfter = -1;
    volatile boolean stallAtCut;
    /** Serves without a token (a CDN holding the artifacts); records the Authorization header it gets all the same. */
    volatile boolean anonymous;
    /** When set, the deployments link artifacts on this origin instead of the server's own (a CDN). */
    volatile URI artifactOrigin;
    /** When set, artifact requests are answered 302 to the same path on this origin (storage behind a redirect). */
    volatile URI redirectArtifactsTo;
    private final SSLContext tls;
    private final DdiSpec spec = new DdiSpec();
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "hawkbit-test-server");
        t.setDaemon(true);
        return t;
    });
    private final int port;
    private HttpServer server;

    HawkbitTestServer(String controllerId) throws IOException {
        this(controllerId, null);
    }

    /** @param tls the server's key and certificate: HTTPS; null: plain HTTP */
    HawkbitTestServer(String controllerId, SSLContext tls) throws IOException {
        this.controllerId = controllerId;
        this.tls = tls;
        server = create(0);
        this.port = server.getAddress().getPort();
    }

    private HttpServer create(int p) throws IOException {
        HttpServer s;
        if (tls != null) {
            HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", p), 50);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            s = https;
        } else {
            s = HttpServer.create(new InetSocketAddress("127.0.0.1", p), 50);
        }
        s.createContext("/", this::handle);
        s.setExecutor(executor);
        s.start();
        return s;
    }

    URI url() {
        return URI.create((tls != null ? "https" : "http") + "://127.0.0.1:" + port);
    }

    String base() {
        return url() + "/" + TENANT + "/controller/v1/" + controllerId;
    }

    /** Stops answering (connections refused) until {@link #restart}. */
    synchronized void stop() {
        server.stop(0);
    }

    synchronized void restart() throws IOException {
        server = create(port);
    }

    synchronized Action assign(String id, String version, String filename, byte[] bytes, String download,
            String update) {
        Action a = new Action(id, version, filename, bytes, download, update);
        actions.put(id, a);
        return a;
    }

    void fail(int count, int status, String retryAfter) {
        this.failStatus = status;
        this.retryAfter = retryAfter;
        failures.set(count);
    }

    List<Seen> requests(String method, String pathSuffix) {
        return seen.stream().filter(s -> s.method().equals(method) && s.path().endsWith(pathSuffix)).toList();
    }

    List<Seen> polls() {
        return seen.stream().filter(s -> s.method().equals("GET") && s.path().equals("/" + TENANT
                + "/controller/v1/" + controllerId)).toList();
    }

    private synchronized Action open() {
        return actions.values().stream().filter(a -> !a.state.equals("closed") && !a.state.equals("canceled"))
                .findFirst().orElse(null);
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getRawPath();
        String query = ex.getRequestURI().getRawQuery();
        int status;
        try {
            try {
                spec.request(method, path, query, ex.getRequestHeaders().getFirst("Content-Type"), body);
            } catch (AssertionError e) {
                violations.add("request: " + e.getMessage());
            }
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                if (retryAfter != null) {
                    ex.getResponseHeaders().set("Retry-After", retryAfter);
                }
                status = failStatus; // injected: outside the document on purpose, not validated
                ex.sendResponseHeaders(status, -1);
            } else if (!anonymous && !("GatewayToken " + TOKEN).equals(ex.getRequestHeaders().getFirst(
                    "Authorization"))) {
                status = send(ex, method, path, 401, null, null);
            } else {
                status = route(ex, method, path, query, body);
            }
        } catch (RuntimeException | IOException e) {
            if (e instanceof IOException && !(e instanceof com.fasterxml.jackson.core.JacksonException)) {
                // the client went away mid-exchange (a provider stopped at the end of a test): over TLS writing
                // then fails with "output stream is closed"; nothing to answer, and no fault of the request
                seen.add(new Seen(System.nanoTime(), method, path, query, ex.getRequestHeaders(), body, -1));
                ex.close();
                return;
            }
            violations.add("server error on " + method + " " + path + ": " + e);
            status = 500;
            try {
                ex.sendResponseHeaders(500, -1);
            } catch (IOException | RuntimeException x) {
                // the headers were sent already
            }
        } finally {
            ex.close();
        }
        seen.add(new Seen(System.nanoTime(), method, path, query, ex.getRequestHeaders(), body, status));
    }

    private int route(HttpExchange ex, String method, String path, String query, byte[] body) throws IOException {
        String prefix = "/" + TENANT + "/controller/v1/" + controllerId;
        if (!path.startsWith(prefix)) {
            return send(ex, method, path, 404, null, null);
        }
        String rest = path.substring(prefix.length());
        Matcher m;
        if (rest.isEmpty() && method.equals("GET")) {
            return root(ex, method, path);
        }
        if ((m = Pattern.compile("/deploymentBase/(\\d+)").matcher(rest)).matches() && method.equals("GET")) {
            Action a = actions.get(m.group(1));
            return send(ex, method, path, 200, a == null ? null : deployment(a), null);
        }
        if ((m = Pattern.compile("/deploymentBase/(\\d+)/feedback").matcher(rest)).matches()) {
            Action a = actions.get(m.group(1));
            if (a == null) {
                return send(ex, method, path, 404, null, null);
            }
            if (a.state.equals("closed") || a.state.equals("canceled")) {
                return send(ex, method, path, 410, null, null);
            }
            JsonNode f = JSON.readTree(body);
            a.feedback.add(f);
            if (f.path("status").path("execution").asText().equals("closed")) {
                a.state = "closed";
            }
            return send(ex, method, path, 200, null, null);
        }
        if ((m = Pattern.compile("/cancelAction/(\\d+)").matcher(rest)).matches() && method.equals("GET")) {
            ObjectNode c = JSON.createObjectNode().put("id", m.group(1));
            c.putObject("cancelAction").put("stopId", m.group(1));
            return send(ex, method, path, 200, c, null);
        }
        if ((m = Pattern.compile("/cancelAction/(\\d+)/feedback").matcher(rest)).matches()) {
            Action a = actions.get(m.group(1));
            JsonNode f = JSON.readTree(body);
            if (a != null) {
                a.cancelFeedback.add(f);
                String exec = f.path("status").path("execution").asText();
                if (exec.equals("closed") && f.path("status").path("result").path("finished").asText()
                        .equals("success")) {
                    a.state = "canceled";
                    a.cancelRequested = false;
                } else if (exec.equals("rejected")) {
                    a.cancelRequested = false;
                }
            }
            return send(ex, method, path, 200, null, null);
        }
        if (rest.equals("/configData") && method.equals("PUT")) {
            configData.add(JSON.readTree(body));
            requestAttributes = false;
            return send(ex, method, path, 200, null, null);
        }
        if (rest.equals("/installedBase") && method.equals("PUT")) {
            installedBase.add(JSON.readTree(body));
            return send(ex, method, path, 200, null, null);
        }
        if ((m = Pattern.compile("/softwaremodules/(\\d+)/artifacts/([^/]+)").matcher(rest)).matches()
                && method.equals("GET")) {
            return artifact(ex, method, path, Long.parseLong(m.group(1)), m.group(2));
        }
        return send(ex, method, path, 404, null, null);
    }

    private int root(HttpExchange ex, String method, String path) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("config").putObject("polling").put("sleep", sleep);
        ObjectNode links = root.putObject("_links");
        Action a = open();
        if (a != null && a.cancelRequested) {
            links.putObject("cancelAction").put("href", base() + "/cancelAction/" + a.id);
        } else if (a != null) {
            links.putObject("deploymentBase").put("href", base() + "/deploymentBase/" + a.id + "?c="
                    + deployment(a).toString().hashCode());
        }
        if (requestAttributes) {
            links.putObject("configData").put("href", base() + "/configData");
        }
        String etag = "\"" + digest("SHA-1", root.toString().getBytes(StandardCharsets.UTF_8)) + "\"";
        if (etag.equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
            ex.getResponseHeaders().set("ETag", etag);
            return send(ex, method, path, 304, null, null);
        }
        ex.getResponseHeaders().set("ETag", etag);
        return send(ex, method, path, 200, root, "application/hal+json");
    }

    ObjectNode deployment(Action a) {
        ObjectNode d = JSON.createObjectNode().put("id", a.id);
        ObjectNode dep = d.putObject("deployment").put("download", a.download).put("update", a.update);
        if (a.window != null) {
            dep.put("maintenanceWindow", a.window);
        }
        ArrayNode chunks = dep.putArray("chunks");
        ObjectNode c = chunks.addObject().put("part", "os").put("version", a.version).put("name", "gateway");
        ObjectNode art = c.putArray("artifacts").addObject().put("filename", a.filename);
        art.putObject("hashes").put("sha1", digest("SHA-1", a.bytes)).put("md5", digest("MD5", a.bytes))
                .put("sha256", a.sha256);
        art.put("size", a.bytes.length);
        URI origin = artifactOrigin != null ? artifactOrigin : url();
        String href = origin + "/" + TENANT + "/controller/v1/" + controllerId + "/softwaremodules/" + a.module
                + "/artifacts/" + a.filename;
        String suffix = tls != null ? "" : "-http"; // over https a real server gives download and md5sum
        art.putObject("_links").set("download" + suffix, JSON.createObjectNode().put("href", href));
        ((ObjectNode) art.get("_links")).set("md5sum" + suffix, JSON.createObjectNode().put("href", href
                + ".MD5SUM"));
        return d;
    }

    private int artifact(HttpExchange ex, String method, String path, long module, String file) throws IOException {
        Action a;
        synchronized (this) {
            a = actions.values().stream().filter(x -> x.module == module && x.filename.equals(file)).findFirst()
                    .orElse(null);
        }
        if (a == null || !a.state.equals("open")) {
            return send(ex, method, path, 404, null, null); // a closed action's artifacts are gone
        }
        URI elsewhere = redirectArtifactsTo;
        if (elsewhere != null) { // not in the document (hawkBit streams artifacts itself): not validated
            ex.getResponseHeaders().set("Location", elsewhere + path);
            ex.sendResponseHeaders(302, -1);
            return 302;
        }
        byte[] b = a.bytes;
        String etag = "\"" + digest("SHA-1", b) + "\"";
        ex.getResponseHeaders().set("ETag", etag);
        ex.getResponseHeaders().set("Accept-Ranges", "bytes");
        long from = 0;
        String range = ex.getRequestHeaders().getFirst("Range");
        String ifRange = ex.getRequestHeaders().getFirst("If-Range");
        boolean partial = false;
        if (range != null && (ifRange == null || ifRange.equals(etag))) {
            Matcher m = Pattern.compile("bytes=(\\d+)-").matcher(range);
            if (!m.matches()) {
                return send(ex, method, path, 400, null, null);
            }
            from = Long.parseLong(m.group(1));
            if (from >= b.length) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + b.length);
                return send(ex, method, path, 416, null, null);
            }
            partial = true;
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (b.length - 1) + "/" + b.length);
        }
        int status = partial ? 206 : 200;
        try {
            spec.response(method, path, status, "application/octet-stream", null);
        } catch (AssertionError e) {
            violations.add("response: " + e.getMessage());
        }
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(status, b.length - from);
        long cut = cutAfter;
        cutAfter = -1;
        try (OutputStream out = ex.getResponseBody()) {
            int pos = (int) from;
            while (pos < b.length) {
                int n = Math.min(16 * 1024, b.length - pos);
                if (cut >= 0 && pos - from + n > cut) {
                    out.write(b, pos, (int) (cut - (pos - from)));
                    out.flush();
                    if (stallAtCut) {
                        sleepQuietly(60_000); // the gateway is "killed" meanwhile
                    }
                    throw new IOException("cut on purpose after " + cut + " bytes");
                }
                out.write(b, pos, n);
                pos += n;
            }
        } catch (IOException e) {
            // the client went away, or the cut: nothing more to send
        }
        return status;
    }

    private int send(HttpExchange ex, String method, String path, int status, JsonNode body, String type)
            throws IOException {
        byte[] bytes = body == null ? null : JSON.writeValueAsBytes(body);
        String contentType = type != null ? type : "application/json";
        try {
            spec.response(method, path, status, contentType, bytes);
        } catch (AssertionError e) {
            violations.add("response: " + e.getMessage());
        }
        if (bytes == null) {
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.getResponseHeaders().set("Content-Type", contentType);
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
        }
        return status;
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String digest(String algorithm, byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The feedback executions of every action, for failure messages. */
    synchronized List<String> log() {
        List<String> l = new ArrayList<>();
        actions.values().forEach(a -> l.add(a.id + " " + a.state + " " + a.feedback + " cancel " + a.cancelFeedback));
        return l;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
