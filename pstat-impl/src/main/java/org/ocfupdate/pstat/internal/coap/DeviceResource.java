package org.ocfupdate.pstat.internal.coap;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.ocfupdate.pstat.internal.svr.SvrState;
import org.ocfupdate.pstat.internal.svr.SvrStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code /oic/d}: the device, with {@code sv} the running software version. Readable by anyone. */
@Component(service = Resource.class, property = CoapServerComponent.HREF + "=/oic/d")
public class DeviceResource extends OcfResource {
    static final String NAME = "OCF update gateway";
    private final SvrStore store;

    @Activate
    public DeviceResource(@Reference SvrStore store) {
        super("d", List.of("oic.wk.d"), List.of("oic.if.r", BASELINE), false);
        this.store = store;
    }

    @Override
    protected Map<String, Object> representation(CoapExchange exchange) {
        SvrState s = store.state();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("di", s.di().toString());
        d.put("piid", s.piid().toString());
        d.put("n", NAME);
        d.put("icv", "ocf.2.3.0");
        d.put("dmv", "ocf.res.1.3.0,ocf.sh.1.3.0");
        d.put("sv", store.softwareVersion());
        return d;
    }
}
