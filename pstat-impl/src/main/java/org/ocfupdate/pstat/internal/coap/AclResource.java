package org.ocfupdate.pstat.internal.coap;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.internal.svr.AccessControl;
import org.ocfupdate.pstat.internal.svr.Ace;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code /oic/sec/acl2}: GET the entries, POST {@code {"aclist2": [...]}} to add (an entry with the {@code aceid}
 * of an existing one replaces it), DELETE {@code ?aceid=N}. A removal takes effect at once, observations included.
 */
@Component(service = Resource.class, property = CoapServerComponent.HREF + "=/oic/sec/acl2")
public class AclResource extends SvrListResource<Ace> {
    private final AccessControl acl;

    @Activate
    public AclResource(@Reference AccessControl acl, @Reference PstatService pstat) {
        super("acl2", "oic.r.acl2", "aclist2", "aceid", pstat);
        this.acl = acl;
    }

    @Override
    protected Map<String, Object> representation(CoapExchange exchange) {
        return acl.toMap();
    }

    @Override
    protected UUID owner() {
        return acl.owner();
    }

    @Override
    protected Ace parse(JsonNode entry) {
        return Ace.parse(entry);
    }

    @Override
    protected void add(List<Ace> entries, boolean byOwner) {
        acl.add(entries);
    }

    @Override
    protected boolean remove(Integer id, boolean byOwner) {
        return acl.remove(id);
    }
}
