package org.ocfupdate.gateway.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;

/** CBOR request bodies written with Jackson, and CBOR responses decoded to plain JSON trees. */
final class Payloads {
    static final CBORMapper CBOR = new CBORMapper();
    static final ObjectMapper JSON = new ObjectMapper();

    private Payloads() {
    }

    static byte[] cbor(Object value) {
        try {
            return CBOR.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One CBOR item as a tree of a plain ObjectMapper (a JSON round trip, as the schema validator expects). */
    static JsonNode decode(byte[] payload) {
        try {
            JsonNode node = CBOR.readTree(payload);
            if (node == null || node.isMissingNode()) {
                throw new AssertionError("empty CBOR payload");
            }
            return JSON.readTree(JSON.writeValueAsBytes(node));
        } catch (IOException e) {
            throw new AssertionError("not CBOR: " + e.getMessage(), e);
        }
    }

    /** A sequence of CBOR items back to back (what coap-client -s -o writes for the notifications). */
    static List<JsonNode> decodeSequence(byte[] payloads) {
        List<JsonNode> items = new ArrayList<>();
        try (MappingIterator<JsonNode> it = CBOR.readerFor(JsonNode.class).readValues(payloads)) {
            while (it.hasNextValue()) {
                items.add(JSON.readTree(JSON.writeValueAsBytes(it.nextValue())));
            }
        } catch (IOException e) {
            throw new AssertionError("not a CBOR sequence: " + e.getMessage(), e);
        }
        return items;
    }
}
