package org.ocfupdate.provider.hawkbit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * Checks DDI requests and responses against hawkBit's published OpenAPI document (src/test/resources/hawkbit, see
 * SOURCES.txt there): the operation exists for the method and path, path parameters have their declared types, the
 * status is a declared one, content types are declared ones, and JSON bodies validate against their schemas
 * (com.networknt json-schema-validator, draft 4 plus OpenAPI's annotation keywords).
 * <p>
 * Where the document and the real server (server-behaviour notes in docs/hawkbit.md) disagree, the server wins, and
 * each such case is listed here: {@code DdiPolling.sleep} has {@code "pattern": "HH:MM:SS"}, a description rather than
 * a regular expression (read literally it rejects every real answer, "00:05:00"), so it is checked as
 * {@code ^\d{2}:[0-5]\d:[0-5]\d$}; the root answers 304 to {@code If-None-Match} (its description promises ETag checks,
 * its responses omit 304); artifact downloads answer 206 and 416 (RFC 7233, promised in the description).
 */
final class DdiSpec {
    static final String RESOURCE = "/hawkbit/ddi-openapi.json";
    static final String SLEEP_PATTERN = "^[0-9]{2}:[0-5][0-9]:[0-5][0-9]$";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4,
            b -> b.metaSchema(JsonMetaSchema.builder(JsonMetaSchema.getV4())
                    .keyword(new NonValidationKeyword("example"))
                    .keyword(new NonValidationKeyword("deprecated"))
                    .keyword(new NonValidationKeyword("nullable")).build()));

    private record Operation(String method, String template, Pattern regex, List<String> names, JsonNode node) {
    }

    final JsonNode document;
    private final JsonNode patched;
    private final List<Operation> operations = new ArrayList<>();

    DdiSpec() {
        try (InputStream in = DdiSpec.class.getResourceAsStream(RESOURCE)) {
            document = JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        patched = document.deepCopy();
        withoutExamples(patched);
        ((ObjectNode) patched.at("/components/schemas/DdiPolling/properties/sleep")).put("pattern", SLEEP_PATTERN);
        for (Iterator<Map.Entry<String, JsonNode>> p = document.path("paths").fields(); p.hasNext();) {
            Map.Entry<String, JsonNode> e = p.next();
            List<String> names = new ArrayList<>();
            Matcher m = Pattern.compile("\\{([^}]+)}").matcher(e.getKey());
            StringBuilder regex = new StringBuilder();
            int last = 0;
            while (m.find()) {
                regex.append(Pattern.quote(e.getKey().substring(last, m.start()))).append("([^/]+?)");
                names.add(m.group(1));
                last = m.end();
            }
            regex.append(Pattern.quote(e.getKey().substring(last)));
            for (Iterator<Map.Entry<String, JsonNode>> o = e.getValue().fields(); o.hasNext();) {
                Map.Entry<String, JsonNode> op = o.next();
                operations.add(new Operation(op.getKey().toUpperCase(Locale.ROOT), e.getKey(),
                        Pattern.compile(regex.toString()), names, op.getValue()));
            }
        }
        // the literal template ".../{fileName}.MD5SUM" must win over ".../{fileName}" for such paths
        operations.sort((a, b) -> Integer.compare(b.template().length(), a.template().length()));
    }

    /**
     * Drops the {@code example} annotations: they validate nothing, and draft 4 reads an example's {@code "id": "8"}
     * as a schema id (networknt then refuses the whole document).
     */
    private static void withoutExamples(JsonNode n) {
        if (n.isObject()) {
            ((ObjectNode) n).remove("example");
        }
        n.forEach(DdiSpec::withoutExamples);
    }

    /** The operation (method and path template), with its path parameters checked; throws a violation otherwise. */
    String operation(String method, String path) {
        return find(method, path).method() + " " + find(method, path).template();
    }

    private Operation find(String method, String path) {
        for (Operation o : operations) {
            Matcher m = o.regex().matcher(path);
            if (o.method().equals(method) && m.matches()) {
                for (int i = 0; i < o.names().size(); i++) {
                    JsonNode schema = parameter(o, o.names().get(i)).path("schema");
                    String value = m.group(i + 1);
                    if ("integer".equals(schema.path("type").asText()) && !value.matches("-?[0-9]+")) {
                        throw new AssertionError(method + " " + path + ": path parameter " + o.names().get(i) + " '"
                                + value + "' is not an integer");
                    }
                }
                return o;
            }
        }
        throw new AssertionError("no DDI operation " + method + " " + path);
    }

    private static JsonNode parameter(Operation o, String name) {
        for (JsonNode p : o.node().path("parameters")) {
            if (name.equals(p.path("name").asText())) {
                return p;
            }
        }
        throw new AssertionError(o.template() + " declares no parameter " + name);
    }

    /** A request: operation, query parameters declared, body content type and schema. */
    void request(String method, String path, String query, String contentType, byte[] body) {
        Operation o = find(method, path);
        if (query != null) {
            for (String pair : query.split("&")) {
                String name = pair.split("=", 2)[0];
                parameter(o, name); // declared
            }
        }
        JsonNode rb = o.node().path("requestBody");
        if (rb.isMissingNode()) {
            if (body != null && body.length > 0) {
                throw new AssertionError(method + " " + path + " has a body, the operation none");
            }
            return;
        }
        if (rb.path("required").asBoolean() && (body == null || body.length == 0)) {
            throw new AssertionError(method + " " + path + " lacks its required body");
        }
        String type = contentType == null ? "" : contentType.split(";")[0].trim();
        JsonNode media = rb.path("content").path(type);
        if (media.isMissingNode()) {
            throw new AssertionError(method + " " + path + ": content type '" + type + "' not declared ("
                    + rb.path("content").fieldNames().next() + ", ...)");
        }
        validate(method + " " + path + " request", media.path("schema"), body);
    }

    /**
     * A response: status declared (or one of the listed quirks), content type declared for it, JSON body valid.
     */
    void response(String method, String path, int status, String contentType, byte[] body) {
        Operation o = find(method, path);
        JsonNode r = o.node().path("responses").path(String.valueOf(status));
        if (r.isMissingNode()) {
            boolean quirk = status == 304 && o.template().equals("/{tenant}/controller/v1/{controllerId}")
                    || (status == 206 || status == 416) && o.template().endsWith("/artifacts/{fileName}");
            if (!quirk) {
                throw new AssertionError(method + " " + path + ": status " + status + " not declared");
            }
            return;
        }
        if (body == null || body.length == 0) {
            return;
        }
        String type = contentType == null ? "" : contentType.split(";")[0].trim();
        JsonNode content = r.path("content");
        JsonNode media = content.path(type);
        if (media.isMissingNode()) {
            media = content.path("*/*");
        }
        if (media.isMissingNode()) {
            throw new AssertionError(method + " " + path + " " + status + ": content type '" + type
                    + "' not declared");
        }
        if (type.endsWith("json") && media.has("schema")) {
            validate(method + " " + path + " " + status, media.path("schema"), body);
        }
    }

    private void validate(String what, JsonNode schema, byte[] body) {
        JsonNode payload;
        try {
            payload = JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError(what + ": not JSON: " + e.getMessage());
        }
        Set<ValidationMessage> errors = schema(schema, true).validate(payload);
        if (!errors.isEmpty()) {
            throw new AssertionError(what + ": " + payload + " violates " + schema + ": " + errors);
        }
    }

    /** A schema of the document ({@code $ref}s into its components resolved), patched or as published. */
    JsonSchema schema(JsonNode schema, boolean withPatches) {
        ObjectNode root = JSON.createObjectNode();
        root.put("$schema", "http://json-schema.org/draft-04/schema#");
        root.setAll((ObjectNode) schema.deepCopy());
        JsonNode components = (withPatches ? patched : document).path("components").deepCopy();
        withoutExamples(components);
        root.set("components", components);
        return FACTORY.getSchema(root);
    }

    /** The schema of a component, e.g. DdiControllerBase. */
    JsonSchema component(String name, boolean withPatches) {
        return schema(JSON.createObjectNode().put("$ref", "#/components/schemas/" + name), withPatches);
    }
}
