package org.ocfupdate.pstat.internal.coap;

import java.util.Optional;

import org.eclipse.californium.core.coap.CoAP.Code;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.server.DelivererException;
import org.eclipse.californium.core.server.ServerMessageDeliverer;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.elements.config.Configuration;
import org.ocfupdate.pstat.internal.svr.Ace;
import org.ocfupdate.pstat.internal.svr.AccessControl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers requests to resources after two checks every resource shares, the whiteboard's included:
 * <ul>
 * <li>access control: the method's CRUDN permission for the peer ({@link AccessControl}); refused with 4.01 and a
 * short diagnostic, as IoTivity-Lite answers;</li>
 * <li>silence: nothing is answered to a multicast or non-confirmable request for a path the device does not serve,
 * or may not show, where Californium would answer 4.04. A multicast request must never draw an error (a network
 * of devices stays quiet), and on Linux an IPv6 multicast request may reach the wildcard unicast socket first,
 * where Californium cannot tell it was multicast; a non-confirmable request is what multicast requests are, so the
 * rule covers both.</li>
 * </ul>
 * For a request carrying Block1, {@link OcfStack} asks the same before Californium buffers the block.
 */
final class OcfDeliverer extends ServerMessageDeliverer {
    private static final Logger LOG = LoggerFactory.getLogger(OcfDeliverer.class);
    private final AccessControl acl;

    OcfDeliverer(Resource root, Configuration config, AccessControl acl) {
        super(root, config);
        this.acl = acl;
    }

    @Override
    protected boolean preDeliverRequest(Exchange exchange) {
        return refuse(exchange, false);
    }

    /**
     * The same checks for a block of a request body, before Californium's block-wise layer buffers it
     * ({@link OcfStack}), plus what no resource here takes: a body on a method other than POST or PUT, a query
     * (which would let one peer open a transfer per query string), a path not served.
     *
     * @return true when the request was answered (or, non-confirmable, dropped) and must not be buffered
     */
    boolean refuseBeforeBuffering(Exchange exchange) {
        return refuse(exchange, true);
    }

    private boolean refuse(Exchange exchange, boolean beforeBuffering) {
        Request request = exchange.getRequest();
        boolean quiet = request.getType() == Type.NON || request.isMulticast();
        Resource resource;
        try {
            resource = findResource(exchange);
        } catch (DelivererException e) {
            resource = null;
        }
        if (resource == null) {
            if (quiet) {
                exchange.executeComplete();
                return true;
            }
            if (!beforeBuffering) {
                return false; // Californium answers 4.04
            }
            answer(exchange, ResponseCode.NOT_FOUND, "no resource /" + request.getOptions().getUriPathString());
            return true;
        }
        if (beforeBuffering) {
            String refusal = request.getCode() != Code.POST && request.getCode() != Code.PUT
                    ? "a block-wise request body is taken with POST or PUT only"
                    : request.getOptions().getURIQueryCount() > 0 ? "no query with a block-wise request body" : null;
            if (refusal != null) {
                if (quiet) {
                    exchange.executeComplete();
                } else {
                    answer(exchange, ResponseCode.BAD_REQUEST, refusal);
                }
                return true;
            }
        }
        Peer peer = Peer.of(exchange);
        if (peer.transfer() && acl.transferMayReach(resource.getURI())) {
            return false; // the ownership-transfer session: security and core resources regardless of the ACL
        }
        Optional<String> refusal = acl.refusal(peer.secure(), peer.subject(), resource.getURI(), permission(request));
        if (refusal.isEmpty()) {
            return false;
        }
        if (peer.secure()) {
            LOG.info("Refused {} {} from {} ({}): {}", request.getCode(), resource.getURI(),
                    request.getSourceContext().getPeerAddress(), peer, refusal.get());
        } else {
            LOG.debug("Refused {} {} from {}: {}", request.getCode(), resource.getURI(),
                    request.getSourceContext().getPeerAddress(), refusal.get());
        }
        if (quiet) {
            exchange.executeComplete();
        } else {
            answer(exchange, ResponseCode.UNAUTHORIZED, refusal.get());
        }
        return true;
    }

    private static void answer(Exchange exchange, ResponseCode code, String diagnostic) {
        Response response = new Response(code);
        response.setPayload(diagnostic);
        OcfOptions.answerVersion(exchange.getRequest(), response);
        exchange.sendResponse(response);
    }

    /** The CRUDN bit a method needs; an Observe registration is a RETRIEVE. */
    static int permission(Request request) {
        return switch (request.getCode()) {
            case GET, FETCH -> Ace.RETRIEVE;
            case PUT -> Ace.CREATE;
            case DELETE -> Ace.DELETE;
            default -> Ace.UPDATE; // POST, PATCH, iPATCH
        };
    }
}
