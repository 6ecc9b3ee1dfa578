package org.ocfupdate.pstat.cbor;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonParser.NumberType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;

/**
 * Strict decoding of a request payload: exactly one well-formed CBOR data item, no map with a key twice, no tag
 * anywhere (nor the bignums and decimal fractions Jackson decodes from tags 2..5, nor integers beyond 64 bits).
 * Definite and indefinite lengths are both accepted (IoTivity-Lite writes indefinite-length maps).
 * <p>
 * Jackson's lenient defaults would decode the first item and ignore what follows, keep the last of duplicate keys
 * and silently drop tags, so a client could get a write applied that is not what it sent (issue 12, item 14).
 */
public final class StrictCbor {
    private static final CBORFactory FACTORY = CBORFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper MAPPER = new CBORMapper(FACTORY);
    private static final int MAX_DIAGNOSTIC = 80;

    private StrictCbor() {
    }

    /**
     * @return the payload's one data item as a tree
     * @throws MalformedCborException with a short diagnostic when the payload is not exactly one well-formed,
     *         untagged CBOR item without duplicate keys
     */
    public static JsonNode decode(byte[] payload) throws MalformedCborException {
        if (payload == null || payload.length == 0) {
            throw new MalformedCborException("malformed CBOR: empty payload");
        }
        try {
            check(payload);
            return MAPPER.readTree(payload);
        } catch (MalformedCborException e) {
            throw e;
        } catch (JsonProcessingException e) {
            throw new MalformedCborException("malformed CBOR: " + shorten(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new MalformedCborException("malformed CBOR: " + shorten(e.getMessage()));
        }
    }

    /** Reads every token once: Jackson's tree reader alone would not see tags nor trailing items. */
    private static void check(byte[] payload) throws IOException {
        try (JsonParser p = FACTORY.createParser(payload)) {
            CBORParser cbor = (CBORParser) p;
            int depth = 0;
            int items = 0;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (depth == 0 && ++items > 1) {
                    throw new MalformedCborException("malformed CBOR: more than one data item (trailing bytes)");
                }
                if (cbor.getCurrentTag() != -1) {
                    throw new MalformedCborException("malformed CBOR: tag " + cbor.getCurrentTag()
                            + " not accepted (no tags in OCF payloads)");
                }
                if (t.isNumeric() && (p.getNumberType() == NumberType.BIG_INTEGER
                        || p.getNumberType() == NumberType.BIG_DECIMAL)) {
                    throw new MalformedCborException(
                            "malformed CBOR: bignum, decimal fraction or integer beyond 64 bits not accepted");
                }
                if (t.isStructStart()) {
                    depth++;
                } else if (t.isStructEnd()) {
                    depth--;
                }
            }
        }
    }

    private static String shorten(String message) {
        String m = message == null ? "unreadable" : message.replaceAll("\\s+", " ").trim();
        return m.length() <= MAX_DIAGNOSTIC ? m : m.substring(0, MAX_DIAGNOSTIC) + "...";
    }
}
