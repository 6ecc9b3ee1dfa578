package org.ocfupdate.pstat.internal.coap;

import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.server.DelivererException;
import org.eclipse.californium.core.server.ServerMessageDeliverer;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.elements.config.Configuration;

/**
 * Answers nothing to a multicast or non-confirmable request for a path the device does not serve, where
 * Californium would answer 4.04. A multicast request must never draw an error (a network of devices stays
 * quiet), and on Linux an IPv6 multicast request may reach the wildcard unicast socket first, where Californium
 * cannot tell it was multicast; a non-confirmable request is what multicast requests are, so the rule covers both.
 */
final class QuietDeliverer extends ServerMessageDeliverer {
    QuietDeliverer(Resource root, Configuration config) {
        super(root, config);
    }

    @Override
    protected boolean preDeliverRequest(Exchange exchange) {
        if (exchange.getRequest().getType() != Type.NON && !exchange.getRequest().isMulticast()) {
            return false;
        }
        try {
            if (findResource(exchange) != null) {
                return false;
            }
        } catch (DelivererException e) {
            // not found: fall through to silence
        }
        exchange.executeComplete();
        return true;
    }
}
