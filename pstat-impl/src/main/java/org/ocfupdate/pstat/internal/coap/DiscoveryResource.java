package org.ocfupdate.pstat.internal.coap;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.ocfupdate.pstat.api.DeviceOnboardingState;
import org.ocfupdate.pstat.internal.svr.AccessControl;
import org.ocfupdate.pstat.internal.svr.SvrState;
import org.ocfupdate.pstat.internal.svr.SvrStore;

/**
 * {@code /oic/res}: the links of every served resource, with {@code eps}, and the {@code rt} filter. A multicast
 * (or any non-confirmable) discovery is never answered with an error, and not at all when nothing matches, so
 * that a network of devices stays quiet.
 */
final class DiscoveryResource extends OcfResource {
    private static final String LL = "oic.if.ll";
    private final SvrStore store;
    private final InetSocketAddress bound;
    private final InetSocketAddress secure;
    private final Map<String, Resource> links = new ConcurrentSkipListMap<>();

    DiscoveryResource(SvrStore store, InetSocketAddress bound, InetSocketAddress secure) {
        super("res", List.of("oic.wk.res"), List.of(LL, BASELINE), false);
        this.store = store;
        this.bound = bound;
        this.secure = secure;
        links.put("/oic/res", this);
    }

    void add(String href, Resource resource) {
        links.put(href, resource);
    }

    void remove(String href) {
        links.remove(href);
    }

    @Override
    protected Map<String, Object> representation(CoapExchange exchange) {
        throw new UnsupportedOperationException("/oic/res is an array");
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        boolean quiet = exchange.isMulticastRequest() || exchange.advanced().getRequest().getType() == Type.NON;
        String iface = exchange.getQueryParameter("if");
        if (iface != null && !iface.equals(LL) && !iface.equals(BASELINE)) {
            if (!quiet) {
                error(exchange, ResponseCode.BAD_OPTION, "interface " + iface + " is not one of " + interfaces());
            }
            return;
        }
        int accept = exchange.getRequestOptions().getAccept();
        if (quiet && accept != -1 && accept != OCF_CBOR && accept != 60) {
            return;
        }
        Integer format = responseFormat(exchange);
        if (format == null) {
            return;
        }
        String rt = exchange.getQueryParameter("rt");
        List<Map<String, Object>> matching = new ArrayList<>();
        SvrState state = store.state();
        String anchor = "ocf://" + state.di();
        // the endpoints of the interface and address family the request came in on (an onboarding tool takes the
        // first of each scheme); /oic/res, /oic/d, /oic/p answer on both, the rest only on coaps, but in RFOTM
        // the security resources also on coap (what an onboarding tool reads and writes before the transfer)
        InetAddress requester = exchange.getSourceAddress();
        List<Map<String, String>> secureEps = endpoints("coaps", secure, requester);
        List<Map<String, String>> publicEps = new ArrayList<>(endpoints("coap", bound, requester));
        publicEps.addAll(secureEps);
        boolean rfotm = state.ownership() != null && state.dos() == DeviceOnboardingState.RFOTM;
        for (Map.Entry<String, Resource> e : links.entrySet()) {
            List<String> rts = rts(e.getValue());
            if (rt == null || rts.contains(rt)) {
                String href = e.getKey();
                boolean plain = AccessControl.PUBLIC.contains(href) || rfotm && href.startsWith("/oic/sec/");
                matching.add(link(anchor, href, e.getValue(), rts, plain ? publicEps : secureEps));
            }
        }
        if (matching.isEmpty()) {
            if (!quiet) {
                error(exchange, ResponseCode.NOT_FOUND, "no resource has rt " + rt);
            }
            return;
        }
        Object body = matching;
        if (BASELINE.equals(iface)) {
            Map<String, Object> baseline = new LinkedHashMap<>();
            baseline.put("rt", resourceTypes());
            baseline.put("if", interfaces());
            baseline.put("links", matching);
            body = List.of(baseline);
        }
        reply(exchange, ResponseCode.CONTENT, Cbor.encode(body), format);
    }

    private Map<String, Object> link(String anchor, String href, Resource r, List<String> rts,
            List<Map<String, String>> eps) {
        Map<String, Object> link = new LinkedHashMap<>();
        if (r == this) {
            link.put("rel", List.of("self"));
        }
        link.put("anchor", anchor);
        link.put("href", href);
        link.put("rt", rts);
        link.put("if", r instanceof OcfResource o ? o.interfaces() : r.getAttributes().getInterfaceDescriptions());
        link.put("p", Map.of("bm", 1 | (r.isObservable() ? 2 : 0)));
        link.put("eps", eps);
        return link;
    }

    private static List<String> rts(Resource r) {
        return r instanceof OcfResource o ? o.resourceTypes() : r.getAttributes().getResourceTypes();
    }

    /**
     * The endpoints of the bound address for a request from {@code requester}: when bound to the wildcard, the
     * addresses (of the requester's family) of the interface the request came in on — the one sharing the
     * requester's network prefix, or the scope of its IPv6 link-local address — or, for a routed requester, of
     * every interface; loopback addresses only to a loopback requester.
     */
    static List<Map<String, String>> endpoints(String scheme, InetSocketAddress bound, InetAddress requester) {
        List<InetAddress> addresses = new ArrayList<>();
        if (bound.getAddress().isAnyLocalAddress()) {
            try {
                addresses.addAll(addressesFor(requester));
            } catch (SocketException e) {
                // no interface list: the loopback address only to a loopback requester
            }
            if (addresses.isEmpty() && requester.isLoopbackAddress()) {
                addresses.add(requester);
            }
        } else {
            addresses.add(bound.getAddress());
        }
        return endpoints(scheme, addresses, bound.getPort());
    }

    private static List<InetAddress> addressesFor(InetAddress requester) throws SocketException {
        boolean v6 = requester instanceof Inet6Address;
        boolean loopback = requester.isLoopbackAddress();
        List<NetworkInterface> up = new ArrayList<>();
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (ni.isUp() && ni.isLoopback() == loopback) {
                up.add(ni);
            }
        }
        for (NetworkInterface ni : up) {
            for (InterfaceAddress ia : ni.getInterfaceAddresses()) {
                InetAddress a = ia.getAddress();
                boolean linkLocalScope = v6 && requester.isLinkLocalAddress()
                        && ((Inet6Address) requester).getScopeId() == ni.getIndex();
                if ((a instanceof Inet6Address) == v6 && (linkLocalScope || loopback
                        || samePrefix(a, requester, ia.getNetworkPrefixLength()))) {
                    return family(List.of(ni), v6);
                }
            }
        }
        return family(up, v6);
    }

    private static List<InetAddress> family(List<NetworkInterface> ifaces, boolean v6) {
        List<InetAddress> out = new ArrayList<>();
        for (NetworkInterface ni : ifaces) {
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if ((a instanceof Inet6Address) == v6) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    static boolean samePrefix(InetAddress a, InetAddress b, int bits) {
        byte[] x = a.getAddress();
        byte[] y = b.getAddress();
        if (x.length != y.length || bits <= 0) {
            return false;
        }
        for (int i = 0; i < bits && i < x.length * 8; i++) {
            int mask = 0x80 >> (i % 8);
            if ((x[i / 8] & mask) != (y[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** The endpoints of a bound address (every address of every up interface for the wildcard), for tests. */
    static List<Map<String, String>> endpoints(String scheme, InetSocketAddress bound) {
        return endpoints(scheme, bound, bound.getAddress().isAnyLocalAddress() ? InetAddress.getLoopbackAddress()
                : bound.getAddress());
    }

    private static List<Map<String, String>> endpoints(String scheme, List<InetAddress> addresses, int port) {
        List<Map<String, String>> eps = new ArrayList<>();
        for (InetAddress a : addresses) {
            String host = a instanceof Inet6Address ? "[" + ipv6Text(a.getAddress()) + "]" : a.getHostAddress();
            if (a instanceof Inet4Address || a instanceof Inet6Address) {
                eps.add(Map.of("ep", scheme + "://" + host + ":" + port));
            }
        }
        return List.copyOf(eps);
    }

    /** RFC 5952 text of an IPv6 address (the JDK writes every group: fe80:0:0:0:...), without zone. */
    static String ipv6Text(byte[] a) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8;) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
