package org.ocfupdate.pstat.internal.coap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.BlockOption;
import org.eclipse.californium.core.coap.CoAP.Code;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.CoapStackFactory;
import org.eclipse.californium.core.network.ExtendedCoapStackFactory;
import org.eclipse.californium.core.network.stack.BaseCoapStack;
import org.eclipse.californium.core.network.stack.BlockwiseLayer;
import org.eclipse.californium.core.network.stack.CoapStack;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.Connector;
import org.eclipse.californium.elements.UDPConnector;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.pstat.internal.svr.AccessControl;
import org.ocfupdate.pstat.internal.svr.Credentials;
import org.ocfupdate.pstat.internal.svr.SvrStore;

/**
 * The gateway's CoAP stack on real UDP and DTLS endpoints over loopback (issue 12, item 9): access control before
 * Californium buffers a Block1 request body, and a bound on the transfers kept.
 */
class OcfStackTest {
    static final int MAX_TRANSFERS = 2;
    @TempDir
    Path dir;
    CoapServer server;
    final List<CoapStack> stacks = new ArrayList<>();
    CoapEndpoint plain;
    CoapEndpoint secure;
    CoapEndpoint plainClient;
    CoapEndpoint ownerClient;

    /** A resource that takes any POST: what arrives is the assembled body. */
    static final class Sink extends CoapResource {
        Sink(String name) {
            super(name);
        }

        @Override
        public void handlePOST(CoapExchange exchange) {
            exchange.respond(ResponseCode.CHANGED, exchange.getRequestPayload().length + " bytes");
        }
    }

    @BeforeEach
    void start() throws Exception {
        SvrStore svr = new SvrStore(dir.resolve("svr"), "1.0.0");
        UUID owner = svr.state().rowneruuid();
        AccessControl acl = new AccessControl(dir.resolve("svr"), svr);
        Credentials credentials = new Credentials(dir.resolve("data"), owner, null);
        Configuration cfg = CoapServerComponent.configuration();
        server = new CoapServer(cfg);
        OcfDeliverer deliverer = new OcfDeliverer(server.getRoot(), cfg, acl);
        server.setMessageDeliverer(deliverer);
        for (String name : List.of("a", "b", "c")) {
            server.add(new Sink(name));
        }
        InetAddress lo = InetAddress.getLoopbackAddress();
        plain = endpoint(cfg, new UDPConnector(new InetSocketAddress(lo, 0), cfg), deliverer);
        DTLSConnector dtls = SecureEndpoint.connector(cfg, new InetSocketAddress(lo, 0), credentials,
                new AbuseGuard(cfg, 100), null);
        secure = endpoint(cfg, dtls, deliverer);
        CoapServerComponent.addEndpoints(server, cfg, plain, secure);
        server.start();

        Configuration clientCfg = Configuration.createStandardWithoutFile();
        clientCfg.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, 0); // the test sends its blocks itself
        plainClient = new CoapEndpoint.Builder().setConfiguration(clientCfg).build();
        plainClient.start();
        DtlsConnectorConfig dtlsClient = DtlsConnectorConfig.builder(clientCfg)
                .set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY)
                .setAdvancedPskStore(new AdvancedSinglePskStore(owner.toString(), credentials.psk(owner).orElseThrow()))
                .build();
        ownerClient = new CoapEndpoint.Builder().setConfiguration(clientCfg)
                .setConnector(new DTLSConnector(dtlsClient)).build();
        ownerClient.start();
    }

    /** The gateway's endpoint, keeping its stack to look at its block-wise layer. */
    CoapEndpoint endpoint(Configuration cfg, Connector connector, OcfDeliverer deliverer) {
        ExtendedCoapStackFactory real = (ExtendedCoapStackFactory) OcfStack.factory(deliverer, MAX_TRANSFERS);
        CoapStackFactory recording = new ExtendedCoapStackFactory() {
            @Override
            public CoapStack createCoapStack(String protocol, String tag, Configuration config,
                    org.eclipse.californium.elements.EndpointContextMatcher matcher,
                    org.eclipse.californium.core.network.Outbox outbox, Object argument) {
                CoapStack s = real.createCoapStack(protocol, tag, config, matcher, outbox, argument);
                stacks.add(s);
                return s;
            }

            @Override
            public CoapStack createCoapStack(String protocol, String tag, Configuration config,
                    org.eclipse.californium.core.network.Outbox outbox, Object argument) {
                throw new AssertionError("CoapEndpoint passes its context matcher");
            }
        };
        return CoapServerComponent.endpoint(cfg, connector, recording, 100);
    }

    @AfterEach
    void stop() {
        plainClient.destroy();
        ownerClient.destroy();
        server.destroy();
    }

    /** One block of a request body: 16 bytes, block number {@code num}, more to come or not. */
    static Response block(CoapEndpoint client, String uri, int num, boolean more) throws InterruptedException {
        Request r = new Request(Code.POST);
        r.setURI(uri);
        r.getOptions().setContentFormat(OcfResource.OCF_CBOR);
        r.getOptions().setBlock1(BlockOption.size2Szx(16), more, num);
        r.setPayload(new byte[16]);
        r.send(client);
        Response response = r.waitForResponse(10_000);
        assertNotNull(response, "no answer from " + uri);
        return response;
    }

    boolean keepsNoTransfer(CoapEndpoint endpoint) {
        int i = endpoint == plain ? 0 : 1;
        return ((BaseCoapStack) stacks.get(i)).getLayer(BlockwiseLayer.class).isEmpty();
    }

    String plainUri(String path) {
        return "coap://127.0.0.1:" + plain.getAddress().getPort() + path;
    }

    String secureUri(String path) {
        return "coaps://127.0.0.1:" + secure.getAddress().getPort() + path;
    }

    @Test
    void plainCoapBlock1IsRefusedBeforeAnythingIsBuffered() throws Exception {
        Response r = block(plainClient, plainUri("/a"), 0, true);
        assertEquals(ResponseCode.UNAUTHORIZED, r.getCode(), r.getPayloadString());
        assertEquals("/a needs a secure connection (coaps)", r.getPayloadString());
        assertTrue(keepsNoTransfer(plain), "nothing kept for a refused peer");
    }

    @Test
    void block1ToAPathNotServedOrWithAQueryIsRefusedBeforeBuffering() throws Exception {
        Response r = block(ownerClient, secureUri("/nothing"), 0, true);
        assertEquals(ResponseCode.NOT_FOUND, r.getCode(), r.getPayloadString());
        r = block(ownerClient, secureUri("/a?x=1"), 0, true);
        assertEquals(ResponseCode.BAD_REQUEST, r.getCode(), r.getPayloadString());
        assertEquals("no query with a block-wise request body", r.getPayloadString());
        assertTrue(keepsNoTransfer(secure));
    }

    @Test
    void theOwnerUploadsBlockwise() throws Exception {
        assertEquals(ResponseCode.CONTINUE, block(ownerClient, secureUri("/a"), 0, true).getCode());
        assertEquals(ResponseCode.CONTINUE, block(ownerClient, secureUri("/a"), 1, true).getCode());
        Response last = block(ownerClient, secureUri("/a"), 2, false);
        assertEquals(ResponseCode.CHANGED, last.getCode());
        assertEquals("48 bytes", new String(last.getPayload(), StandardCharsets.UTF_8));
        assertTrue(keepsNoTransfer(secure), "a completed transfer is forgotten");
    }

    @Test
    void atMostMaxTransfersAreKept() throws Exception {
        for (String path : List.of("/a", "/b", "/c")) {
            assertEquals(ResponseCode.CONTINUE, block(ownerClient, secureUri(path), 0, true).getCode(), path);
        }
        // the third transfer found the table full (MAX_TRANSFERS = 2): its first block was not kept
        assertEquals(ResponseCode.REQUEST_ENTITY_INCOMPLETE, block(ownerClient, secureUri("/c"), 1, false).getCode());
        assertEquals(ResponseCode.CHANGED, block(ownerClient, secureUri("/a"), 1, false).getCode());
        assertEquals(ResponseCode.CHANGED, block(ownerClient, secureUri("/b"), 1, false).getCode());
    }

    @Test
    void aBodyLargerThanTheLimitIsRefusedWhileArriving() throws Exception {
        int blocks = OcfResource.MAX_REQUEST / 16;
        for (int i = 0; i < blocks; i++) {
            assertEquals(ResponseCode.CONTINUE, block(ownerClient, secureUri("/a"), i, true).getCode());
        }
        Response r = block(ownerClient, secureUri("/a"), blocks, true);
        assertEquals(ResponseCode.REQUEST_ENTITY_TOO_LARGE, r.getCode(), r.getPayloadString());
        assertTrue(keepsNoTransfer(secure));
    }

    @Test
    void theOwnerIsAnsweredWhilePlainCoapOccupiesEveryProtocolThreadOfItsEndpoint() throws Exception {
        // what a plain-CoAP flood does: the plain endpoint's protocol threads busy, more of its work queued
        int threads = CoapServerComponent.configuration().get(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT);
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            for (int i = 0; i < threads; i++) {
                plain.execute(() -> {
                    busy.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            assertTrue(busy.await(10, TimeUnit.SECONDS), "the plain endpoint runs no task");
            Response r = block(ownerClient, secureUri("/a"), 0, false);
            assertEquals(ResponseCode.CHANGED, r.getCode(), r.getPayloadString());
        } finally {
            release.countDown();
        }
    }
}
