package org.ocfupdate.pstat.internal.coap;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.internal.svr.AccessControl;
import org.ocfupdate.pstat.internal.svr.Cred;
import org.ocfupdate.pstat.internal.svr.Credentials;
import org.ocfupdate.pstat.internal.svr.SvrStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code /oic/sec/cred}: the credentials of further clients — pre-shared keys ({@code credtype} 1) and CA
 * certificates as trust anchors ({@code credtype} 8, {@code oic.sec.cred.trustca}). GET never shows private data;
 * POST {@code {"creds": [...]}} adds; DELETE {@code ?credid=N} removes one and ends the sessions made with it. The
 * owner's key and the trust anchors are the owner's alone to change, whatever the ACL grants others
 * ({@link Credentials#add(List, boolean)}).
 */
@Component(service = Resource.class, property = CoapServerComponent.HREF + "=/oic/sec/cred")
public class CredResource extends SvrListResource<Cred> {
    private final Credentials credentials;
    private final AccessControl acl;
    private final SvrStore store;

    @Activate
    public CredResource(@Reference Credentials credentials, @Reference AccessControl acl,
            @Reference PstatService pstat, @Reference SvrStore store) {
        super("cred", "oic.r.cred", "creds", "credid", pstat);
        this.credentials = credentials;
        this.acl = acl;
        this.store = store;
    }

    @Override
    protected Map<String, Object> representation(CoapExchange exchange) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("creds", credentials.creds().stream().map(c -> c.toMap(false)).toList());
        m.put("rowneruuid", acl.owner().toString());
        return m;
    }

    @Override
    protected UUID owner() {
        return acl.owner();
    }

    @Override
    protected Cred parse(JsonNode entry) {
        return Cred.parse(entry);
    }

    /**
     * Over the ownership-transfer session, a pre-shared key with empty data is the owner credential the device
     * derives itself from the session ({@link OwnerPsk}, docs/onboarding.md): the onboarding tool derives the same.
     */
    @Override
    protected Cred parse(JsonNode entry, Peer peer) {
        JsonNode data = entry.path("privatedata").path("data");
        boolean empty = (data.isBinary() || data.isTextual()) && data.asText().isEmpty();
        if (peer.transfer() && AccessControl.transferActive(store.state().dos())
                && entry.path("credtype").asInt() == Cred.PSK && empty) {
            UUID subject = Peer.uuid(entry.path("subjectuuid").asText().getBytes(StandardCharsets.UTF_8));
            if (subject == null || entry.path("subjectuuid").asText().length() != 36) {
                throw new IllegalArgumentException("subjectuuid must be a UUID");
            }
            return new Cred(0, subject.toString(), Cred.PSK, null,
                    OwnerPsk.derive(peer.keyBlock(), peer.transferOxm(), subject, store.state().di()), null);
        }
        return parse(entry);
    }

    @Override
    protected void add(List<Cred> entries, boolean byOwner) {
        credentials.add(entries, byOwner);
    }

    @Override
    protected boolean remove(Integer id, boolean byOwner) {
        return credentials.remove(id, byOwner);
    }
}
