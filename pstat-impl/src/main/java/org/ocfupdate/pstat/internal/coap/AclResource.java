package org.ocfupdate.pstat.internal.coap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.ocfupdate.pstat.internal.svr.AccessControl;
import org.ocfupdate.pstat.internal.svr.Ace;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code /oic/sec/acl2}: GET the entries, POST {@code {"aclist2": [...]}} to add (all-or-nothing; an entry with
 * the {@code aceid} of an existing one replaces it), DELETE {@code ?aceid=N} to remove one (without a query: all).
 * A removal takes effect at once, observations included.
 */
@Component(service = Resource.class, property = CoapServerComponent.HREF + "=/oic/sec/acl2")
public class AclResource extends OcfResource {
    private static final Logger LOG = LoggerFactory.getLogger(AclResource.class);
    private final AccessControl acl;

    @Activate
    public AclResource(@Reference AccessControl acl) {
        super("acl2", List.of("oic.r.acl2"), List.of(BASELINE), false);
        this.acl = acl;
    }

    @Override
    protected Map<String, Object> representation(CoapExchange exchange) {
        return acl.toMap();
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        JsonNode body = requestBody(exchange);
        if (body == null) {
            return;
        }
        List<Ace> entries = new ArrayList<>();
        try {
            if (!body.isObject() || !body.path("aclist2").isArray()) {
                throw new IllegalArgumentException("payload must be a map with aclist2 (an array of ACEs)");
            }
            for (var it = body.fieldNames(); it.hasNext();) {
                String key = it.next();
                if (!key.equals("aclist2") && !(key.equals("rowneruuid")
                        && acl.owner().toString().equalsIgnoreCase(body.get(key).asText()))) {
                    throw new IllegalArgumentException(key.equals("rowneruuid")
                            ? "rowneruuid of the ACL follows the device owner (pstat)" : "unknown property " + key);
                }
            }
            for (JsonNode n : body.get("aclist2")) {
                entries.add(Ace.parse(n));
            }
            acl.add(entries);
        } catch (IllegalArgumentException e) {
            LOG.info("ACL write from {} refused: {}", exchange.getSourceSocketAddress(), e.getMessage());
            error(exchange, ResponseCode.BAD_REQUEST, e.getMessage());
            return;
        }
        reply(exchange, ResponseCode.CHANGED, null, 0);
    }

    @Override
    public void handleDELETE(CoapExchange exchange) {
        String id = exchange.getQueryParameter("aceid");
        Integer aceid = null;
        if (id != null) {
            try {
                aceid = Integer.valueOf(id);
            } catch (NumberFormatException e) {
                error(exchange, ResponseCode.BAD_REQUEST, "aceid must be an integer");
                return;
            }
        }
        if (acl.remove(aceid) || aceid == null) {
            reply(exchange, ResponseCode.DELETED, null, 0);
        } else {
            error(exchange, ResponseCode.NOT_FOUND, "no ACE " + aceid);
        }
    }
}
