package org.ocfupdate.pstat.internal.coap;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.ocfupdate.pstat.api.PstatChange;
import org.ocfupdate.pstat.api.PstatRefusedException;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.internal.svr.AccessControl;
import org.ocfupdate.pstat.internal.svr.SvrRefusedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An SVR that is a list of entries with ids ({@code /oic/sec/acl2}, {@code /oic/sec/cred}): POST
 * {@code {"LIST": [...]}} adds all entries or none; DELETE {@code ?ID=N} removes one, without a query all (OCF).
 * Their {@code rowneruuid} follows the device owner (pstat) and cannot be written here.
 */
abstract class SvrListResource<T> extends OcfResource {
    private static final Logger LOG = LoggerFactory.getLogger(SvrListResource.class);
    private final String list;
    private final String id;

    private final PstatService pstat;

    protected SvrListResource(String name, String rt, String list, String id, PstatService pstat) {
        super(name, List.of(rt), List.of(BASELINE), false);
        this.list = list;
        this.id = id;
        this.pstat = pstat;
    }

    protected abstract UUID owner();

    /** @throws IllegalArgumentException with a short diagnostic */
    protected abstract T parse(JsonNode entry);

    /** An entry as {@code peer} sent it; by default as anyone sends it. */
    protected T parse(JsonNode entry, Peer peer) {
        return parse(entry);
    }

    /**
     * Adds durably, all or nothing.
     *
     * @param byOwner the requester is the device owner
     * @throws IllegalArgumentException when the list would be too long; {@link SvrRefusedException} when the
     *                                  requester may not make this change
     */
    protected abstract void add(List<T> entries, boolean byOwner);

    /**
     * Removes the entry {@code id}, or all when null; false when there was no such entry.
     *
     * @throws SvrRefusedException when the requester may not remove it
     */
    protected abstract boolean remove(Integer id, boolean byOwner);

    /**
     * The owner may be refused nothing by the ACL, but a list may still keep some entries the owner's alone. Over
     * the ownership-transfer session the onboarding tool acts as the owner it is becoming.
     */
    private boolean byOwner(CoapExchange exchange) {
        Peer peer = Peer.of(exchange.advanced());
        return transfer(peer) || peer.secure() && owner().equals(peer.subject());
    }

    private boolean transfer(Peer peer) {
        return peer.transfer() && AccessControl.transferActive(pstat.current().dos());
    }

    /** 4.01 for a change only the owner may make (as any missing permission), 4.03 for one nobody may make. */
    private void refused(CoapExchange exchange, SvrRefusedException e) {
        LOG.info("{} {} from {} refused: {}", exchange.getRequestCode(), getURI(), exchange.getSourceSocketAddress(),
                e.getMessage());
        error(exchange, e.reason() == SvrRefusedException.Reason.NOT_OWNER ? ResponseCode.UNAUTHORIZED
                : ResponseCode.FORBIDDEN, e.getMessage());
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        JsonNode body = requestBody(exchange);
        if (body == null) {
            return;
        }
        Peer peer = Peer.of(exchange.advanced());
        try {
            if (!body.isObject() || !body.path(list).isArray() && !(transfer(peer) && body.has("rowneruuid"))) {
                throw new IllegalArgumentException("payload must be a map with " + list + " (an array)");
            }
            UUID newOwner = null;
            for (var it = body.fieldNames(); it.hasNext();) {
                String key = it.next();
                if (key.equals("rowneruuid") && !owner().toString().equalsIgnoreCase(body.get(key).asText())) {
                    // one rowneruuid for every SVR: the onboarding tool may name the owner on any of them
                    if (!transfer(peer)) {
                        throw new IllegalArgumentException("rowneruuid of " + getURI()
                                + " follows the device owner (pstat)");
                    }
                    newOwner = Peer.uuid(body.get(key).asText().getBytes(StandardCharsets.UTF_8));
                    if (newOwner == null || body.get(key).asText().length() != 36) {
                        throw new IllegalArgumentException("rowneruuid must be a UUID string");
                    }
                } else if (!key.equals(list) && !key.equals("rowneruuid")) {
                    throw new IllegalArgumentException("unknown property " + key);
                }
            }
            List<T> entries = new ArrayList<>();
            for (JsonNode n : body.path(list)) {
                entries.add(parse(n, peer));
            }
            if (newOwner != null) {
                try {
                    pstat.update(new PstatChange(null, null, null, newOwner), true);
                } catch (PstatRefusedException e) {
                    throw new IllegalArgumentException(e.getMessage());
                }
            }
            if (!entries.isEmpty()) {
                add(entries, byOwner(exchange));
            }
        } catch (SvrRefusedException e) {
            refused(exchange, e);
            return;
        } catch (IllegalArgumentException e) {
            LOG.info("{} write from {} refused: {}", getURI(), exchange.getSourceSocketAddress(), e.getMessage());
            error(exchange, ResponseCode.BAD_REQUEST, e.getMessage());
            return;
        }
        reply(exchange, ResponseCode.CHANGED, null, 0);
    }

    @Override
    public void handleDELETE(CoapExchange exchange) {
        String value = exchange.getQueryParameter(id);
        Integer which = null;
        if (value != null) {
            try {
                which = Integer.valueOf(value);
            } catch (NumberFormatException e) {
                error(exchange, ResponseCode.BAD_REQUEST, id + " must be an integer");
                return;
            }
        }
        try {
            if (remove(which, byOwner(exchange)) || which == null) {
                reply(exchange, ResponseCode.DELETED, null, 0);
            } else {
                error(exchange, ResponseCode.NOT_FOUND, "no entry with " + id + " " + which);
            }
        } catch (SvrRefusedException e) {
            refused(exchange, e);
        }
    }
}
