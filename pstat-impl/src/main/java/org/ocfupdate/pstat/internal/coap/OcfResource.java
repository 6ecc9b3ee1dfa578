package org.ocfupdate.pstat.internal.coap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.ocfupdate.pstat.cbor.MalformedCborException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An OCF resource served in CBOR: content-format negotiation (10000, and 60 accepted), the {@code if} query with
 * the baseline interface, option 2053 for OCF clients, a size limit on requests, and precise error codes with a
 * short diagnostic — never a stack trace. Its {@code rt} and {@code if} are its CoRE link attributes, which is
 * also where {@code /oic/res} reads them.
 */
public abstract class OcfResource extends CoapResource {
    private static final Logger LOG = LoggerFactory.getLogger(OcfResource.class);
    /** Content-format of OCF CBOR payloads. */
    public static final int OCF_CBOR = 10000;
    /** Largest request payload accepted; larger answers 4.13. */
    public static final int MAX_REQUEST = 1024;
    public static final String BASELINE = "oic.if.baseline";

    private final List<String> rts;
    private final List<String> ifs;

    protected OcfResource(String name, List<String> rts, List<String> ifs, boolean observable) {
        super(name);
        this.rts = List.copyOf(rts);
        this.ifs = List.copyOf(ifs);
        rts.forEach(getAttributes()::addResourceType);
        ifs.forEach(getAttributes()::addInterfaceDescription);
        if (observable) {
            setObservable(true);
            setObserveType(Type.NON);
            getAttributes().setObservable();
        }
    }

    /**
     * No executor of its own: requests are handled on Californium's protocol thread, and {@link #changed()}
     * notifies the observers in the caller's thread. A state change thus sends its notification — with its own
     * Observe number and the representation of that very transition — before the next change can start; with an
     * executor, Californium would stamp two quick changes with the same (latest) number and state.
     */
    @Override
    public Executor getExecutor() {
        return null;
    }

    /**
     * A write whose new state cannot be stored (a full or failing disk) answers 5.00 with the reason, e.g.
     * "cannot store the state: No space left on device". The stores persist before they publish, so nothing
     * changed. Without this the exception would escape to Californium and the client would get no answer.
     */
    @Override
    public void handleRequest(Exchange exchange) {
        try {
            super.handleRequest(exchange);
        } catch (UncheckedIOException e) {
            IOException cause = e.getCause();
            String reason = cause instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                    : cause.getMessage();
            LOG.error("{} {} from {} failed: {}", exchange.getRequest().getCode(), getURI(),
                    exchange.getRequest().getSourceContext().getPeerAddress(), e.getMessage());
            Response response = new Response(ResponseCode.INTERNAL_SERVER_ERROR);
            response.setPayload("cannot store the state: " + reason);
            OcfOptions.answerVersion(exchange.getRequest(), response);
            exchange.sendResponse(response);
        }
    }

    public List<String> resourceTypes() {
        return rts;
    }

    public List<String> interfaces() {
        return ifs;
    }

    /** The representation for the default interface, as an ordered map. */
    protected abstract Map<String, Object> representation(CoapExchange exchange);

    @Override
    public void handleGET(CoapExchange exchange) {
        Integer format = responseFormat(exchange);
        if (format == null) {
            return;
        }
        String iface = exchange.getQueryParameter("if");
        if (iface != null && !ifs.contains(iface)) {
            error(exchange, ResponseCode.BAD_OPTION, "interface " + iface + " is not one of " + ifs);
            return;
        }
        Map<String, Object> body = representation(exchange);
        if (BASELINE.equals(iface)) {
            Map<String, Object> baseline = new LinkedHashMap<>();
            baseline.put("rt", rts);
            baseline.put("if", ifs);
            baseline.putAll(body);
            body = baseline;
        }
        reply(exchange, ResponseCode.CONTENT, Cbor.encode(body), format);
    }

    /** Decodes a POST body after the checks every OCF write shares; null when an error was already answered. */
    protected JsonNode requestBody(CoapExchange exchange) {
        Request request = exchange.advanced().getRequest();
        int format = request.getOptions().getContentFormat();
        if (format != OCF_CBOR && format != MediaTypeRegistry.APPLICATION_CBOR) {
            error(exchange, ResponseCode.UNSUPPORTED_CONTENT_FORMAT,
                    format == MediaTypeRegistry.UNDEFINED ? "content-format 10000 (or 60) required"
                            : "content-format " + format + " is not supported; use 10000 (or 60)");
            return null;
        }
        if (request.getPayloadSize() > MAX_REQUEST) {
            error(exchange, ResponseCode.REQUEST_ENTITY_TOO_LARGE,
                    "payload of " + request.getPayloadSize() + " bytes exceeds " + MAX_REQUEST);
            return null;
        }
        try {
            return Cbor.decode(request.getPayload());
        } catch (MalformedCborException e) {
            error(exchange, ResponseCode.BAD_REQUEST, e.getMessage());
            return null;
        }
    }

    /** The content-format to answer in, or null after answering 4.06 to an unacceptable Accept. */
    protected static Integer responseFormat(CoapExchange exchange) {
        int accept = exchange.getRequestOptions().getAccept();
        if (accept == MediaTypeRegistry.UNDEFINED || accept == OCF_CBOR) {
            return OCF_CBOR;
        }
        if (accept == MediaTypeRegistry.APPLICATION_CBOR) {
            return accept;
        }
        error(exchange, ResponseCode.NOT_ACCEPTABLE, "accept 10000 or 60");
        return null;
    }

    protected void reply(CoapExchange exchange, ResponseCode code, byte[] payload, int format) {
        Response response = new Response(code);
        if (payload != null) {
            response.setPayload(payload);
            response.getOptions().setContentFormat(format);
        }
        Request request = exchange.advanced().getRequest();
        if (isObservable() && request.getOptions().hasObserve() && request.getOptions().getObserve() == 0
                && code == ResponseCode.CONTENT) {
            // Stamp the Observe number of this very change now: Californium would stamp it when the response
            // leaves on the exchange's executor, when a later change may already have advanced the sequence.
            response.getOptions().setObserve(getNotificationSequenceNumber());
        }
        OcfOptions.answerVersion(request, response);
        exchange.respond(response);
    }

    /** An error with a short diagnostic payload (RFC 7252 §5.5.2: no content-format). */
    protected static void error(CoapExchange exchange, ResponseCode code, String diagnostic) {
        Response response = new Response(code);
        response.setPayload(diagnostic);
        OcfOptions.answerVersion(exchange.advanced().getRequest(), response);
        exchange.respond(response);
    }
}
