package org.ocfupdate.pstat.internal.coap;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.ocfupdate.pstat.internal.svr.SvrStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code /oic/p}: the platform. Readable by anyone. */
@Component(service = Resource.class, property = CoapServerComponent.HREF + "=/oic/p")
public class PlatformResource extends OcfResource {
    private final SvrStore store;

    @Activate
    public PlatformResource(@Reference SvrStore store) {
        super("p", List.of("oic.wk.p"), List.of("oic.if.r", BASELINE), false);
        this.store = store;
    }

    @Override
    protected Map<String, Object> representation(CoapExchange exchange) {
        Map<String, Object> p = new LinkedHashMap<>();
        // one gateway, one platform: the platform id is the device's piid
        p.put("pi", store.state().piid().toString());
        p.put("mnmn", "ocf-update-gateway");
        return p;
    }
}
