package org.ocfupdate.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/**
 * A minimal hawkBit DDI server for the whole-gateway tests (OSGi and process): one controller, one action ({@code 41})
 * with forced download and a forced (or skipped: "download only") update of one artifact, feedback recorded, 410 and
 * 404 once closed, as a real hawkBit does; {@link #cancel()} cancels it ({@code cancelAction/41}: hawkBit names a
 * cancellation by the action it stops).
 * The complete hawkBit-compatible server, which validates everything against the OpenAPI document, is in
 * update-provider-hawkbit's tests.
 */
public final class MiniDdiServer implements AutoCloseable {
    public static final String CONTROLLER = "gw-itest";
    public static final String TOKEN = "itest";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASE = "/DEFAULT/controller/v1/" + CONTROLLER;

    public final List<String> requests = new CopyOnWriteArrayList<>();
    public final List<JsonNode> feedback = new CopyOnWriteArrayList<>();
    public final List<JsonNode> cancelFeedback = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final byte[] artifact;
    private final String version;
    /** Called once with the closed feedback, before the server answers it. */
    private final Consumer<JsonNode> onClosed;
    private final String update;
    private volatile boolean closed;
    private volatile boolean cancelled;

    public MiniDdiServer(String version, byte[] artifact, Consumer<JsonNode> onClosed) throws IOException {
        this(version, artifact, "forced", onClosed);
    }

    /** @param update the deployment's {@code update} handling: {@code forced}, {@code attempt} or {@code skip} */
    public MiniDdiServer(String version, byte[] artifact, String update, Consumer<JsonNode> onClosed)
            throws IOException {
        this.version = version;
        this.update = update;
        this.artifact = artifact;
        this.onClosed = onClosed;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            requests.add(ex.getRequestMethod() + " " + path);
            byte[] body = null;
            int status = 200;
            if (!("GatewayToken " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                status = 401;
            } else if (path.equals(BASE)) {
                String links = closed ? "{}"
                        : cancelled ? "{\"cancelAction\":{\"href\":\"" + url() + BASE + "/cancelAction/41\"}}"
                        : "{\"deploymentBase\":{\"href\":\"" + url() + BASE + "/deploymentBase/41?c=1\"}}";
                body = ("{\"config\":{\"polling\":{\"sleep\":\"00:00:00\"}},\"_links\":" + links + "}").getBytes();
            } else if (path.equals(BASE + "/deploymentBase/41")) {
                body = deployment().getBytes(StandardCharsets.UTF_8);
            } else if (path.equals(BASE + "/deploymentBase/41/feedback")) {
                JsonNode f = JSON.readTree(ex.getRequestBody());
                if (closed) {
                    status = 410;
                } else {
                    feedback.add(f);
                    if ("closed".equals(f.path("status").path("execution").asText())) {
                        onClosed.accept(f);
                        closed = true;
                    }
                }
            } else if (path.equals(BASE + "/cancelAction/41") && cancelled && !closed) {
                body = "{\"id\":\"41\",\"cancelAction\":{\"stopId\":\"41\"}}".getBytes(StandardCharsets.UTF_8);
            } else if (path.equals(BASE + "/cancelAction/41/feedback") && cancelled) {
                JsonNode f = JSON.readTree(ex.getRequestBody());
                cancelFeedback.add(f);
                closed |= "closed".equals(f.path("status").path("execution").asText());
            } else if (path.equals(BASE + "/softwaremodules/7/artifacts/gateway.zip") && !closed) {
                body = artifact;
            } else {
                status = 404;
            }
            if (body == null) {
                ex.sendResponseHeaders(status, -1);
            } else {
                ex.getResponseHeaders().set("Content-Type", "application/hal+json");
                ex.sendResponseHeaders(status, body.length);
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public boolean closed() {
        return closed;
    }

    /** The operator cancels action 41: the root links {@code cancelAction/41} instead of the deployment. */
    public void cancel() {
        cancelled = true;
    }

    /** The executions reported, in order. */
    public List<String> executions() {
        return feedback.stream().map(f -> f.path("status").path("execution").asText()).toList();
    }

    private String deployment() {
        String sha;
        try {
            sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(artifact));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return "{\"id\":\"41\",\"deployment\":{\"download\":\"forced\",\"update\":\"" + update + "\",\"chunks\":[{"
                + "\"part\":\"os\",\"name\":\"gateway\",\"version\":\"" + version + "\",\"artifacts\":[{"
                + "\"filename\":\"gateway.zip\",\"size\":" + artifact.length + ",\"hashes\":{\"sha256\":\"" + sha
                + "\"},\"_links\":{\"download-http\":{\"href\":\"" + url() + BASE
                + "/softwaremodules/7/artifacts/gateway.zip\"}}}]}]}}";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
