package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * POST to {@code /oic/sec/pstat} with libcoap's coap-client: valid writes, and every class of bad write answered
 * with the right code and a short diagnostic while the state stays as it was. One gateway for the class: every
 * test leaves pstat in the state it found it (RFNOP, idle).
 */
class PstatUpdateIT extends OneGatewayPerClass {

    static String pstatUri() {
        return gateway.uri("/oic/sec/pstat");
    }

    static JsonNode pstat() throws Exception {
        CoapClientCli.Result r = coap.get(pstatUri());
        assertEquals("2.05", r.code(), r.log());
        return Payloads.decode(r.payload());
    }

    static void assertChanged(CoapClientCli.Result r) {
        assertEquals("2.04", r.code(), r.log());
        assertEquals(0, r.payload().length, "2.04 without payload");
    }

    @Test
    void writingTheOperationalModeAnswers204() throws Exception {
        JsonNode before = pstat();
        assertChanged(coap.post(pstatUri(), Payloads.cbor(Map.of("om", 4))));
        assertEquals(before, pstat(), "om 4 is the only supported mode: nothing changes");
        // content-format 60 (application/cbor) is accepted as well
        assertChanged(coap.send("post", pstatUri(), Payloads.cbor(Map.of("om", 4)), 60));
        assertEquals(before, pstat());
    }

    @Test
    void availabilityCheckAnswers204AndReturnsToIdleWithoutAProvider() throws Exception {
        JsonNode before = pstat();
        assertEquals(0, before.path("tm").intValue(), before.toString());
        int logBefore = gateway.output().length();

        assertChanged(coap.post(pstatUri(), Payloads.cbor(Map.of("tm", 256))));

        long end = System.nanoTime() + 10_000_000_000L;
        JsonNode now = pstat();
        while ((now.path("tm").intValue() != 0 || now.path("cm").intValue() != 0) && System.nanoTime() < end) {
            Thread.sleep(100);
            now = pstat();
        }
        assertEquals(before, now, "back to idle (tm 0, cm 0), everything else unchanged");
        // the check really ran (it is quick without a provider, so a GET may never see tm 256)
        String log = gateway.output().substring(logBefore);
        assertTrue(log.contains("Software-update action tm 256 started"), log);
        assertTrue(log.contains("Software-update action tm 256 ended"), log);
    }

    /** A bad request: what is sent, the code expected, and a word the diagnostic must contain. */
    static Stream<Arguments> badWrites() {
        return Stream.of(
                bad("malformed CBOR", new byte[] {(byte) 0xff, 0x00, 0x12}, 10000, "4.00", "CBOR"),
                // strict decoding (issue 12, item 14): {"tm":64} followed by a byte, by a second map; a key twice;
                // tags on the value and nested in dos
                bad("trailing byte", hex("a1 62746d 1840 00"), 10000, "4.00", "more than one data item"),
                bad("two items", hex("a1 62746d 1840 a1 62746d 00"), 10000, "4.00", "more than one data item"),
                bad("duplicate key", hex("a2 62746d 1840 62746d 00"), 10000, "4.00", "Duplicate field 'tm'"),
                bad("tagged tm 1(256)", hex("a1 62746d c1 190100"), 10000, "4.00", "tag 1"),
                bad("tag nested in dos", hex("a1 63646f73 a1 6173 c1 02"), 10000, "4.00", "tag 1"),
                bad("not a map", Payloads.cbor(new int[] {1}), 10000, "4.00", "map"),
                bad("unknown property", Payloads.cbor(Map.of("foo", 1)), 10000, "4.00", "foo"),
                bad("read-only cm", Payloads.cbor(Map.of("cm", 0)), 10000, "4.00", "cm"),
                bad("read-only isop", Payloads.cbor(Map.of("isop", true)), 10000, "4.00", "isop"),
                bad("read-only sm", Payloads.cbor(Map.of("sm", 4)), 10000, "4.00", "sm"),
                bad("read-only dos.p", Payloads.cbor(Map.of("dos", Map.of("s", 3, "p", true))), 10000, "4.00", "dos.p"),
                bad("dos not a map", Payloads.cbor(Map.of("dos", 3)), 10000, "4.00", "dos"),
                bad("wrong type tm", Payloads.cbor(Map.of("tm", "256")), 10000, "4.00", "tm"),
                bad("out of range dos.s", Payloads.cbor(Map.of("dos", Map.of("s", 5))), 10000, "4.00", "dos.s"),
                bad("unsupported om", Payloads.cbor(Map.of("om", 3)), 10000, "4.00", "om"),
                bad("out of range tm 512", Payloads.cbor(Map.of("tm", 512)), 10000, "4.00", "tm"),
                bad("negative tm", Payloads.cbor(Map.of("tm", -1)), 10000, "4.00", "tm"),
                bad("rowneruuid not a UUID", Payloads.cbor(Map.of("rowneruuid", "not-a-uuid")), 10000, "4.00", "rowneruuid"),
                bad("RFNOP to RFOTM", Payloads.cbor(Map.of("dos", Map.of("s", 1))), 10000, "4.00", "RFOTM"),
                bad("new owner in RFNOP", Payloads.cbor(Map.of("rowneruuid", UUID.randomUUID().toString())), 10000, "4.00",
                        "rowneruuid"),
                bad("two software-update bits", Payloads.cbor(Map.of("tm", 320)), 10000, "4.00", "tm"),
                bad("text/plain", Payloads.cbor(Map.of("om", 4)), 0, "4.15", "content-format"),
                bad("no content-format", Payloads.cbor(Map.of("om", 4)), null, "4.15", "content-format"),
                bad("over 1024 bytes", Payloads.cbor(Map.of("foo", "x".repeat(1100))), 10000, "4.13", "1024"));
    }

    static byte[] hex(String h) {
        return java.util.HexFormat.of().parseHex(h.replace(" ", ""));
    }

    static Arguments bad(String name, byte[] body, Integer format, String code, String mentions) {
        return Arguments.of(name, body, format, code, mentions);
    }

    @ParameterizedTest(name = "{0} -> {3}")
    @MethodSource("badWrites")
    void badWriteIsRefusedWithADiagnosticAndChangesNothing(String name, byte[] body, Integer format, String code,
            String mentions) throws Exception {
        JsonNode before = pstat();
        assertEquals(3, before.at("/dos/s").intValue(), "the cases assume RFNOP: " + before);

        CoapClientCli.Result r = coap.send("post", pstatUri(), body, format);

        assertEquals(code, r.code(), r.log());
        assertEquals(0, r.payload().length, "no representation on an error");
        assertDiagnostic(r);
        assertTrue(r.diagnostic().contains(mentions), "diagnostic should mention " + mentions + ": " + r.diagnostic());
        assertEquals(before, pstat(), "a refused write changes nothing");
    }

    @Test
    void putAndDeleteAreNotAllowed() throws Exception {
        JsonNode before = pstat();
        CoapClientCli.Result put = coap.send("put", pstatUri(), Payloads.cbor(Map.of("om", 4)), 10000);
        assertEquals("4.05", put.code(), put.log());
        CoapClientCli.Result delete = coap.send("delete", pstatUri(), null, null);
        assertEquals("4.05", delete.code(), delete.log());
        assertEquals(before, pstat());
    }

    static void assertDiagnostic(CoapClientCli.Result r) {
        String d = r.diagnostic();
        assertNotNull(d, "no diagnostic payload: " + r.log());
        assertFalse(d.isBlank(), r.log());
        assertTrue(d.length() <= 160, "a short diagnostic, not " + d);
        assertFalse(d.contains("Exception") || d.contains("\tat ") || d.contains(".java:"), "no stack trace: " + d);
        // RFC 7252 §5.5.2: a diagnostic payload carries no content-format
        assertEquals(null, r.responses().get(r.responses().size() - 1).option("Content-Format"), r.log());
    }
}
