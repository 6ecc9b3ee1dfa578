package org.ocfupdate.provider.hawkbit.internal;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The DDI documents the provider reads and writes (ddi-openapi.json), parsed strictly: what comes from the server is
 * unauthenticated input until TLS and the token say otherwise, so every field used is checked and a violation names
 * the field. Pure functions; no I/O.
 */
final class Ddi {
    /** Largest DDI JSON document read (root, deploymentBase, cancelAction); real ones are a few KiB. */
    static final int MAX_DOCUMENT = 256 * 1024;
    static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).maxStringLength(16 * 1024)
                    .build())
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Pattern SLEEP = Pattern.compile("(\\d{2}):([0-5]\\d):([0-5]\\d)");
    private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern ACTION_ID = Pattern.compile("[0-9]{1,18}");

    private Ddi() {
    }

    /** A document or field the provider cannot use, with what is wrong for the log and the feedback. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    /** The polling root: the suggested sleep (null when absent) and the links present. */
    record Root(Duration sleep, URI deploymentBase, URI cancelAction, URI configData, URI installedBase) {
    }

    enum Handling {
        SKIP, ATTEMPT, FORCED
    }

    /** One artifact of a chunk, with the chunk's version. */
    record Artifact(String chunk, String version, String filename, long size, String sha256, URI download,
            URI downloadHttp) {
        /** The link to use: {@code download} (https) when given, else {@code download-http}. */
        URI link() {
            return download != null ? download : downloadHttp;
        }
    }

    /** A deploymentBase: the action, how to handle download and update, the window, and its artifacts. */
    record Deployment(String actionId, Handling download, Handling update, Boolean windowAvailable,
            List<Artifact> artifacts) {
    }

    static JsonNode parse(byte[] body, String what) throws Invalid {
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject()) {
                throw new Invalid(what + " is not a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new Invalid(what + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Invalid(what + " is not valid JSON: " + e.getMessage());
        }
    }

    static Root root(JsonNode n, URI base) throws Invalid {
        Duration sleep = null;
        JsonNode s = n.path("config").path("polling").path("sleep");
        if (!s.isMissingNode()) {
            sleep = sleep(s.isTextual() ? s.asText() : s.toString());
        }
        JsonNode links = n.path("_links");
        return new Root(sleep, link(links, "deploymentBase", base), link(links, "cancelAction", base),
                link(links, "configData", base), link(links, "installedBase", base));
    }

    /** hawkBit's {@code HH:MM:SS} (hours may exceed 23). */
    static Duration sleep(String text) throws Invalid {
        Matcher m = SLEEP.matcher(text);
        if (!m.matches()) {
            throw new Invalid("config.polling.sleep '" + abbreviate(text) + "' is not HH:MM:SS");
        }
        return Duration.ofHours(Integer.parseInt(m.group(1))).plusMinutes(Integer.parseInt(m.group(2)))
                .plusSeconds(Integer.parseInt(m.group(3)));
    }

    /** An absolute http(s) link of {@code _links}, or null when absent. */
    static URI link(JsonNode links, String name, URI base) throws Invalid {
        JsonNode l = links.path(name);
        if (l.isMissingNode()) {
            return null;
        }
        JsonNode href = l.path("href");
        if (!href.isTextual()) {
            throw new Invalid("_links." + name + " has no href");
        }
        try {
            URI u = base.resolve(new URI(href.asText()));
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null) {
                throw new Invalid("_links." + name + ".href " + abbreviate(href.asText()) + " is not an http(s) URL");
            }
            return u;
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new Invalid("_links." + name + ".href " + abbreviate(href.asText()) + " is not a URL");
        }
    }

    static String actionId(JsonNode id, String field) throws Invalid {
        // hawkBit sends action ids as strings; a number is tolerated (older servers)
        String text = id.isTextual() || id.isIntegralNumber() ? id.asText() : null;
        if (text == null || !ACTION_ID.matcher(text).matches()) {
            throw new Invalid(field + " is not an action id: " + abbreviate(String.valueOf(id)));
        }
        return text;
    }

    static Deployment deployment(JsonNode n, URI base) throws Invalid {
        String id = actionId(n.path("id"), "id");
        JsonNode d = n.path("deployment");
        if (!d.isObject()) {
            throw new Invalid("deploymentBase " + id + " has no deployment");
        }
        Handling download = handling(d, "download");
        Handling update = handling(d, "update");
        Boolean window = null;
        JsonNode w = d.path("maintenanceWindow");
        if (!w.isMissingNode()) {
            if (!"available".equals(w.asText(null)) && !"unavailable".equals(w.asText(null))) {
                throw new Invalid("deployment.maintenanceWindow " + abbreviate(w.toString())
                        + " is neither available nor unavailable");
            }
            window = "available".equals(w.asText());
        }
        JsonNode chunks = d.path("chunks");
        if (!chunks.isArray()) {
            throw new Invalid("deployment.chunks is not an array");
        }
        List<Artifact> artifacts = new ArrayList<>();
        for (JsonNode c : chunks) {
            String chunk = text(c, "name", "chunk name");
            String version = text(c, "version", "chunk " + chunk + " version");
            JsonNode as = c.path("artifacts");
            if (as.isMissingNode()) {
                continue;
            }
            if (!as.isArray()) {
                throw new Invalid("chunk " + chunk + " artifacts is not an array");
            }
            for (JsonNode a : as) {
                String file = text(a, "filename", "an artifact's filename");
                JsonNode size = a.path("size");
                long bytes = size.canConvertToLong() && size.isIntegralNumber() ? size.asLong() : -1;
                String sha = a.path("hashes").path("sha256").asText("");
                JsonNode links = a.path("_links");
                artifacts.add(new Artifact(chunk, version, file, bytes,
                        HEX64.matcher(sha).matches() ? sha.toLowerCase(Locale.ROOT) : null,
                        link(links, "download", base), link(links, "download-http", base)));
            }
        }
        return new Deployment(id, download, update, window, List.copyOf(artifacts));
    }

    private static Handling handling(JsonNode d, String field) throws Invalid {
        JsonNode h = d.path(field);
        if (h.isMissingNode()) {
            return Handling.ATTEMPT; // the schema does not require it; "attempt" asks nothing of the device alone
        }
        try {
            return Handling.valueOf(h.asText("").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Invalid("deployment." + field + " " + abbreviate(h.toString())
                    + " is not skip, attempt or forced");
        }
    }

    private static String text(JsonNode n, String field, String what) throws Invalid {
        JsonNode t = n.path(field);
        if (!t.isTextual() || t.asText().isEmpty()) {
            throw new Invalid(what + " is missing");
        }
        return t.asText();
    }

    /** The stopId of a cancelAction document. */
    static String stopId(JsonNode n) throws Invalid {
        return actionId(n.path("cancelAction").path("stopId"), "cancelAction.stopId");
    }

    /**
     * The artifact that is our update package: the only artifact of the deployment, or else its only {@code .zip}
     * (the package format); it needs a size, a SHA-256 and a download link.
     */
    static Artifact packageArtifact(Deployment d) throws Invalid {
        List<Artifact> all = d.artifacts();
        List<Artifact> zips = all.stream().filter(a -> a.filename().toLowerCase(Locale.ROOT).endsWith(".zip"))
                .toList();
        Artifact a;
        if (all.size() == 1) {
            a = all.get(0);
        } else if (zips.size() == 1) {
            a = zips.get(0);
        } else if (all.isEmpty()) {
            throw new Invalid("the deployment has no artifact (expected one signed update package, *.zip)");
        } else {
            throw new Invalid("the deployment has " + all.size() + " artifacts and " + zips.size()
                    + " *.zip among them: expected exactly one signed update package");
        }
        if (a.size() <= 0) {
            throw new Invalid("artifact " + a.filename() + " has no size");
        }
        if (a.sha256() == null) {
            throw new Invalid("artifact " + a.filename() + " has no SHA-256 hash");
        }
        if (a.link() == null) {
            throw new Invalid("artifact " + a.filename() + " has no download or download-http link");
        }
        return a;
    }

    /**
     * A feedback document ({@code DdiActionFeedback}).
     *
     * @param execution closed, proceeding, download, downloaded, scheduled, rejected, ...
     * @param finished  success, failure or none
     * @param progress  {cnt, of}, or null
     * @param code      the result code, or null
     */
    static ObjectNode feedback(String execution, String finished, int[] progress, Integer code, String detail,
            long timestamp) {
        ObjectNode f = JSON.createObjectNode();
        ObjectNode status = f.putObject("status");
        status.put("execution", execution);
        ObjectNode result = status.putObject("result");
        result.put("finished", finished);
        if (progress != null) {
            result.putObject("progress").put("cnt", progress[0]).put("of", progress[1]);
        }
        if (code != null) {
            status.put("code", code);
        }
        if (detail != null) {
            status.putArray("details").add(detail);
        }
        f.put("timestamp", timestamp);
        return f;
    }

    /** A configData document in {@code merge} mode. */
    static ObjectNode configData(Map<String, String> attributes) {
        ObjectNode c = JSON.createObjectNode();
        c.put("mode", "merge");
        ObjectNode data = c.putObject("data");
        attributes.forEach(data::put);
        return c;
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
