package org.ocfupdate.pstat.internal.coap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The strict decoding every request payload goes through (issue 12, item 14). */
class CborTest {

    static byte[] hex(String h) {
        return HexFormat.of().parseHex(h.replace(" ", ""));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', value = {
        "trailing byte after the map   | a1 62746d 1840 00          | more than one data item",
        "two maps back to back         | a1 62746d 1840 a1 62746d 00 | more than one data item",
        "stray break after the map     | a1 62746d 1840 ff          | Unexpected Break",
        "duplicate key                 | a2 62746d 1840 62746d 00   | Duplicate field 'tm'",
        "duplicate key, indefinite map | bf 62746d 1840 62746d 00 ff | Duplicate field 'tm'",
        "duplicate key, nested         | a1 63646f73 a2 6173 02 6173 03 | Duplicate field 's'",
        "tag 1 on the value            | a1 62746d c1 190100        | tag 1 not accepted",
        "tag on the whole map          | c1 a1 62746d 1840          | tag 1 not accepted",
        "tag on a key                  | a1 c1 62746d 1840          | tag 1 not accepted",
        "tag nested in a map           | a1 63646f73 a1 6173 c1 02  | tag 1 not accepted",
        "tag in an indefinite array    | a1 61 61 9f 01 c1 02 ff    | tag 1 not accepted",
        "self-described CBOR tag       | d9d9f7 a1 62746d 1840      | tag 55799 not accepted",
        "bignum (tag 2)                | a1 62746d c2 420100        | bignum",
        "decimal fraction (tag 4)      | a1 62746d c4 82 21 196ab3  | bignum",
        "truncated map                 | a1 62746d                  | malformed CBOR",
        "lone break                    | ff                         | malformed CBOR",
    })
    void refusesWithADiagnostic(String what, String payload, String diagnostic) {
        IOException e = assertThrows(IOException.class, () -> Cbor.decode(hex(payload)), what);
        assertTrue(e.getMessage().startsWith("malformed CBOR"), e.getMessage());
        assertTrue(e.getMessage().contains(diagnostic), what + ": " + e.getMessage());
        assertTrue(e.getMessage().length() < 120, e.getMessage());
    }

    @Test
    void refusesAnEmptyPayload() {
        IOException e = assertThrows(IOException.class, () -> Cbor.decode(new byte[0]));
        assertEquals("malformed CBOR: empty payload", e.getMessage());
    }

    @Test
    void acceptsDefiniteAndIndefiniteLengths() throws Exception {
        // {"tm": 64} definite, and {"dos": {"s": 2}, "a": [1, 2]} with indefinite map and array (IoTivity-Lite)
        assertEquals(64, Cbor.decode(hex("a1 62746d 1840")).get("tm").intValue());
        var n = Cbor.decode(hex("bf 63646f73 bf 6173 02 ff 6161 9f 01 02 ff ff"));
        assertEquals(2, n.get("dos").get("s").intValue());
        assertEquals(2, n.get("a").size());
        // what the gateway itself writes reads back
        assertEquals(Cbor.decode(Cbor.encode(java.util.Map.of("tm", 256))).get("tm").intValue(), 256);
    }

    @Test
    void sameKeyInDifferentMapsIsNoDuplicate() throws Exception {
        // {"a": {"s": 1}, "b": {"s": 2}}
        var n = Cbor.decode(hex("a2 6161 a1 6173 01 6162 a1 6173 02"));
        assertEquals(2, n.get("b").get("s").intValue());
    }
}
