package org.ocfupdate.pstat.internal.coap;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.security.Principal;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.CoapStackFactory;
import org.eclipse.californium.core.network.Endpoint;
import org.eclipse.californium.core.network.EndpointObserver;
import org.eclipse.californium.core.network.InMemoryMessageExchangeStore;
import org.eclipse.californium.core.network.RandomTokenGenerator;
import org.eclipse.californium.core.network.TokenGenerator;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.elements.Connector;
import org.eclipse.californium.elements.UDPConnector;
import org.eclipse.californium.elements.UdpMulticastConnector;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.elements.util.ExecutorsUtil;
import org.eclipse.californium.elements.util.Filter;
import org.eclipse.californium.elements.util.NamedThreadFactory;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.ocfupdate.pstat.api.CoapEndpoints;
import org.ocfupdate.pstat.internal.svr.AccessControl;
import org.ocfupdate.pstat.internal.svr.Ace;
import org.ocfupdate.pstat.internal.svr.Credentials;
import org.ocfupdate.gateway.support.GatewayHome;
import org.ocfupdate.pstat.internal.svr.SvrStore;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's CoAP server on Californium. Resources are a whiteboard: any bundle registers a Californium
 * {@link Resource} service with the property {@value #HREF} (its absolute path) and it is served, and listed in
 * {@code /oic/res} with the {@code rt}/{@code if} of its CoRE link attributes. Joins the OCF multicast groups so
 * that OCF clients discover the device.
 */
@Component(configurationPid = "org.ocfupdate.coap", immediate = true, service = {})
@Designate(ocd = CoapServerComponent.Config.class)
public class CoapServerComponent {
    private static final Logger LOG = LoggerFactory.getLogger(CoapServerComponent.class);
    /** Service property of a whiteboard resource: its path, e.g. {@code /oic/sec/pstat}. */
    public static final String HREF = "ocf.href";
    /** The OCF "All CoAP nodes" groups. */
    static final List<String> GROUPS = List.of("224.0.1.187", "ff02::158", "ff03::158", "ff05::158");
    static final int MULTICAST_PORT = 5683;
    /** Block1 transfers kept at once per endpoint, and as many Block2 transfers. */
    static final int MAX_BLOCKWISE_TRANSFERS = 1000;
    static final int BLOCKWISE_LIFETIME_SECONDS = 60;
    /**
     * Exchanges kept for duplicate detection per endpoint. 2 000 cover the whole exchange lifetime (247 s) up to
     * 8 requests/s, and under heavier load every exchange still lives longer than a client's first retransmission
     * timeout (2–3 s) up to ~700 requests/s. A larger window only helped at rates no retransmission needs it: at
     * 10 000, 16 GET clients kept 35 MB of live exchanges (0.3–0.7 s of their traffic) that every young collection
     * copied (docs/benchmarks.md, "JVM options").
     */
    static final int MAX_DEDUPLICATED = 2_000;

    static {
        CoapConfig.register();
        UdpConfig.register();
        DtlsConfig.register();
    }

    @ObjectClassDefinition(name = "OCF CoAP server",
            description = "CoAP (UDP) and CoAPs (DTLS) endpoints of the gateway and OCF multicast discovery.")
    public @interface Config {
        @AttributeDefinition(description = "Address to bind; empty = all addresses (IPv4 and IPv6).")
        String host() default "";

        @AttributeDefinition(description = "CoAP UDP port; 0 = ephemeral (the port chosen is logged).", min = "0", max = "65535")
        int port() default 5683;

        @AttributeDefinition(description = "CoAPs (DTLS 1.2) port; 0 = ephemeral (the port chosen is logged). Everything but /oic/res, /oic/d and /oic/p needs it.", min = "0", max = "65535")
        int securePort() default 5684;

        @AttributeDefinition(required = false, description = "PEM file with the device's identity certificate (CN uuid:<device UUID>) and its chain, for DTLS with X.509 client certificates; relative to the gateway home. Empty = pre-shared keys only.")
        String certificate() default "";

        @AttributeDefinition(required = false, description = "PEM file with the private key of the certificate (PKCS#8, or SEC1 as openssl ecparam writes it); relative to the gateway home.")
        String privateKey() default "";

        @AttributeDefinition(required = false, description = "PEM files (comma-separated) of the CA certificates whose identity certificates clients may present; relative to the gateway home. More can be provisioned in /oic/sec/cred.")
        String trustAnchors() default "";

        @AttributeDefinition(description = "Join the OCF multicast groups (224.0.1.187, ff02::158, ff03::158, ff05::158, port 5683) to answer discovery.")
        boolean multicast() default true;

        @AttributeDefinition(description = "Network interfaces (names, comma-separated) on which to join the groups; empty = every interface that is up and supports multicast.")
        String multicastInterfaces() default "";
    }

    private final CoapServer server;
    private final CoapEndpoint endpoint;
    private final CoapEndpoint secureEndpoint;
    private final AbuseGuard guard;
    private final AccessControl acl;
    private final Runnable aclListener = this::revokeObservations;
    private final Credentials credentials;
    private final DTLSConnector dtls;
    private final Runnable credentialsListener;
    private final DiscoveryResource discovery;
    private final Map<String, Resource> resources = new TreeMap<>();
    private final ServiceRegistration<CoapEndpoints> registration;
    /**
     * The ownership-transfer state (registered by the onboarding state in ownership {@code transfer}); absent, the
     * device owns itself: ordinary sessions only, hint = the device UUID of the SVR state.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile TransferSecurity transferSecurity;

    @Activate
    public CoapServerComponent(BundleContext context, Config config, @Reference SvrStore store,
            @Reference AccessControl acl, @Reference Credentials credentials) throws IOException {
        this.acl = acl;
        this.credentials = credentials;
        Configuration cfg = configuration();
        // one receiver thread is the bottleneck under load on a multi-core gateway
        int cores = Runtime.getRuntime().availableProcessors();
        cfg.set(UdpConfig.UDP_RECEIVER_THREAD_COUNT, Math.max(1, Math.min(4, cores)));
        cfg.set(UdpConfig.UDP_SENDER_THREAD_COUNT, Math.max(1, Math.min(4, cores)));
        InetSocketAddress bind = config.host().isBlank() ? new InetSocketAddress(config.port())
                : new InetSocketAddress(InetAddress.getByName(config.host()), config.port());
        UDPConnector connector = new UDPConnector(bind, cfg);
        connector.setReuseAddress(config.multicast());
        server = new CoapServer(cfg);
        OcfDeliverer deliverer = new OcfDeliverer(server.getRoot(), cfg, acl);
        server.setMessageDeliverer(deliverer);
        endpoint = endpoint(cfg, connector, deliverer);
        Path home = GatewayHome.home(context);
        guard = new AbuseGuard(cfg, SecureEndpoint.MAX_RECENT_HANDSHAKES);
        InetSocketAddress secureBind = new InetSocketAddress(bind.getAddress(), config.securePort());
        SecureEndpoint.X509 x509 = x509(config, home, credentials);
        dtls = SecureEndpoint.connector(cfg, secureBind, credentials, guard, x509,
                new TransferSessions(() -> transferSecurity), () -> store.state().di());
        credentialsListener = () -> {
            if (x509 != null) {
                x509.trust().rebuild();
            }
            endRevokedSessions();
            // a factory reset (pstat RESET) made a new owner: tell its key, once
            credentials.takeFreshOwnerKey().ifPresent(k -> tellOwnerKey(k, credentials, dtls.getAddress()));
        };
        secureEndpoint = endpoint(cfg, dtls, deliverer);
        addEndpoints(server, cfg, endpoint, secureEndpoint);
        try {
            server.start();
        } catch (IllegalStateException e) {
            // Californium 3.14 throws "None of the server endpoints could be started" (after logging the
            // BindException); older versions only log it. Either way the operator gets the message below.
            if (endpoint.isStarted()) {
                throw e;
            }
        }
        if (!endpoint.isStarted() || !secureEndpoint.isStarted()) {
            // fail the component with a message that names the port, so the operator learns what to fix
            server.destroy();
            boolean plain = !endpoint.isStarted();
            throw new IOException("cannot bind " + (plain ? "CoAP" : "CoAPs (DTLS)") + " to udp "
                    + (config.host().isBlank() ? "*" : config.host()) + ":"
                    + (plain ? config.port() : config.securePort()) + " (port taken?); set "
                    + (plain ? "port" : "securePort") + " in etc/org.ocfupdate.coap.cfg");
        }
        InetSocketAddress bound = endpoint.getAddress();
        InetSocketAddress secureBound = secureEndpoint.getAddress();
        if (config.multicast()) {
            joinGroups(connector, cfg, config.multicastInterfaces());
        }
        discovery = new DiscoveryResource(store, bound, secureBound);
        attach("/oic/res", discovery);
        synchronized (this) {
            resources.forEach(this::attach);
        }
        LOG.info("CoAP server listening on udp {} (coap://{}:{}) and DTLS {} (coaps://{}:{})", bound, hostOf(bound),
                bound.getPort(), secureBound, hostOf(secureBound), secureBound.getPort());
        acl.addListener(aclListener);
        credentials.addListener(credentialsListener);
        credentials.takeFreshOwnerKey().ifPresent(k -> tellOwnerKey(k, credentials, secureBound));
        registration = context.registerService(CoapEndpoints.class, new CoapEndpoints() {
            @Override
            public InetSocketAddress coap() {
                return bound;
            }

            @Override
            public InetSocketAddress coaps() {
                return secureBound;
            }
        }, new java.util.Hashtable<>(java.util.Map.of("ocf.di", store.state().di().toString())));
    }

    @Deactivate
    void deactivate() {
        acl.removeListener(aclListener);
        credentials.removeListener(credentialsListener);
        registration.unregister();
        server.destroy();
        LOG.info("CoAP server stopped (DTLS: {})", guard.stats());
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, service = Resource.class,
            target = "(" + HREF + "=*)")
    synchronized void addResource(Resource resource, Map<String, Object> properties) {
        String href = String.valueOf(properties.get(HREF));
        if (!href.startsWith("/") || href.endsWith("/")) {
            LOG.warn("Resource {} ignored: {} must be an absolute path", resource, HREF);
            return;
        }
        resources.put(href, resource);
        if (server != null) {
            attach(href, resource);
        }
    }

    synchronized void removeResource(Resource resource, Map<String, Object> properties) {
        String href = String.valueOf(properties.get(HREF));
        if (resources.remove(href, resource) && server != null) {
            discovery.remove(href);
            Resource parent = resource.getParent();
            if (parent != null) {
                parent.delete(resource);
            }
        }
    }

    /**
     * After an ACL change or a new owner, ends every observation whose subject may no longer read the resource: the
     * observer gets a final 4.01 notification and the relation is removed.
     */
    private synchronized void revokeObservations() {
        for (Map.Entry<String, Resource> e : resources.entrySet()) {
            if (e.getValue() instanceof CoapResource r && r.getObserverCount() > 0) {
                r.clearAndNotifyObserveRelations(relation -> {
                    Peer peer = Peer.of(relation.getExchange());
                    boolean revoked = acl.refusal(peer.secure(), peer.subject(), e.getKey(), Ace.RETRIEVE).isPresent();
                    if (revoked) {
                        LOG.info("Observation of {} by {} cancelled: access revoked", e.getKey(), peer);
                    }
                    return revoked;
                }, ResponseCode.UNAUTHORIZED);
            }
        }
    }

    /**
     * Californium's configuration with the gateway's memory bounds (issue 12, item 9): request bodies of at most
     * {@link OcfResource#MAX_REQUEST} bytes also when sent block-wise (a larger one is answered 4.13 before it is
     * buffered further), block-wise transfers forgotten after {@value #BLOCKWISE_LIFETIME_SECONDS} s without a
     * block (Californium: 300 s); duplicate detection is bounded by {@link #endpoint}.
     */
    static Configuration configuration() {
        // a copy: createStandardWithoutFile() also makes the JVM-wide standard that every CoapClient uses (the
        // installer's health probe reads /oic/res, over 1024 bytes), and the server's limits are the server's only
        Configuration cfg = new Configuration(Configuration.createStandardWithoutFile());
        cfg.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, OcfResource.MAX_REQUEST);
        cfg.set(CoapConfig.BLOCKWISE_STATUS_LIFETIME, BLOCKWISE_LIFETIME_SECONDS, TimeUnit.SECONDS);
        return cfg;
    }

    /**
     * An endpoint of the gateway: the OCF options, access control before any block-wise buffering and at most
     * {@value #MAX_BLOCKWISE_TRANSFERS} Block1 and as many Block2 transfers ({@link OcfStack}), and duplicate
     * detection of at most {@value #MAX_DEDUPLICATED} exchanges ({@link BoundedDeduplicator}; Californium's keep
     * every exchange for 247 s, ~1 KB each, however many peers send them).
     */
    static CoapEndpoint endpoint(Configuration cfg, Connector connector, OcfDeliverer deliverer) {
        return endpoint(cfg, connector, OcfStack.factory(deliverer, MAX_BLOCKWISE_TRANSFERS), MAX_DEDUPLICATED);
    }

    static CoapEndpoint endpoint(Configuration cfg, Connector connector, CoapStackFactory stack,
            int maxDeduplicated) {
        TokenGenerator tokens = new RandomTokenGenerator(cfg);
        InMemoryMessageExchangeStore exchanges = new InMemoryMessageExchangeStore(cfg, tokens);
        exchanges.setDeduplicator(new BoundedDeduplicator(cfg, maxDeduplicated));
        return new CoapEndpoint.Builder().setConfiguration(cfg).setConnector(connector)
                .setOptionRegistry(OcfOptions.REGISTRY).setCoapStackFactory(stack).setTokenGenerator(tokens)
                .setMessageExchangeStore(exchanges).build();
    }

    /**
     * Adds both endpoints to the server, the secure one with protocol threads of its own: Californium's server
     * otherwise gives all its endpoints one pool, and an unauthenticated plain-CoAP flood (every datagram a task
     * of that pool) would then keep the owner's DTLS requests queued behind it (issue 12, item 9). Each pool has
     * {@code PROTOCOL_STAGE_THREAD_COUNT} threads; the secure endpoint's pools end when it is destroyed.
     */
    static void addEndpoints(CoapServer server, Configuration cfg, CoapEndpoint plain, CoapEndpoint secure) {
        int threads = cfg.get(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT);
        // set before start, so that start does not give its own pool to every endpoint; the server ends them
        server.setExecutors(ExecutorsUtil.newScheduledThreadPool(threads, new NamedThreadFactory("CoapServer#")),
                ExecutorsUtil.newDefaultSecondaryScheduler("CoapServer(secondary)#"), false);
        server.addEndpoint(plain);
        server.addEndpoint(secure);
        ScheduledExecutorService main = ExecutorsUtil.newScheduledThreadPool(threads,
                new NamedThreadFactory("coaps#"));
        ScheduledExecutorService secondary = ExecutorsUtil.newDefaultSecondaryScheduler("coaps(secondary)#");
        secure.setExecutors(main, secondary); // after addEndpoint, which set the server's
        secure.addObserver(new EndpointObserver() {
            @Override
            public void started(Endpoint endpoint) {
            }

            @Override
            public void stopped(Endpoint endpoint) {
            }

            @Override
            public void destroyed(Endpoint endpoint) {
                main.shutdownNow();
                secondary.shutdownNow();
            }
        });
    }

    /** A pre-shared key removed from /oic/sec/cred ends the DTLS sessions made with it at once. */
    private void endRevokedSessions() {
        dtls.startTerminateConnectionsForPrincipal((Filter<Principal>) principal -> {
            if (!(principal instanceof PreSharedKeyIdentity psk)
                    || TransferSessions.RDP_IDENTITY.equals(psk.getIdentity())) {
                // a Random-PIN transfer session's key is the PIN's, not a credential's (its identity, 16
                // characters, would otherwise read as a UUID's 16 bytes that has no credential)
                return false;
            }
            UUID subject = Peer.subject(principal);
            boolean revoked = subject == null || credentials.psk(subject).isEmpty();
            if (revoked) {
                LOG.info("DTLS session of {} ended: its credential was removed", subject);
            }
            return revoked;
        });
    }

    /** Once, on the console, the owner credential made at this start and how to use it. */
    private static void tellOwnerKey(Credentials.OwnerKey k, Credentials credentials, InetSocketAddress secure) {
        String host = secure.getAddress().isAnyLocalAddress() ? "127.0.0.1" : hostOf(secure);
        System.out.println("Owner credential of this device (made now, shown once; kept owner-only in "
                + credentials.ownerFile() + "):\n"
                + "  identity " + k.identity() + "\n"
                + "  read pstat with: coap-client-gnutls -m get -u " + k.identity() + " -k " + k.key()
                + " coaps://" + host + ":" + secure.getPort() + "/oic/sec/pstat");
    }

    private static SecureEndpoint.X509 x509(Config config, Path home, Credentials credentials) throws IOException {
        List<X509Certificate> anchors = new ArrayList<>();
        for (String f : config.trustAnchors().split(",")) {
            if (!f.isBlank()) {
                anchors.addAll(SecureEndpoint.certificates(home.resolve(f.trim())));
            }
        }
        TrustAnchors trust = new TrustAnchors(anchors, credentials);
        if (config.certificate().isBlank()) {
            if (trust.size() > 0) {
                LOG.warn("Trust anchors configured but no certificate/privateKey: DTLS offers pre-shared keys only");
            }
            return null;
        }
        return new SecureEndpoint.X509(home.resolve(config.certificate().trim()),
                home.resolve(config.privateKey().trim()), trust);
    }

    private void attach(String href, Resource resource) {
        List<String> segments = Arrays.asList(href.substring(1).split("/"));
        Resource parent = server.getRoot();
        for (String segment : segments.subList(0, segments.size() - 1)) {
            Resource child = parent.getChild(segment);
            if (child == null) {
                child = new CoapResource(segment, false);
                parent.add(child);
            }
            parent = child;
        }
        resource.setName(segments.get(segments.size() - 1));
        parent.add(resource);
        discovery.add(href, resource);
    }

    private static void joinGroups(UDPConnector unicast, Configuration cfg, String names) {
        List<NetworkInterface> ifaces = new ArrayList<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                boolean wanted = names.isBlank() ? ni.isUp() && ni.supportsMulticast() && !ni.isLoopback()
                        : Arrays.stream(names.split(",")).map(String::trim).anyMatch(ni.getName()::equals);
                if (wanted) {
                    ifaces.add(ni);
                }
            }
        } catch (SocketException e) {
            LOG.warn("Cannot list network interfaces; multicast discovery is off: {}", e.getMessage());
            return;
        }
        for (String group : GROUPS) {
            InetAddress groupAddress;
            try {
                groupAddress = InetAddress.getByName(group);
            } catch (IOException e) {
                continue;
            }
            boolean v4 = groupAddress instanceof Inet4Address;
            for (NetworkInterface ni : ifaces) {
                if (ni.inetAddresses().noneMatch(a -> v4 ? a instanceof Inet4Address : a instanceof Inet6Address)) {
                    continue;
                }
                try {
                    // a link-local group can be bound only with the interface as its scope
                    InetAddress local = groupAddress.isMCLinkLocal()
                            ? Inet6Address.getByAddress(null, groupAddress.getAddress(), ni) : groupAddress;
                    UdpMulticastConnector receiver = new UdpMulticastConnector.Builder().setConfiguration(cfg)
                            .setMulticastReceiver(true).setLocalAddress(local, MULTICAST_PORT)
                            .addMulticastGroup(groupAddress, ni).build();
                    receiver.start();
                    unicast.addMulticastReceiver(receiver);
                    LOG.info("Joined multicast group {} port {} on {}", group, MULTICAST_PORT, ni.getName());
                } catch (IOException | RuntimeException e) {
                    LOG.warn("Cannot join multicast group {} on {}: {}; discovery through it is off there", group,
                            ni.getName(), e.getMessage());
                }
            }
        }
    }

    static String hostOf(InetSocketAddress address) {
        InetAddress a = address.getAddress();
        return a instanceof Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
    }
}
