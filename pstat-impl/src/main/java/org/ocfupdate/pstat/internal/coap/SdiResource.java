package org.ocfupdate.pstat.internal.coap;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.ocfupdate.pstat.internal.svr.SvrState;
import org.ocfupdate.pstat.internal.svr.SvrStore;
import org.ocfupdate.update.engine.UpdateCore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code /oic/sec/sdi}: the security domain an onboarding tool put the device in ({@code uuid}, {@code name},
 * {@code priv}); stored with the SVR state. GET and POST (partial, all-or-nothing); who may is the ACL's (the
 * owner, and anyone over the ownership-transfer session).
 */
@Component(service = Resource.class, property = CoapServerComponent.HREF + "=/oic/sec/sdi")
public class SdiResource extends OcfResource {
    private static final Logger LOG = LoggerFactory.getLogger(SdiResource.class);
    static final int MAX_NAME = 64;
    private final SvrStore store;
    /** The SVR state's one writer: the read and write of a POST run on its thread, with no transition between. */
    private final UpdateCore machine;

    @Activate
    public SdiResource(@Reference SvrStore store, @Reference UpdateCore machine) {
        super("sdi", List.of("oic.r.sdi"), List.of(BASELINE), false);
        this.store = store;
        this.machine = machine;
    }

    @Override
    protected Map<String, Object> representation(CoapExchange exchange) {
        SvrState.Sdi sdi = store.state().sdi();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("uuid", sdi == null ? SvrState.NIL.toString() : sdi.uuid());
        m.put("name", sdi == null ? "" : sdi.name());
        m.put("priv", sdi != null && sdi.priv());
        return m;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        JsonNode body = requestBody(exchange);
        if (body == null) {
            return;
        }
        try {
            if (!body.isObject()) {
                throw new IllegalArgumentException("payload must be a CBOR map");
            }
            // on the state machine's thread, which writes the rest of the SVR state (Onboarding does the same)
            machine.<Void, RuntimeException>call(() -> {
                SvrState s = store.state();
                SvrState.Sdi now = s.sdi() != null ? s.sdi() : new SvrState.Sdi(SvrState.NIL.toString(), "", false);
                String uuid = now.uuid();
                String name = now.name();
                boolean priv = now.priv();
                for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> e = it.next();
                    JsonNode v = e.getValue();
                    switch (e.getKey()) {
                        case "uuid" -> {
                            UUID u = v.isTextual() && v.textValue().length() == 36
                                    ? Peer.uuid(v.textValue().getBytes(StandardCharsets.UTF_8)) : null;
                            if (u == null) {
                                throw new IllegalArgumentException("uuid must be a UUID string");
                            }
                            uuid = u.toString();
                        }
                        case "name" -> {
                            if (!v.isTextual() || v.textValue().length() > MAX_NAME) {
                                throw new IllegalArgumentException("name must be a string of at most " + MAX_NAME
                                        + " characters");
                            }
                            name = v.textValue();
                        }
                        case "priv" -> {
                            if (!v.isBoolean()) {
                                throw new IllegalArgumentException("priv must be a boolean");
                            }
                            priv = v.booleanValue();
                        }
                        case "rt", "if", "n", "id" -> throw new IllegalArgumentException("read-only property "
                                + e.getKey());
                        default -> throw new IllegalArgumentException("unknown property " + e.getKey());
                    }
                }
                store.save(s.withSdi(new SvrState.Sdi(uuid, name, priv)));
                LOG.info("Security domain set: {} ({})", uuid, name);
                return null;
            });
        } catch (IllegalArgumentException e) {
            LOG.info("sdi write from {} refused: {}", exchange.getSourceSocketAddress(), e.getMessage());
            error(exchange, ResponseCode.BAD_REQUEST, e.getMessage());
            return;
        }
        reply(exchange, ResponseCode.CHANGED, null, 0);
    }
}
