package org.ocfupdate.pstat.internal.coap;

import org.eclipse.californium.core.coap.Option;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.option.IntegerOptionDefinition;
import org.eclipse.californium.core.coap.option.MapBasedOptionRegistry;
import org.eclipse.californium.core.coap.option.OptionRegistry;
import org.eclipse.californium.core.coap.option.StandardOptionRegistry;

/**
 * OCF's CoAP options. Both numbers are odd, so critical: Californium refuses requests with options it does not
 * know, and libcoap drops responses with them. We register both and send 2053 only to a client that sent 2049.
 */
public final class OcfOptions {
    /** OCF-Accept-Content-Format-Version. */
    public static final IntegerOptionDefinition ACCEPT_VERSION =
            new IntegerOptionDefinition(2049, "OCF-Accept-Content-Format-Version", true, 0, 2);
    /** OCF-Content-Format-Version. */
    public static final IntegerOptionDefinition CONTENT_VERSION =
            new IntegerOptionDefinition(2053, "OCF-Content-Format-Version", true, 0, 2);
    /** OCF 1.0 content format version (0x0800), the one we serve. */
    public static final int OCF_1_0 = 2048;

    public static final OptionRegistry REGISTRY =
            new MapBasedOptionRegistry(StandardOptionRegistry.getDefaultOptionRegistry(), ACCEPT_VERSION, CONTENT_VERSION);

    private OcfOptions() {
    }

    /** Adds 2053 to {@code response} when {@code request} carried 2049. */
    public static void answerVersion(Request request, Response response) {
        if (request.getOptions().hasOption(ACCEPT_VERSION)) {
            response.getOptions().addOption(new Option(CONTENT_VERSION, OCF_1_0));
        }
    }
}
