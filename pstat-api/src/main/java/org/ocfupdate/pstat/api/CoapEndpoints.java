package org.ocfupdate.pstat.api;

import java.net.InetSocketAddress;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Registered once the gateway's CoAP endpoints are bound: where clients reach the device. The registration carries
 * the service property {@code ocf.di}, the device id ({@code /oic/d} {@code di}) as a string, for components that name
 * the device elsewhere (the hawkBit provider's default controller id).
 */
@ProviderType
public interface CoapEndpoints {
    /** The bound CoAP (UDP) address; its port is the real one when port 0 was configured. */
    InetSocketAddress coap();

    /** The bound CoAPs (DTLS) address, or null while no secure endpoint runs. */
    InetSocketAddress coaps();
}
