package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code /oic/res} of the exported gateway.jar, read with libcoap's coap-client. One gateway for the class (read only). */
class DiscoveryIT extends OneGatewayPerClass {

    static JsonNode discover(String query) throws Exception {
        CoapClientCli.Result r = coap.get(gateway.uri("/oic/res" + query));
        assertEquals("2.05", r.code(), r.log());
        assertEquals("10000", r.responses().get(0).option("Content-Format"), r.log());
        return Payloads.decode(r.payload());
    }

    @Test
    void linksCarryHrefRtIfPolicyAndEndpointsWithTheBoundPort() throws Exception {
        JsonNode links = discover("");
        assertTrue(links.isArray(), links.toString());
        List<String> hrefs = new ArrayList<>();
        for (JsonNode link : links) {
            String href = link.path("href").asText();
            hrefs.add(href);
            assertTrue(href.startsWith("/"), link.toString());
            assertTrue(link.path("rt").isArray() && link.path("rt").size() > 0, link.toString());
            assertTrue(link.path("if").isArray() && link.path("if").size() > 0, link.toString());
            assertTrue(link.path("p").path("bm").isInt(), link.toString());
            JsonNode eps = link.path("eps");
            assertTrue(eps.isArray() && eps.size() > 0, link.toString());
            // the public resources on both endpoints, everything else on coaps only (plain CoAP would get 4.01)
            boolean plain = false;
            boolean secure = false;
            for (JsonNode ep : eps) {
                String uri = ep.path("ep").asText();
                assertTrue(uri.startsWith("coap://") || uri.startsWith("coaps://"), link.toString());
                plain |= uri.equals("coap://127.0.0.1:" + gateway.port());
                secure |= uri.equals("coaps://127.0.0.1:" + gateway.securePort());
            }
            assertEquals(GatewayProcess.PUBLIC.contains(href), plain, "ep coap://127.0.0.1:" + gateway.port() + " in " + link);
            assertTrue(secure, "no ep coaps://127.0.0.1:" + gateway.securePort() + " in " + link);
        }
        assertTrue(hrefs.containsAll(List.of("/oic/res", "/oic/d", "/oic/p", "/oic/sec/pstat")), hrefs.toString());

        JsonNode pstat = link(links, "/oic/sec/pstat");
        assertEquals(3, pstat.at("/p/bm").intValue(), "pstat is discoverable and observable: " + pstat);
        assertEquals(1, link(links, "/oic/d").at("/p/bm").intValue(), "/oic/d is discoverable, not observable");

        // the anchor names this device
        JsonNode device = Payloads.decode(coap.get(gateway.uri("/oic/d")).payload());
        for (JsonNode link : links) {
            assertEquals("ocf://" + device.path("di").asText(), link.path("anchor").asText(), link.toString());
        }
        OcfSchemas.assertValid("oic.wk.res.swagger.json", "slinklist", links);
    }

    @Test
    void baselineInterfaceWrapsTheLinksWithRtAndIf() throws Exception {
        JsonNode body = discover("?if=oic.if.baseline");
        assertEquals(1, body.size(), body.toString());
        JsonNode baseline = body.get(0);
        assertEquals("[\"oic.wk.res\"]", baseline.path("rt").toString());
        assertTrue(baseline.path("if").toString().contains("oic.if.ll"), baseline.toString());
        assertNotNull(link(baseline.path("links"), "/oic/sec/pstat"));
        OcfSchemas.assertValid("oic.wk.res.swagger.json", "sbaseline", body);
    }

    @Test
    void rtFilterReturnsExactlyThePstatLink() throws Exception {
        JsonNode links = discover("?rt=oic.r.pstat");
        assertEquals(1, links.size(), links.toString());
        JsonNode link = links.get(0);
        assertEquals("/oic/sec/pstat", link.path("href").asText());
        assertEquals("[\"oic.r.pstat\"]", link.path("rt").toString());
        assertEquals("[\"oic.if.rw\",\"oic.if.baseline\"]", link.path("if").toString());
        OcfSchemas.assertValid("oic.wk.res.swagger.json", "slinklist", links);
    }

    @Test
    void unicastConfirmableDiscoveryWithoutMatchAnswers404() throws Exception {
        CoapClientCli.Result r = coap.get(gateway.uri("/oic/res?rt=oic.r.nothing"));
        assertEquals("4.04", r.code(), r.log());
        assertEquals("ACK", r.responses().get(0).type(), "a piggybacked answer to the CON request: " + r.log());
        assertEquals(0, r.payload().length);
        assertNotNull(r.diagnostic(), r.log());
        assertTrue(r.diagnostic().contains("oic.r.nothing"), r.diagnostic());
    }

    @Test
    void nonConfirmableDiscoveryWithoutMatchStaysQuiet() throws Exception {
        // what a multicast discovery looks like to the resource: no answer at all when nothing matches
        CoapClientCli.Result r = coap.raw(List.of("-N", "-B", "2", "-v", "6", gateway.uri("/oic/res?rt=oic.r.nothing")));
        assertEquals("NON", r.pdus().get(0).type(), r.log());
        assertTrue(r.responses().isEmpty(), "expected no response: " + r.log());
        // while a matching NON discovery is answered
        CoapClientCli.Result match = coap.raw(List.of("-N", "-B", "5", "-v", "6", gateway.uri("/oic/res?rt=oic.r.pstat")));
        assertEquals("2.05", match.code(), match.log());
    }

    @Test
    void theOfficialHrefFormatRejectsRelativeHrefs() {
        // documents why OcfSchemas drops "format": "uri" from href in its copy of the schema
        assertFalse(OcfSchemas.hrefFormatQuirk().isEmpty(),
                "the published href schema accepts /oic/p: the patch in OcfSchemas is no longer needed");
    }

    static JsonNode link(JsonNode links, String href) {
        for (JsonNode link : links) {
            if (href.equals(link.path("href").asText())) {
                return link;
            }
        }
        throw new AssertionError("no link " + href + " in " + links);
    }
}
