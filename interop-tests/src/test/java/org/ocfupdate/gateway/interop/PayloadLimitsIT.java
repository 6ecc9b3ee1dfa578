package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the gateway takes as a request body (issue 12, items 9 and 14), on the running gateway.jar: the one strict
 * CBOR decoder on {@code /brewing} (the whiteboard resource of gateway-app) as on pstat, block-wise uploads as the
 * owner over DTLS with libcoap, and a Block1 request over plain CoAP refused before it is buffered.
 */
class PayloadLimitsIT extends OneGatewayPerClass {

    static JsonNode brewing() throws Exception {
        CoapClientCli.Result r = coap.get(gateway.uri("/brewing"));
        assertEquals("2.05", r.code(), r.log());
        return Payloads.decode(r.payload());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // {"cups": 2} and then a byte / a second map; {"cups": 2, "cups": 3}; {"cups": 1(2)}; {"recipe": 0("x")}
        "trailing byte    | a1 6463757073 02 00             | more than one data item",
        "two items        | a1 6463757073 02 a1 6463757073 03 | more than one data item",
        "duplicate key    | a2 6463757073 02 6463757073 03   | Duplicate field 'cups'",
        "tagged value     | a1 6463757073 c1 02             | tag 1",
        "tagged string    | a1 66726563697065 c0 6178       | tag 0",
    })
    void brewingRefusesMalformedCborAndChangesNothing(String name, String hex, String mentions) throws Exception {
        JsonNode before = brewing();
        byte[] body = HexFormat.of().parseHex(hex.replace(" ", ""));
        CoapClientCli.Result r = coap.post(gateway.uri("/brewing"), body);
        assertEquals("4.00", r.code(), r.log());
        assertTrue(String.valueOf(r.diagnostic()).contains(mentions), name + ": " + r.diagnostic());
        assertEquals(before, brewing(), "a refused write changes nothing");
    }

    @Test
    void theOwnerWritesBlockwiseWithLibcoap() throws Exception {
        String recipe = "cortado with a long name, " + System.nanoTime();
        byte[] body = Payloads.cbor(Map.of("recipe", recipe));
        assertTrue(body.length > 32, "more than two blocks of 16 bytes");
        CoapClientCli.Result r = coap.send("post", gateway.uri("/brewing"), body, 10000, "-b", "16");
        assertEquals("2.04", r.code(), r.log());
        assertEquals(recipe, brewing().path("recipe").asText());
    }

    @Test
    void plainCoapBlock1IsRefusedAtItsFirstBlock() throws Exception {
        // CON POST /oic/sec/pstat, token 4 bytes, content-format 10000, Block1 num 0, more, 16 bytes; 16 bytes
        byte[] header = HexFormat.of().parseHex(("44020001" + "01020304"
                + "b3 6f6963 03 736563 05 7073746174" // Uri-Path oic / sec / pstat
                + "12 2710" // Content-Format 10000
                + "d1 02 08" // Block1 (27): num 0, M, szx 0
                + "ff").replace(" ", ""));
        byte[] request = Arrays.copyOf(header, header.length + 16);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            s.setSoTimeout(10_000);
            s.send(new DatagramPacket(request, request.length, new InetSocketAddress("127.0.0.1", gateway.port())));
            DatagramPacket answer = new DatagramPacket(new byte[1500], 1500);
            s.receive(answer);
            byte[] a = Arrays.copyOf(answer.getData(), answer.getLength());
            int code = a[1] & 0xff;
            String text = new String(a, StandardCharsets.ISO_8859_1);
            assertEquals("4.01", (code >> 5) + "." + String.format("%02d", code & 0x1f),
                    "first block answered (2.31 would mean it was buffered): " + HexFormat.of().formatHex(a));
            assertTrue(text.contains("needs a secure connection"), text);
        }
    }
}
