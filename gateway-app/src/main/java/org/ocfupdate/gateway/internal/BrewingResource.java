package org.ocfupdate.gateway.internal;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.ocfupdate.pstat.api.ResourceStore;
import org.ocfupdate.pstat.cbor.MalformedCborException;
import org.ocfupdate.pstat.cbor.StrictCbor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;

/**
 * {@code /brewing}: the gateway's own application resource, in the spirit of OCF's {@code oic.r.brewing} — the
 * preferences of a coffee maker, writable over CoAP and persisted through {@link ResourceStore}, so that an
 * update which replaces this very bundle keeps them (docs/software-update.md §3). Contributed to the CoAP server
 * like any bundle's resource: a Californium {@link Resource} service with {@code ocf.href}.
 */
@Component(service = Resource.class, property = "ocf.href=/brewing")
public class BrewingResource extends CoapResource {
    private static final Logger LOG = LoggerFactory.getLogger(BrewingResource.class);
    private static final CBORMapper CBOR = new CBORMapper();
    private static final String STORE = "brewing";
    private static final int OCF_CBOR = 10000;

    private final ResourceStore store;
    private volatile ObjectNode state;

    @Activate
    public BrewingResource(@Reference ResourceStore store) throws IOException {
        super("brewing");
        this.store = store;
        getAttributes().addResourceType("x.org.ocfupdate.brewing");
        getAttributes().addInterfaceDescription("oic.if.rw");
        getAttributes().addInterfaceDescription("oic.if.baseline");
        setObservable(true);
        ObjectNode initial = CBOR.createObjectNode().put("recipe", "espresso").put("strength", 5).put("cups", 1);
        // preferences that do not decode to a map are corrupt: the ones saved before them are used
        state = store.load(STORE, b -> (ObjectNode) CBOR.readTree(b)).orElse(initial);
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        try {
            exchange.respond(ResponseCode.CONTENT, CBOR.writeValueAsBytes(state), OCF_CBOR);
        } catch (IOException e) {
            exchange.respond(ResponseCode.INTERNAL_SERVER_ERROR, "cannot encode");
        }
    }

    @Override
    public synchronized void handlePOST(CoapExchange exchange) {
        int format = exchange.getRequestOptions().getContentFormat();
        if (format != OCF_CBOR && format != MediaTypeRegistry.APPLICATION_CBOR) {
            exchange.respond(ResponseCode.UNSUPPORTED_CONTENT_FORMAT, "content-format 10000 (or 60) required");
            return;
        }
        ObjectNode next = state.deepCopy();
        try {
            // the gateway's one strict decoder, as for pstat: one item, no duplicate key, no tag
            JsonNode body = StrictCbor.decode(exchange.getRequestPayload());
            if (!body.isObject()) {
                throw new IllegalArgumentException("payload must be a CBOR map");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                switch (e.getKey()) {
                    case "recipe" -> {
                        if (!v.isTextual() || v.textValue().isEmpty() || v.textValue().length() > 64) {
                            throw new IllegalArgumentException("recipe must be a string of 1..64 characters");
                        }
                        next.put("recipe", v.textValue());
                    }
                    case "strength" -> next.put("strength", range("strength", v, 1, 10));
                    case "cups" -> next.put("cups", range("cups", v, 1, 12));
                    default -> throw new IllegalArgumentException("unknown property " + e.getKey());
                }
            }
        } catch (MalformedCborException e) {
            exchange.respond(ResponseCode.BAD_REQUEST, e.getMessage());
            return;
        } catch (IllegalArgumentException e) {
            exchange.respond(ResponseCode.BAD_REQUEST, e.getMessage());
            return;
        }
        try {
            store.save(STORE, CBOR.writeValueAsBytes(next));
        } catch (IOException e) {
            LOG.error("Cannot save the brewing preferences: {}", e.getMessage());
            exchange.respond(ResponseCode.INTERNAL_SERVER_ERROR, "cannot save");
            return;
        }
        state = next;
        exchange.respond(ResponseCode.CHANGED);
        changed();
    }

    private static int range(String name, JsonNode v, int min, int max) {
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
            throw new IllegalArgumentException(name + " must be an integer " + min + ".." + max);
        }
        return v.intValue();
    }
}
