package org.ocfupdate.pstat.internal.coap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class DiscoveryResourceTest {
    static String text(String address) throws Exception {
        return DiscoveryResource.ipv6Text(InetAddress.getByName(address).getAddress());
    }

    @Test
    void ipv6EndpointsAreWrittenInTheirShortForm() throws Exception {
        assertEquals("::1", text("0:0:0:0:0:0:0:1"));
        assertEquals("fe80::fc:ff:fe00:1", text("fe80:0:0:0:fc:ff:fe00:1"));
        assertEquals("fd00::2", text("fd00:0:0:0:0:0:0:2"));
        assertEquals("2001:db8::1:0:0:1", text("2001:db8:0:0:1:0:0:1"));
        assertEquals("2001:db8:0:1:1:1:1:1", text("2001:db8:0:1:1:1:1:1"));
        assertEquals("::", text("::"));
    }

    @Test
    void aSpecificBindAddressIsTheOnlyEndpoint() throws Exception {
        List<Map<String, String>> eps = DiscoveryResource.endpoints("coap", new InetSocketAddress("127.0.0.1", 5690));
        assertEquals(List.of(Map.of("ep", "coap://127.0.0.1:5690")), eps);
        assertEquals(List.of(Map.of("ep", "coap://[::1]:5690")),
                DiscoveryResource.endpoints("coap", new InetSocketAddress("::1", 5690)));
    }
}
