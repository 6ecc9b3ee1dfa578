package org.ocfupdate.pstat.internal.coap;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;

/** CBOR encoding of OCF payloads; maps and arrays of indefinite length, as IoTivity-Lite writes them. */
public final class Cbor {
    public static final ObjectMapper MAPPER = new CBORMapper();

    private Cbor() {
    }

    public static byte[] encode(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @throws IOException when {@code payload} is not one well-formed CBOR item */
    public static JsonNode decode(byte[] payload) throws IOException {
        JsonNode node = MAPPER.readTree(payload);
        if (node == null || node.isMissingNode()) {
            throw new IOException("empty payload");
        }
        return node;
    }
}
