package org.ocfupdate.pstat.internal.coap;

import java.util.List;
import java.util.Map;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.ocfupdate.pstat.internal.svr.SvrStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code /oic/sec/doxm}. A device that owns itself ({@code ownership=self}) shows an owned device and refuses writes
 * (4.05), as always. With {@code ownership=transfer} it is the onboarding tool's way in ({@link Onboarding}): in
 * RFOTM anyone may read it and choose {@code oxmsel} over plain CoAP, and it answers the multicast discovery
 * {@code GET /oic/sec/doxm?owned=FALSE}.
 */
@Component(service = Resource.class, property = CoapServerComponent.HREF + "=/oic/sec/doxm")
public class DoxmResource extends OcfResource {
    private static final Logger LOG = LoggerFactory.getLogger(DoxmResource.class);
    /** Supported credential types: 1 pre-shared key, 8 certificate. */
    static final int SCT = 1 | 8;
    private final SvrStore store;
    private final Onboarding onboarding;

    @Activate
    public DoxmResource(@Reference SvrStore store, @Reference Onboarding onboarding) {
        super("doxm", List.of("oic.r.doxm"), List.of(BASELINE), false);
        this.store = store;
        this.onboarding = onboarding;
    }

    @Override
    protected Map<String, Object> representation(CoapExchange exchange) {
        return onboarding.doxm();
    }

    /**
     * The {@code owned} query filters: a device whose {@code owned} differs stays silent to a multicast (or
     * non-confirmable) request, so that only unowned devices answer an onboarding tool's discovery; a confirmable
     * unicast request gets 4.04 with the reason.
     */
    @Override
    public void handleGET(CoapExchange exchange) {
        String owned = exchange.getQueryParameter("owned");
        if (owned != null && !owned.equalsIgnoreCase(String.valueOf(store.state().owned()))) {
            boolean quiet = exchange.isMulticastRequest() || exchange.advanced().getRequest().getType() == Type.NON;
            if (quiet) {
                exchange.advanced().executeComplete();
            } else {
                error(exchange, ResponseCode.NOT_FOUND, "doxm owned is " + store.state().owned() + ", not " + owned);
            }
            return;
        }
        super.handleGET(exchange);
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        if (store.state().ownership() == null) {
            error(exchange, ResponseCode.METHOD_NOT_ALLOWED, "this device owns itself (ownership=self); doxm is read-only");
            return;
        }
        JsonNode body = requestBody(exchange);
        if (body == null) {
            return;
        }
        Peer peer = Peer.of(exchange.advanced());
        try {
            onboarding.writeDoxm(body, peer);
        } catch (Onboarding.Refusal e) {
            LOG.info("doxm write from {} ({}) refused: {}", exchange.getSourceSocketAddress(), peer, e.getMessage());
            error(exchange, e.code(), e.getMessage());
            return;
        }
        reply(exchange, ResponseCode.CHANGED, null, 0);
    }
}
