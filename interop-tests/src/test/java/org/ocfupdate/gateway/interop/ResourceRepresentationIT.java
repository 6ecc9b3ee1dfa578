package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * GET {@code /oic/d}, {@code /oic/p} and {@code /oic/sec/pstat} with libcoap's coap-client, each payload checked
 * against the official OCF schema. One gateway for the class (read only).
 */
class ResourceRepresentationIT extends OneGatewayPerClass {
    /** The gateway's release version: the Maven project version without -SNAPSHOT (docs/operator-contract.md). */
    static final String RELEASE = "1.0.0";


    static JsonNode get(String path) throws Exception {
        CoapClientCli.Result r = coap.get(gateway.uri(path));
        assertEquals("2.05", r.code(), r.log());
        assertEquals("10000", r.responses().get(0).option("Content-Format"), r.log());
        return Payloads.decode(r.payload());
    }

    static void assertUuid(JsonNode value) {
        assertTrue(value.isTextual(), String.valueOf(value));
        assertEquals(value.textValue(), UUID.fromString(value.textValue()).toString(), "canonical lower-case UUID");
    }

    @Test
    void device() throws Exception {
        JsonNode d = get("/oic/d");
        assertUuid(d.path("di"));
        assertUuid(d.path("piid"));
        assertFalse(d.path("n").asText().isBlank(), d.toString());
        assertTrue(d.path("icv").asText().startsWith("ocf."), d.toString());
        assertTrue(d.path("dmv").asText().contains("ocf.res."), d.toString());
        assertEquals(RELEASE, d.path("sv").asText(), d.toString());
        assertFalse(d.has("rt") || d.has("if"), "rt and if belong to the baseline interface only: " + d);
        OcfSchemas.assertValid("oic.wk.d.swagger.json", "Device", d);
    }

    @Test
    void platform() throws Exception {
        JsonNode p = get("/oic/p");
        assertUuid(p.path("pi"));
        assertFalse(p.path("mnmn").asText().isBlank(), p.toString());
        assertEquals(get("/oic/d").path("piid"), p.path("pi"), "one gateway, one platform: pi is the device's piid");
        OcfSchemas.assertValid("oic.wk.p.swagger.json", "Platform", p);
    }

    @Test
    void pstatOfAFreshGateway() throws Exception {
        JsonNode p = get("/oic/sec/pstat");
        assertEquals(3, p.at("/dos/s").intValue(), "RFNOP: " + p);
        assertFalse(p.at("/dos/p").asBoolean(true), p.toString());
        assertTrue(p.path("isop").asBoolean(), p.toString());
        assertEquals(0, p.path("cm").intValue(), p.toString());
        assertEquals(0, p.path("tm").intValue(), p.toString());
        assertEquals(4, p.path("om").intValue(), p.toString());
        assertEquals(4, p.path("sm").intValue(), p.toString());
        assertTrue(p.path("cm").isInt() && p.path("tm").isInt() && p.path("om").isInt(), p.toString());
        assertUuid(p.path("rowneruuid"));
        OcfSchemas.assertValid("oic.sec.pstat.swagger.json", "Pstat", p);
    }

    static Stream<Arguments> resources() {
        return Stream.of(
                Arguments.of("/oic/d", "oic.wk.d.swagger.json", "Device", List.of("oic.wk.d"), List.of("oic.if.r", "oic.if.baseline")),
                Arguments.of("/oic/p", "oic.wk.p.swagger.json", "Platform", List.of("oic.wk.p"), List.of("oic.if.r", "oic.if.baseline")),
                Arguments.of("/oic/sec/pstat", "oic.sec.pstat.swagger.json", "Pstat", List.of("oic.r.pstat"),
                        List.of("oic.if.rw", "oic.if.baseline")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resources")
    void baselineInterfaceAddsRtAndIf(String path, String schema, String definition, List<String> rt, List<String> ifs)
            throws Exception {
        JsonNode plain = get(path);
        JsonNode baseline = get(path + "?if=oic.if.baseline");
        assertEquals(Payloads.JSON.valueToTree(rt), baseline.path("rt"), baseline.toString());
        assertEquals(Payloads.JSON.valueToTree(ifs), baseline.path("if"), baseline.toString());
        ObjectNode rest = baseline.deepCopy();
        rest.remove(List.of("rt", "if"));
        assertEquals(plain, rest, "baseline = rt + if + the default representation");
        OcfSchemas.assertValid(schema, definition, baseline);
    }

    @Test
    void unsupportedInterfaceIsAnError() throws Exception {
        CoapClientCli.Result r = coap.get(gateway.uri("/oic/sec/pstat?if=oic.if.ll"));
        // the gateway answers 4.02 (Bad Option) today; IoTivity-Lite answers 4.00: any client error will do here
        assertTrue(r.code() != null && r.code().startsWith("4."), r.log());
        assertEquals(0, r.payload().length);
        assertTrue(r.diagnostic() != null && r.diagnostic().contains("oic.if.ll"), r.log());
    }

    @Test
    void contentFormat60IsAcceptedAndOtherAcceptsAreRefused() throws Exception {
        CoapClientCli.Result cbor = coap.get(gateway.uri("/oic/sec/pstat"), "-A", "60");
        assertEquals("2.05", cbor.code(), cbor.log());
        assertEquals("application/cbor", cbor.responses().get(0).option("Content-Format"), "60: " + cbor.log());
        assertEquals(3, Payloads.decode(cbor.payload()).at("/dos/s").intValue());

        CoapClientCli.Result text = coap.get(gateway.uri("/oic/sec/pstat"), "-A", "0");
        assertEquals("4.06", text.code(), text.log());
    }

    @Test
    void schemaPatchesAreTheDocumentedOnesOnly() throws Exception {
        // the published pstat schema refuses tm 256 (ISAC), the patched copy takes it; both refuse 512
        ObjectNode p = (ObjectNode) get("/oic/sec/pstat");
        p.put("tm", 256);
        assertFalse(OcfSchemas.validate("oic.sec.pstat.swagger.json", "Pstat", p, false).isEmpty());
        assertTrue(OcfSchemas.validate("oic.sec.pstat.swagger.json", "Pstat", p, true).isEmpty());
        p.put("tm", 512);
        assertFalse(OcfSchemas.validate("oic.sec.pstat.swagger.json", "Pstat", p, true).isEmpty());
        // and the validator is not a rubber stamp: a missing required property fails
        ObjectNode missing = (ObjectNode) get("/oic/sec/pstat");
        missing.remove("rowneruuid");
        assertFalse(OcfSchemas.validate("oic.sec.pstat.swagger.json", "Pstat", missing, true).isEmpty());
        ObjectNode badUuid = (ObjectNode) get("/oic/d");
        badUuid.put("di", "not-a-uuid");
        assertFalse(OcfSchemas.validate("oic.wk.d.swagger.json", "Device", badUuid, true).isEmpty(),
                "the cross-file $ref to oic.types-schema.json#/definitions/uuid is applied");
    }
}
