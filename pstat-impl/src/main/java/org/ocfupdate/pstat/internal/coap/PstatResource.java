package org.ocfupdate.pstat.internal.coap;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.ocfupdate.pstat.api.DeviceOnboardingState;
import org.ocfupdate.pstat.api.Pstat;
import org.ocfupdate.pstat.api.PstatChange;
import org.ocfupdate.pstat.api.PstatListener;
import org.ocfupdate.pstat.api.PstatRefusedException;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.internal.svr.AccessControl;
import org.ocfupdate.pstat.internal.svr.Credentials;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code /oic/sec/pstat}: GET, POST (partial update, all-or-nothing) and Observe.
 *
 * <p>Who may write is checked before (UPDATE, {@link OcfDeliverer}); here only what: the owner anything, any
 * other subject only the software-update bits of {@code tm} (docs/software-update.md §2, "Who may trigger an update").
 */
@Component(service = Resource.class, property = CoapServerComponent.HREF + "=/oic/sec/pstat")
public class PstatResource extends OcfResource implements PstatListener {
    private static final Logger LOG = LoggerFactory.getLogger(PstatResource.class);
    private static final Set<String> READ_ONLY = Set.of("isop", "cm", "sm", "rt", "if", "n", "id");
    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final PstatService pstat;
    private final AccessControl acl;
    private final Credentials credentials;

    @Activate
    public PstatResource(@Reference PstatService pstat, @Reference AccessControl acl,
            @Reference Credentials credentials) {
        super("pstat", List.of("oic.r.pstat"), List.of("oic.if.rw", BASELINE), true);
        this.pstat = pstat;
        this.acl = acl;
        this.credentials = credentials;
        pstat.addListener(this);
    }

    @Deactivate
    void deactivate() {
        pstat.removeListener(this);
    }

    @Override
    public void pstatChanged(Pstat snapshot) {
        changed();
    }

    @Override
    protected Map<String, Object> representation(CoapExchange exchange) {
        return toMap(pstat.current());
    }

    static Map<String, Object> toMap(Pstat p) {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> dos = new LinkedHashMap<>();
        dos.put("s", p.dos().value());
        dos.put("p", p.pending());
        m.put("dos", dos);
        m.put("isop", p.isop());
        m.put("cm", p.cm());
        m.put("tm", p.tm());
        m.put("om", p.om());
        m.put("sm", p.sm());
        m.put("rowneruuid", p.rowneruuid().toString());
        return m;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        JsonNode body = requestBody(exchange);
        if (body == null) {
            return;
        }
        PstatChange change;
        try {
            change = parse(body);
        } catch (IllegalArgumentException e) {
            error(exchange, ResponseCode.BAD_REQUEST, e.getMessage());
            return;
        }
        try {
            Peer peer = Peer.of(exchange.advanced());
            checkOwnerCredential(change);
            // over the transfer session the onboarding tool acts as the owner it is becoming
            boolean transfer = peer.transfer() && AccessControl.transferActive(pstat.current().dos());
            pstat.update(change, transfer || acl.isOwner(peer.secure(), peer.subject()));
            reply(exchange, ResponseCode.CHANGED, null, 0);
        } catch (PstatRefusedException e) {
            LOG.info("pstat write from {} refused: {}", exchange.getSourceSocketAddress(), e.getMessage());
            error(exchange, e.reason() == PstatRefusedException.Reason.UNAUTHORIZED ? ResponseCode.UNAUTHORIZED
                    : ResponseCode.BAD_REQUEST, e.getMessage());
        }
    }

    /**
     * Entering RFPRO or RFNOP needs a credential of the owner ({@code rowneruuid}), as IoTivity-Lite checks: an
     * onboarding tool that skipped its credential would lock itself out. The other entry checks are the service's.
     */
    private void checkOwnerCredential(PstatChange change) throws PstatRefusedException {
        DeviceOnboardingState to = change.dos();
        Pstat now = pstat.current();
        if ((to == DeviceOnboardingState.RFPRO || to == DeviceOnboardingState.RFNOP) && to != now.dos()) {
            UUID owner = change.rowneruuid() != null ? change.rowneruuid() : now.rowneruuid();
            if (credentials.psk(owner).isEmpty()) {
                throw new PstatRefusedException(PstatRefusedException.Reason.BAD_REQUEST,
                        "dos.s " + to + " needs a credential for the owner (rowneruuid " + owner + ")");
            }
        }
    }

    /** Checks the shape and types of a pstat update; the state-dependent rules are the service's. */
    static PstatChange parse(JsonNode body) {
        if (!body.isObject()) {
            throw new IllegalArgumentException("payload must be a CBOR map");
        }
        DeviceOnboardingState dos = null;
        Integer tm = null;
        Integer om = null;
        UUID owner = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            switch (key) {
                case "dos" -> dos = parseDos(v);
                case "tm" -> tm = integer("tm", v, 0, 511);
                case "om" -> om = integer("om", v, 1, 7);
                case "rowneruuid" -> {
                    if (!v.isTextual() || !UUID_TEXT.matcher(v.textValue()).matches()) {
                        throw new IllegalArgumentException("rowneruuid must be a UUID string");
                    }
                    owner = UUID.fromString(v.textValue());
                }
                default -> throw new IllegalArgumentException(
                        (READ_ONLY.contains(key) ? "read-only property " : "unknown property ") + key);
            }
        }
        return new PstatChange(dos, tm, om, owner);
    }

    private static DeviceOnboardingState parseDos(JsonNode v) {
        if (!v.isObject()) {
            throw new IllegalArgumentException("dos must be a map");
        }
        DeviceOnboardingState s = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            switch (e.getKey()) {
                case "s" -> s = DeviceOnboardingState.of(integer("dos.s", e.getValue(), 0, 4));
                case "p" -> throw new IllegalArgumentException("read-only property dos.p");
                default -> throw new IllegalArgumentException("unknown property dos." + e.getKey());
            }
        }
        if (s == null) {
            throw new IllegalArgumentException("dos needs s");
        }
        return s;
    }

    private static int integer(String name, JsonNode v, int min, int max) {
        if (!v.isIntegralNumber()) {
            throw new IllegalArgumentException(name + " must be an integer");
        }
        if (!v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
            throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", not " + v.asText());
        }
        return v.intValue();
    }
}
