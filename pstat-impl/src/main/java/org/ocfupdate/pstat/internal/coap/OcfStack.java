package org.ocfupdate.pstat.internal.coap;

import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.network.ExtendedCoapStackFactory;
import org.eclipse.californium.core.network.Outbox;
import org.eclipse.californium.core.network.stack.BaseCoapStack;
import org.eclipse.californium.core.network.stack.BlockwiseLayer;
import org.eclipse.californium.core.network.stack.CongestionControlLayer;
import org.eclipse.californium.core.network.stack.CoapStack;
import org.eclipse.californium.core.network.stack.ExchangeCleanupLayer;
import org.eclipse.californium.core.network.stack.Layer;
import org.eclipse.californium.core.network.stack.ObserveLayer;
import org.eclipse.californium.elements.EndpointContextMatcher;
import org.eclipse.californium.elements.config.Configuration;

/**
 * Californium's UDP/DTLS stack (the layers of {@code CoapUdpStack}, in its order) with access control before any
 * block-wise buffering. Californium's {@link BlockwiseLayer} buffers the blocks of a request body and answers 2.31
 * Continue before the request reaches a resource or {@link OcfDeliverer}; so an unauthenticated peer could make the
 * gateway keep a buffer per source port for the status lifetime. Here a request carrying Block1 is first put to
 * {@link OcfDeliverer#refuseBeforeBuffering}: refused (4.01 to a peer access control refuses, plain CoAP included;
 * 4.04 for a path not served; 4.00 for a method without a body or a query), it never gets a buffer.
 * <p>
 * The block-wise layer is also bounded in total: at most {@code maxTransfers} Block1 and as many Block2 transfers
 * are kept (Californium keys its transfer tables by {@code MAX_ACTIVE_PEERS}); when a table is full, a new
 * transfer is not kept — its later blocks are answered 4.08 (Block1) or served from a new representation (Block2).
 */
final class OcfStack extends BaseCoapStack {

    private OcfStack(String tag, Configuration config, EndpointContextMatcher matcher, Outbox outbox,
            OcfDeliverer gate, int maxTransfers) {
        super(outbox);
        Configuration blockwise = new Configuration(config);
        blockwise.set(CoapConfig.MAX_ACTIVE_PEERS, maxTransfers);
        setLayers(new Layer[] {
            new ExchangeCleanupLayer(config),
            new ObserveLayer(config),
            new GatedBlockwiseLayer(tag, blockwise, matcher, gate),
            CongestionControlLayer.newImplementation(tag, config) });
    }

    /** The factory to give {@code CoapEndpoint.Builder.setCoapStackFactory}, for UDP and DTLS endpoints. */
    static ExtendedCoapStackFactory factory(OcfDeliverer gate, int maxTransfers) {
        return new ExtendedCoapStackFactory() {
            @Override
            public CoapStack createCoapStack(String protocol, String tag, Configuration config,
                    EndpointContextMatcher matcher, Outbox outbox, Object argument) {
                return new OcfStack(tag, config, matcher, outbox, gate, maxTransfers);
            }

            @Override
            public CoapStack createCoapStack(String protocol, String tag, Configuration config, Outbox outbox,
                    Object argument) {
                return new OcfStack(tag, config, null, outbox, gate, maxTransfers);
            }
        };
    }

    private static final class GatedBlockwiseLayer extends BlockwiseLayer {
        private final OcfDeliverer gate;

        GatedBlockwiseLayer(String tag, Configuration config, EndpointContextMatcher matcher, OcfDeliverer gate) {
            super(tag, false, config, matcher);
            this.gate = gate;
        }

        @Override
        public void receiveRequest(Exchange exchange, Request request) {
            if (request.getOptions().hasBlock1() && gate.refuseBeforeBuffering(exchange)) {
                return; // answered (or, NON/multicast, dropped) without a buffer
            }
            super.receiveRequest(exchange, request);
        }
    }
}
