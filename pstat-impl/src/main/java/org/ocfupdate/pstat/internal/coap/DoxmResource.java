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

/**
 * {@code /oic/sec/doxm}, read-only: the device is owned (its owner credential is made on first start, see
 * {@code data/credentials/owner.properties}), so OCF tools see an owned device. Writes answer 4.05.
 */
@Component(service = Resource.class, property = CoapServerComponent.HREF + "=/oic/sec/doxm")
public class DoxmResource extends OcfResource {
    /** Supported credential types: 1 pre-shared key, 8 certificate. */
    static final int SCT = 1 | 8;
    private final SvrStore store;

    @Activate
    public DoxmResource(@Reference SvrStore store) {
        super("doxm", List.of("oic.r.doxm"), List.of(BASELINE), false);
        this.store = store;
    }

    @Override
    protected Map<String, Object> representation(CoapExchange exchange) {
        SvrState s = store.state();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("oxms", List.of(0));
        m.put("oxmsel", 0);
        m.put("sct", SCT);
        m.put("owned", true);
        m.put("deviceuuid", s.di().toString());
        m.put("devowneruuid", s.rowneruuid().toString());
        m.put("rowneruuid", s.rowneruuid().toString());
        return m;
    }
}
