package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * The official OCF schemas, copied unmodified into the test resources ({@code src/test/resources/ocf-schemas/}, with
 * their licence and a {@code SOURCES} file naming upstream repository, path and commit), as JSON Schema draft 4,
 * for com.networknt:json-schema-validator. They are read from the class path, so the tests need nothing outside
 * the repository.
 *
 * <p>The swagger files are Swagger 2.0 documents: the schema of a payload is one of their {@code definitions}. The
 * schema built here is {@code {"$ref": "#/definitions/NAME", "definitions": {...}}} with the document's own
 * definitions, in which every cross-file {@code $ref} (e.g.
 * {@code https://openconnectivityfoundation.github.io/core/schemas/oic.types-schema.json#/definitions/uuid}) is
 * replaced by a copy of its target, read from the same folder, so nothing is fetched from the network.
 *
 * <p>Deliberate differences from the official text, applied to the copy only:
 * <ul>
 * <li>{@code oic.sec.pstat}: {@code cm} and {@code tm} are capped at 255 by the schema; the software-update CR adds
 * bit 256 (ISAC), so the project accepts 0..511 (docs/software-update.md §1): the maximum is patched to 511;</li>
 * <li>{@code oic.links.properties} {@code href}: its {@code "format": "uri"} rejects the relative references the
 * schema itself allows ("can be specified as a Relative Reference", e.g. {@code /oic/p}) under the validator's
 * strict URI check, so that format keyword is dropped (see {@link #hrefFormatQuirk()}).</li>
 * </ul>
 */
final class OcfSchemas {
    /** The class-path folder of the schema files (src/test/resources/ocf-schemas). */
    private static final String FOLDER = "/ocf-schemas/";
    private static final String LINKS = "oic.links.properties.core-schema.json";
    private static final Map<String, JsonNode> DOCUMENTS = new HashMap<>();
    /** Draft 4 plus the annotations the OCF files use (Swagger's readOnly, OCF's x-detail-desc), which validate nothing. */
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4,
            b -> b.metaSchema(JsonMetaSchema.builder(JsonMetaSchema.getV4())
                    .keyword(new NonValidationKeyword("readOnly"))
                    .keyword(new NonValidationKeyword("x-detail-desc")).build()));

    private OcfSchemas() {
    }

    /** Asserts that {@code payload} is valid against {@code definition} of the swagger document {@code file}. */
    static void assertValid(String file, String definition, JsonNode payload) {
        Set<ValidationMessage> errors = schema(file, definition, true).validate(payload);
        if (!errors.isEmpty()) {
            fail(file + "#/definitions/" + definition + " rejects " + payload + ":\n" + errors);
        }
    }

    /** The errors of {@code payload} against the schema, patched ({@code patched}) or exactly as published. */
    static Set<ValidationMessage> validate(String file, String definition, JsonNode payload, boolean patched) {
        return schema(file, definition, patched).validate(payload);
    }

    /** A relative href such as {@code /oic/p} as the published {@code href} schema judges it (the quirk). */
    static Set<ValidationMessage> hrefFormatQuirk() {
        JsonNode href = document(LINKS, false).at("/definitions/href");
        return FACTORY.getSchema(href).validate(Payloads.JSON.getNodeFactory().textNode("/oic/p"));
    }

    static JsonSchema schema(String file, String definition, boolean patched) {
        JsonNode doc = document(file, patched);
        ObjectNode definitions = ((ObjectNode) doc.get("definitions")).deepCopy();
        Deque<String> stack = new ArrayDeque<>();
        definitions.fields().forEachRemaining(e -> e.setValue(inline(e.getValue(), file, false, patched, stack)));
        ObjectNode root = Payloads.JSON.createObjectNode();
        root.put("$schema", "http://json-schema.org/draft-04/schema#");
        root.put("$ref", "#/definitions/" + definition);
        root.set("definitions", definitions);
        if (!definitions.has(definition)) {
            fail(file + " has no definition " + definition + ": " + iterable(definitions.fieldNames()));
        }
        return FACTORY.getSchema(root);
    }

    /**
     * Replaces cross-file {@code $ref}s by copies of their targets. Refs local to the swagger document are kept
     * ({@code foreign} false); inside content copied from another file every ref is replaced, relative to that file.
     */
    private static JsonNode inline(JsonNode node, String file, boolean foreign, boolean patched, Deque<String> stack) {
        if (node.isObject() && node.has("$ref") && node.get("$ref").isTextual()) {
            String ref = node.get("$ref").textValue();
            int hash = ref.indexOf('#');
            String target = hash < 0 ? ref : ref.substring(0, hash);
            String pointer = hash < 0 ? "" : ref.substring(hash + 1);
            if (target.isEmpty() && !foreign) {
                return node; // "#/definitions/X" of the swagger document itself: the validator resolves it
            }
            String targetFile = target.isEmpty() ? file : target.substring(target.lastIndexOf('/') + 1);
            String key = targetFile + "#" + pointer;
            if (stack.contains(key)) {
                throw new IllegalStateException("recursive $ref " + stack + " -> " + key);
            }
            JsonNode resolved = document(targetFile, patched).at(pointer);
            if (resolved.isMissingNode()) {
                throw new IllegalStateException("unresolved $ref " + ref + " in " + file);
            }
            stack.push(key);
            try {
                // draft 4: the siblings of a $ref (such as "description") are ignored
                return inline(resolved.deepCopy(), targetFile, true, patched, stack);
            } finally {
                stack.pop();
            }
        }
        if (node.isObject()) {
            ObjectNode copy = (ObjectNode) node;
            for (Iterator<Map.Entry<String, JsonNode>> it = copy.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                e.setValue(inline(e.getValue(), file, foreign, patched, stack));
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = (ArrayNode) node;
            for (int i = 0; i < copy.size(); i++) {
                copy.set(i, inline(copy.get(i), file, foreign, patched, stack));
            }
            return copy;
        }
        return node;
    }

    private static synchronized JsonNode document(String file, boolean patched) {
        return DOCUMENTS.computeIfAbsent(file + (patched ? "+patched" : ""), k -> {
            try {
                JsonNode doc;
                try (InputStream in = OcfSchemas.class.getResourceAsStream(FOLDER + file)) {
                    if (in == null) {
                        throw new IllegalStateException("no OCF schema " + file + " in the test resources " + FOLDER);
                    }
                    doc = Payloads.JSON.readTree(in);
                }
                if (patched) {
                    patch(file, doc);
                }
                return doc;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).deepCopy();
    }

    /** The documented deliberate differences (see the class comment). */
    private static void patch(String file, JsonNode doc) {
        if (file.equals("oic.sec.pstat.swagger.json")) {
            for (String definition : new String[] {"Pstat", "Pstat-Update"}) {
                for (String property : new String[] {"cm", "tm"}) {
                    edit(doc.at("/definitions/" + definition + "/properties/" + property),
                            p -> p.put("maximum", 511));
                }
            }
        }
        if (file.equals(LINKS)) {
            edit(doc.at("/definitions/href"), p -> p.remove("format"));
        }
        if (file.equals("oic.sec.acl2.swagger.json")) {
            // an ACE's href is a relative reference ("/oic/sec/pstat"), which strict "uri" format checking refuses
            for (String definition : new String[] {"Acl2", "Acl2-Update"}) {
                edit(doc.at("/definitions/" + definition + "/properties/aclist2/items/properties/resources/items"
                        + "/properties/href"), p -> p.remove("format"));
            }
        }
        if (file.equals("oic.r.softwareupdate.swagger.json")) {
            // updatetime also takes "now" and "none" (IoTivity-Lite's values; docs/software-update.md §4)
            // purl is "" until a client sets one, as IoTivity-Lite answers: the property is required and no URL
            // would be true (docs/spec-interpretation.md); a set purl is an absolute https, http or coaps URL
            edit(doc.at("/definitions/swupdate/properties/purl"), p -> {
                p.remove("format");
                p.put("pattern", "^$|^(https?|coaps)://[^\\s]+$");
            });
            edit(doc.at("/definitions/swupdate/properties/updatetime"), p -> {
                p.remove("format");
                p.put("pattern", "^(now|none|\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?(Z|[+-]\\d\\d:\\d\\d))$");
            });
        }
    }

    private static void edit(JsonNode node, Consumer<ObjectNode> change) {
        if (node instanceof ObjectNode o) {
            change.accept(o);
        }
    }

    private static <T> Iterable<T> iterable(Iterator<T> it) {
        return () -> it;
    }
}
