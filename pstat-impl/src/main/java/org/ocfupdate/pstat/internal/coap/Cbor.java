package org.ocfupdate.pstat.internal.coap;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.ocfupdate.pstat.cbor.MalformedCborException;
import org.ocfupdate.pstat.cbor.StrictCbor;

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

    /**
     * Decodes a request payload strictly ({@link StrictCbor}: one item, no duplicate key, no tag).
     *
     * @throws MalformedCborException with a short diagnostic when it is not
     */
    public static JsonNode decode(byte[] payload) throws MalformedCborException {
        return StrictCbor.decode(payload);
    }
}
