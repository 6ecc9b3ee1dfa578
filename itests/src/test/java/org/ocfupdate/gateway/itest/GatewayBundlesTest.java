package org.ocfupdate.gateway.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ocfupdate.pstat.api.CoapEndpoints;
import org.ocfupdate.pstat.api.Dpm;
import org.ocfupdate.pstat.api.PstatChange;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.api.provider.UpdateProvider;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.util.tracker.ServiceTracker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;

/** The real bundles in a real Felix: components come up, the CoAP whiteboard serves, pstat answers. */
class GatewayBundlesTest {
    static final BundleContext CONTEXT = FrameworkUtil.getBundle(GatewayBundlesTest.class).getBundleContext();
    static final CBORMapper CBOR = new CBORMapper();
    static Configuration coapConfig;

    @BeforeAll
    static synchronized void ephemeralPortWithoutMulticast() throws Exception {
        if (coapConfig != null) {
            return;
        }
        ConfigurationAdmin ca = service(ConfigurationAdmin.class);
        coapConfig = ca.getConfiguration("org.ocfupdate.coap", "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("host", "127.0.0.1");
        props.put("port", 0);
        props.put("securePort", 0);
        props.put("multicast", false);
        coapConfig.update(props);
    }

    /**
     * One open tracker per type for the whole run: a tracker per call was never closed (a wait in a loop opened
     * hundreds), and closing it would release the service, which SCR may then deactivate while the test uses it.
     */
    private static final Map<Class<?>, ServiceTracker<?, ?>> TRACKERS = new ConcurrentHashMap<>();

    static <T> T service(Class<T> type) throws InterruptedException {
        @SuppressWarnings("unchecked")
        ServiceTracker<T, T> tracker = (ServiceTracker<T, T>) TRACKERS.computeIfAbsent(type, t -> {
            ServiceTracker<T, T> created = new ServiceTracker<>(CONTEXT, type, null);
            created.open();
            return created;
        });
        T s = tracker.waitForService(TimeUnit.SECONDS.toMillis(20));
        assertNotNull(s, type.getSimpleName() + " not registered");
        return s;
    }

    /** The provider {@code name} whose registration also matches {@code filter} (e.g. its ranking), once there. */
    static UpdateProvider awaitProvider(String name, String filter) throws Exception {
        for (int i = 0; i < 400; i++) {
            Collection<ServiceReference<UpdateProvider>> refs = CONTEXT
                    .getServiceReferences(UpdateProvider.class, "(&(provider.name=" + name + ")" + filter + ")");
            if (!refs.isEmpty()) {
                return CONTEXT.getService(refs.iterator().next());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + name + " provider with " + filter);
    }

    /**
     * Waits until the engine trusts {@code key}: ConfigAdmin delivers a configuration asynchronously, and a package
     * checked before it arrived fails "does not verify with any trusted key" (a loaded itests run failed so). One
     * clean-clone run saw the delivery take over 20 s (ConfigAdmin's and SCR's events are handled on one thread): after
     * 5 s the threads are printed once, so that the next such run shows what held it.
     */
    static void awaitTrusted(java.security.PublicKey key) throws Exception {
        String fingerprint = java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        for (int i = 0; i < 1200; i++) {
            if (service(org.ocfupdate.pstat.api.PstatService.class).trustedKeys().stream()
                    .anyMatch(k -> k.fingerprint().equals(fingerprint))) {
                return;
            }
            if (i == 100) {
                System.out.println("awaitTrusted: the trusted key has not arrived after 5 s; threads:\n" + threads());
            }
            Thread.sleep(50);
        }
        // the threads again, in the failure itself: CI shows the failures' text, not the whole output
        throw new AssertionError("the engine never trusted the key " + fingerprint + "; threads now:\n" + threads());
    }

    static final String MARKER_PID = "org.ocfupdate.itest.marker";
    private static final AtomicInteger markers = new AtomicInteger();
    private static ServiceRegistration<ConfigurationListener> markerListener;

    /**
     * Returns once ConfigAdmin delivered every configuration event sent before the call: it sends a marker event of
     * its own and waits for it, as ConfigAdmin delivers its events in order on one thread.
     */
    static synchronized void awaitConfigurationEvents() throws Exception {
        if (markerListener == null) {
            markerListener = CONTEXT.registerService(ConfigurationListener.class, e -> {
                if (MARKER_PID.equals(e.getPid())) {
                    markers.incrementAndGet();
                }
            }, null);
        }
        int before = markers.get();
        service(ConfigurationAdmin.class).getConfiguration(MARKER_PID, "?")
                .update(new Hashtable<>(Map.of("n", before + 1)));
        for (int i = 0; i < 600 && markers.get() == before; i++) {
            Thread.sleep(50);
        }
        if (markers.get() == before) {
            throw new AssertionError("ConfigAdmin delivered no event for 30 s; threads now:\n" + threads());
        }
    }

    /** Every thread's stack, those of the gateway, Felix and ConfigAdmin first (who holds an event thread). */
    static String threads() {
        StringBuilder ours = new StringBuilder();
        StringBuilder rest = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, stack) -> {
            StringBuilder b = new StringBuilder().append('"').append(t.getName()).append("\" ").append(t.getState())
                    .append('\n');
            for (StackTraceElement e : stack) {
                b.append("    at ").append(e).append('\n');
            }
            boolean gateway = java.util.Arrays.stream(stack).anyMatch(e -> e.getClassName().startsWith("org.ocfupdate")
                    || e.getClassName().startsWith("org.apache.felix.cm") || e.getClassName().startsWith(
                            "org.apache.felix.scr"));
            (gateway ? ours : rest).append(b);
        });
        return ours.append(rest).toString();
    }

    static String base() throws InterruptedException {
        // wait for the endpoint of the ephemeral-port configuration, not the default one
        for (int i = 0; i < 200; i++) {
            CoapEndpoints eps = service(CoapEndpoints.class);
            if (eps.coap().getPort() != 5683 && eps.coaps().getPort() != 5684) {
                return "coap://127.0.0.1:" + eps.coap().getPort();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("CoAP endpoint did not move to the configured ephemeral port");
    }

    private static org.eclipse.californium.core.network.CoapEndpoint ownerEndpoint;

    /**
     * A client of {@code path} over DTLS with the owner's PSK (from {@code data/credentials/owner.properties}): what
     * everything but discovery needs. All such clients share one DTLS endpoint; don't shut it down.
     */
    static synchronized CoapClient ownerClient(String path) throws Exception {
        base(); // the test configuration's endpoints are up
        CoapEndpoints eps = service(CoapEndpoints.class);
        if (ownerEndpoint == null) {
            java.util.Properties owner = new java.util.Properties();
            try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(CONTEXT.getProperty("gateway.home"),
                    "data", "credentials", "owner.properties"))) {
                owner.load(in);
            }
            org.eclipse.californium.scandium.config.DtlsConfig.register();
            var cfg = org.eclipse.californium.elements.config.Configuration.createStandardWithoutFile();
            var dtls = org.eclipse.californium.scandium.config.DtlsConnectorConfig.builder(cfg)
                    .set(org.eclipse.californium.scandium.config.DtlsConfig.DTLS_ROLE,
                            org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole.CLIENT_ONLY)
                    .setAdvancedPskStore(new org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore(
                            owner.getProperty("identity"),
                            owner.getProperty("key").getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                    .build();
            ownerEndpoint = new org.eclipse.californium.core.network.CoapEndpoint.Builder().setConfiguration(cfg)
                    .setConnector(new org.eclipse.californium.scandium.DTLSConnector(dtls)).build();
        }
        CoapClient client = new CoapClient("coaps://127.0.0.1:" + eps.coaps().getPort() + path);
        client.setEndpoint(ownerEndpoint);
        return client;
    }

    @Test
    void allGatewayBundlesAreActive() {
        for (Bundle b : CONTEXT.getBundles()) {
            if (b.getSymbolicName().startsWith("org.ocfupdate.") && b.getHeaders().get("Fragment-Host") == null) {
                assertEquals(Bundle.ACTIVE, b.getState(), b.getSymbolicName() + " is not active");
            }
        }
    }

    @Test
    void servesDeviceAndDiscoveryOverCoap() throws Exception {
        CoapClient client = new CoapClient(base() + "/oic/d");
        try {
            CoapResponse d = client.get();
            assertEquals(ResponseCode.CONTENT, d.getCode());
            assertEquals(10000, d.getOptions().getContentFormat());
            JsonNode device = CBOR.readTree(d.getPayload());
            assertTrue(device.get("sv").asText().matches("\\d+\\.\\d+\\.\\d+"), device.toString());
            client.setURI(base() + "/oic/res?rt=oic.r.pstat");
            JsonNode links = CBOR.readTree(client.get().getPayload());
            assertEquals(1, links.size());
            assertEquals("/oic/sec/pstat", links.get(0).get("href").asText());
            assertEquals(3, links.get(0).get("p").get("bm").asInt(), "pstat is discoverable and observable");
        } finally {
            client.shutdown();
        }
    }

    @Test
    void anyBundleCanContributeAResource() throws Exception {
        CoapResource hello = new CoapResource("ignored") {
            @Override
            public void handleGET(CoapExchange exchange) {
                exchange.respond("hi");
            }
        };
        hello.getAttributes().addResourceType("x.org.example.hello");
        hello.getAttributes().addInterfaceDescription("oic.if.r");
        ServiceRegistration<Resource> reg = CONTEXT.registerService(Resource.class, hello,
                new Hashtable<>(Map.of("ocf.href", "/example/hello")));
        CoapClient client = new CoapClient(base() + "/example/hello");
        CoapClient owner = ownerClient("/example/hello");
        try {
            // access control covers whiteboard resources too: plain CoAP is refused, the owner over DTLS served
            assertEquals(ResponseCode.UNAUTHORIZED, client.get().getCode());
            assertEquals("hi", owner.get().getResponseText());
            client.setURI(base() + "/oic/res?rt=x.org.example.hello");
            assertEquals(1, CBOR.readTree(client.get().getPayload()).size());
            reg.unregister();
            assertEquals(ResponseCode.NOT_FOUND, owner.get().getCode());
        } finally {
            client.shutdown();
            owner.shutdown();
        }
    }

    @Test
    void pstatServiceRunsACheckToIdle() throws Exception {
        PstatService pstat = service(PstatService.class);
        List<Integer> tms = new java.util.concurrent.CopyOnWriteArrayList<>();
        pstat.addListener(p -> tms.add(p.tm()));
        pstat.update(PstatChange.tm(Dpm.ISAC), true);
        for (int i = 0; i < 100 && pstat.current().tm() != 0; i++) {
            Thread.sleep(20);
        }
        assertEquals(0, pstat.current().tm());
        assertTrue(tms.contains(Dpm.ISAC), "the check was visible as tm 256: " + tms);
    }
}
