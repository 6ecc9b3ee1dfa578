package org.ocfupdate.pstat.internal.coap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.ocfupdate.pstat.api.DeviceOnboardingState;
import org.ocfupdate.pstat.api.PstatChange;

import com.fasterxml.jackson.databind.JsonNode;

class PstatResourceParseTest {

    static JsonNode cbor(Object value) throws Exception {
        return Cbor.decode(Cbor.encode(value));
    }

    @Test
    void parsesEveryWritableProperty() throws Exception {
        UUID owner = UUID.randomUUID();
        PstatChange c = PstatResource.parse(cbor(Map.of("dos", Map.of("s", 2), "tm", 256, "om", 4,
                "rowneruuid", owner.toString())));
        assertEquals(new PstatChange(DeviceOnboardingState.RFPRO, 256, 4, owner), c);
    }

    @Test
    void anEmptyMapChangesNothing() throws Exception {
        assertEquals(true, PstatResource.parse(cbor(Map.of())).isEmpty());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"cm\":0}|read-only property cm",
        "{\"isop\":true}|read-only property isop",
        "{\"sm\":4}|read-only property sm",
        "{\"rt\":[\"oic.r.pstat\"]}|read-only property rt",
        "{\"dos\":{\"s\":3,\"p\":true}}|read-only property dos.p",
        "{\"dos\":{\"x\":1}}|unknown property dos.x",
        "{\"dos\":{}}|dos needs s",
        "{\"dos\":3}|dos must be a map",
        "{\"dos\":{\"s\":5}}|dos.s must be 0..4, not 5",
        "{\"foo\":1}|unknown property foo",
        "{\"tm\":\"256\"}|tm must be an integer",
        "{\"tm\":2.5}|tm must be an integer",
        "{\"tm\":512}|tm must be 0..511, not 512",
        "{\"tm\":-1}|tm must be 0..511, not -1",
        "{\"tm\":99999999999}|tm must be 0..511, not 99999999999",
        "{\"om\":8}|om must be 1..7, not 8",
        "{\"rowneruuid\":\"not-a-uuid\"}|rowneruuid must be a UUID string",
        "{\"rowneruuid\":7}|rowneruuid must be a UUID string",
        "[1,2]|payload must be a CBOR map",
    })
    void refusesWithAPreciseDiagnostic(String json, String diagnostic) throws Exception {
        JsonNode body = cbor(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PstatResource.parse(body));
        assertEquals(diagnostic, e.getMessage());
    }

    @Test
    void malformedCborIsAnIoError() {
        assertThrows(java.io.IOException.class, () -> Cbor.decode(new byte[] {(byte) 0xff, 0x00, 0x12}));
        assertThrows(java.io.IOException.class, () -> Cbor.decode(new byte[0]));
    }
}
