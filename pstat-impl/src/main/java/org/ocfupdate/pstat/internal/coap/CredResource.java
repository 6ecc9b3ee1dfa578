package org.ocfupdate.pstat.internal.coap;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.ocfupdate.pstat.internal.svr.AccessControl;
import org.ocfupdate.pstat.internal.svr.Cred;
import org.ocfupdate.pstat.internal.svr.Credentials;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code /oic/sec/cred}: the credentials of further clients — pre-shared keys ({@code credtype} 1) and CA
 * certificates as trust anchors ({@code credtype} 8, {@code oic.sec.cred.trustca}). GET never shows private data;
 * POST {@code {"creds": [...]}} adds (all-or-nothing); DELETE {@code ?credid=N} removes one (without a query: all).
 */
@Component(service = Resource.class, property = CoapServerComponent.HREF + "=/oic/sec/cred")
public class CredResource extends OcfResource {
    private static final Logger LOG = LoggerFactory.getLogger(CredResource.class);
    private final Credentials credentials;
    private final AccessControl acl;

    @Activate
    public CredResource(@Reference Credentials credentials, @Reference AccessControl acl) {
        super("cred", List.of("oic.r.cred"), List.of(BASELINE), false);
        this.credentials = credentials;
        this.acl = acl;
    }

    @Override
    protected Map<String, Object> representation(CoapExchange exchange) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("creds", credentials.creds().stream().map(c -> c.toMap(false)).toList());
        m.put("rowneruuid", acl.owner().toString());
        return m;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        JsonNode body = requestBody(exchange);
        if (body == null) {
            return;
        }
        List<Cred> entries = new ArrayList<>();
        try {
            if (!body.isObject() || !body.path("creds").isArray()) {
                throw new IllegalArgumentException("payload must be a map with creds (an array of credentials)");
            }
            for (var it = body.fieldNames(); it.hasNext();) {
                String key = it.next();
                if (!key.equals("creds") && !(key.equals("rowneruuid")
                        && acl.owner().toString().equalsIgnoreCase(body.get(key).asText()))) {
                    throw new IllegalArgumentException(key.equals("rowneruuid")
                            ? "rowneruuid of the credentials follows the device owner (pstat)" : "unknown property " + key);
                }
            }
            for (JsonNode n : body.get("creds")) {
                entries.add(Cred.parse(n));
            }
            credentials.add(entries);
        } catch (IllegalArgumentException e) {
            LOG.info("Credential write from {} refused: {}", exchange.getSourceSocketAddress(), e.getMessage());
            error(exchange, ResponseCode.BAD_REQUEST, e.getMessage());
            return;
        }
        reply(exchange, ResponseCode.CHANGED, null, 0);
    }

    @Override
    public void handleDELETE(CoapExchange exchange) {
        String id = exchange.getQueryParameter("credid");
        Integer credid = null;
        if (id != null) {
            try {
                credid = Integer.valueOf(id);
            } catch (NumberFormatException e) {
                error(exchange, ResponseCode.BAD_REQUEST, "credid must be an integer");
                return;
            }
        }
        if (credentials.remove(credid) || credid == null) {
            reply(exchange, ResponseCode.DELETED, null, 0);
        } else {
            error(exchange, ResponseCode.NOT_FOUND, "no credential " + credid);
        }
    }
}
