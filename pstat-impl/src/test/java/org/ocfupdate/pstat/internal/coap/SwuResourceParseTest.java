package org.ocfupdate.pstat.internal.coap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Every POST rule of /oc/swu (docs/software-update.md §4, IoTivity-Lite's rules, docs/spec-interpretation.md). */
class SwuResourceParseTest {
    static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    static final ObjectMapper JSON = new ObjectMapper();

    static SwuResource.Post parse(String json, String stored) throws Exception {
        JsonNode cbor = Cbor.decode(Cbor.encode(JSON.readTree(json)));
        return SwuResource.parse(cbor, stored, NOW);
    }

    @Test
    void anActionNow() throws Exception {
        SwuResource.Post p = parse("{\"purl\":\"https://example.org/release.json\",\"swupdateaction\":\"isac\","
                + "\"updatetime\":\"now\"}", "");
        assertEquals(new SwuResource.Settings("https://example.org/release.json", "isac", "now"), p.settings());
        assertNull(p.at());
    }

    @Test
    void anActionAtAFutureTimeWithAnOffset() throws Exception {
        SwuResource.Post p = parse("{\"purl\":\"coaps://[fd00::1]/fw\",\"swupdateaction\":\"upgrade\","
                + "\"updatetime\":\"2026-11-26T11:30:00+01:00\"}", "");
        assertEquals(Instant.parse("2026-11-26T10:30:00Z"), p.at());
    }

    @Test
    void anEmptyPurlKeepsTheStoredOne() throws Exception {
        SwuResource.Post p = parse("{\"purl\":\"\",\"swupdateaction\":\"isvv\",\"updatetime\":\"none\"}",
                "http://127.0.0.1/d.json");
        assertEquals("http://127.0.0.1/d.json", p.settings().purl());
        assertEquals(Instant.MAX, p.at(), "none: stored, not run");
    }

    @Test
    void idleWithAnyTime() throws Exception {
        assertEquals("idle", parse("{\"purl\":\"\",\"swupdateaction\":\"idle\",\"updatetime\":\"now\"}", "")
                .settings().action());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"purl\":\"\",\"swupdateaction\":\"isac\"}|purl, swupdateaction and updatetime go together: updatetime is missing",
        "{\"swupdateaction\":\"isac\",\"updatetime\":\"now\"}|purl, swupdateaction and updatetime go together: purl is missing",
        "{\"purl\":\"\",\"swupdateaction\":\"reboot\",\"updatetime\":\"now\"}|swupdateaction must be idle, isac, isvv or upgrade, not reboot",
        "{\"purl\":\"\",\"swupdateaction\":\"isac\",\"updatetime\":\"2026-11-26T09:59:59Z\"}|updatetime 2026-11-26T09:59:59Z is in the past",
        "{\"purl\":\"\",\"swupdateaction\":\"isac\",\"updatetime\":\"tomorrow\"}|updatetime must be now, none or an RFC 3339 date-time, not tomorrow",
        "{\"purl\":\"\",\"swupdateaction\":\"isac\",\"updatetime\":\"2026-11-27 10:00\"}|updatetime must be now, none or an RFC 3339 date-time, not 2026-11-27 10:00",
        "{\"purl\":\"ftp://example.org/x\",\"swupdateaction\":\"isac\",\"updatetime\":\"now\"}|purl must be an absolute https, http or coaps URL, not ftp://example.org/x",
        "{\"purl\":\"/relative/path\",\"swupdateaction\":\"isac\",\"updatetime\":\"now\"}|purl must be an absolute https, http or coaps URL, not /relative/path",
        "{\"purl\":\"https://\",\"swupdateaction\":\"isac\",\"updatetime\":\"now\"}|purl is not a URL: https://",
        "{\"purl\":\"https://example.org/a-very-long-path-that-goes-on-and-on-past-64-chars.json\",\"swupdateaction\":\"isac\",\"updatetime\":\"now\"}|purl is longer than 64 characters",
        "{\"purl\":\"\",\"swupdateaction\":\"isac\",\"updatetime\":\"now\",\"swupdatestate\":\"idle\"}|read-only property swupdatestate",
        "{\"purl\":\"\",\"swupdateaction\":\"isac\",\"updatetime\":\"now\",\"nv\":\"2.0.0\"}|read-only property nv",
        "{\"purl\":\"\",\"swupdateaction\":\"isac\",\"updatetime\":\"now\",\"signed\":\"vendor\"}|read-only property signed",
        "{\"purl\":\"\",\"swupdateaction\":\"isac\",\"updatetime\":\"now\",\"swupdateresult\":0}|read-only property swupdateresult",
        "{\"purl\":\"\",\"swupdateaction\":\"isac\",\"updatetime\":\"now\",\"x\":1}|unknown property x",
        "{\"purl\":1,\"swupdateaction\":\"isac\",\"updatetime\":\"now\"}|purl must be a string",
        "[1]|payload must be a CBOR map",
    })
    void refusals(String json, String diagnostic) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(json, ""));
        assertEquals(diagnostic, e.getMessage());
    }
}
