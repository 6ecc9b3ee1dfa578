package org.ocfupdate.pstat.internal.coap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
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

    /** The wildcard bind: a loopback requester gets the loopback addresses of its family, nothing else. */
    @Test
    void aLoopbackRequesterGetsLoopbackEndpointsOfItsFamily() throws Exception {
        List<Map<String, String>> eps = DiscoveryResource.endpoints("coap", new InetSocketAddress(5690),
                InetAddress.getByName("127.0.0.1"));
        assertFalse(eps.isEmpty());
        for (Map<String, String> ep : eps) {
            assertTrue(ep.get("ep").startsWith("coap://127."), eps.toString());
        }
    }

    /** The wildcard bind: a requester on a network of this host never gets loopback or other-family endpoints. */
    @Test
    void aNonLoopbackRequesterNeverGetsLoopbackEndpoints() throws Exception {
        InetAddress own = null;
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (ni.isUp() && !a.isLoopbackAddress() && a instanceof Inet4Address) {
                    own = a;
                }
            }
        }
        Assumptions.assumeTrue(own != null, "this host has no non-loopback IPv4 address");
        byte[] peer = own.getAddress();
        peer[3] = (byte) (peer[3] ^ 1); // a neighbour on the same network
        List<Map<String, String>> eps = DiscoveryResource.endpoints("coaps", new InetSocketAddress(5691),
                InetAddress.getByAddress(peer));
        assertTrue(eps.contains(Map.of("ep", "coaps://" + own.getHostAddress() + ":5691")), eps.toString());
        for (Map<String, String> ep : eps) {
            assertFalse(ep.get("ep").contains("127.") || ep.get("ep").contains("[::1]") || ep.get("ep").contains("["),
                    "no loopback, IPv4 only: " + eps);
        }
    }
}
