package org.ocfupdate.pstat.internal.svr;

import org.ocfupdate.gateway.support.GatewayHome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.ocfupdate.pstat.api.DeviceOnboardingState;
import org.ocfupdate.pstat.api.Pstat;
import org.ocfupdate.pstat.api.PstatListener;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.gateway.support.AtomicStore;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The access control list ({@code /oic/sec/acl2}, persisted in {@code data/svr/acl2.json}) and the one place that
 * decides whether a request may proceed:
 * <ul>
 * <li>{@code /oic/res}, {@code /oic/d} and {@code /oic/p} may be read by anyone, also over plain CoAP;</li>
 * <li>everything else needs an authenticated (DTLS) peer;</li>
 * <li>the device owner ({@code rowneruuid}) may do everything; any other subject what its ACEs grant.</li>
 * </ul>
 */
@Component(service = AccessControl.class)
public class AccessControl implements PstatListener {
    private static final Logger LOG = LoggerFactory.getLogger(AccessControl.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What anyone may read, also over plain CoAP. */
    public static final Set<String> PUBLIC = Set.of("/oic/res", "/oic/d", "/oic/p");
    /** More entries than a gateway's clients would ever need; bounds the file and each check. */
    public static final int MAX_ACES = 256;

    private final SvrStore svr;
    private final AtomicStore store;
    private volatile List<Ace> aces;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    private final PstatService pstat;
    private volatile UUID knownOwner;

    @Activate
    public AccessControl(BundleContext context, @Reference SvrStore svr, @Reference PstatService pstat)
            throws IOException {
        this(GatewayHome.data(context).resolve("svr"), svr, pstat);
    }

    public AccessControl(Path dir, SvrStore svr) throws IOException {
        this(dir, svr, null);
    }

    AccessControl(Path dir, SvrStore svr, PstatService pstat) throws IOException {
        this.svr = svr;
        this.pstat = pstat;
        this.knownOwner = svr.state().rowneruuid();
        this.store = new AtomicStore(dir, "acl2.json");
        aces = store.load(body -> {
            JsonNode list = JSON.readTree(body).path("aclist2");
            if (!list.isArray()) {
                throw new IOException("no aclist2 array");
            }
            List<Ace> loaded = new ArrayList<>();
            for (JsonNode n : list) {
                loaded.add(Ace.parse(n));
            }
            return List.copyOf(loaded);
        }).orElse(List.of());
        if (pstat != null) {
            pstat.addListener(this);
        }
    }

    @Deactivate
    void deactivate() {
        if (pstat != null) {
            pstat.removeListener(this);
        }
    }

    /** A new owner (rowneruuid written, or a RESET) changes who may do what: tell the listeners as for an ACL change. */
    @Override
    public void pstatChanged(Pstat snapshot) {
        if (!snapshot.rowneruuid().equals(knownOwner)) {
            knownOwner = snapshot.rowneruuid();
            listeners.forEach(Runnable::run);
        }
    }

    public UUID owner() {
        return svr.state().rowneruuid();
    }

    /**
     * Why a request may not proceed, or empty when it may.
     *
     * @param secure  the request came over an authenticated DTLS connection
     * @param subject the peer's UUID (from its PSK identity or certificate), or null
     * @param href    the resource's path
     * @param needed  the CRUDN bits the method needs
     */
    public Optional<String> refusal(boolean secure, UUID subject, String href, int needed) {
        if (PUBLIC.contains(href) && needed == Ace.RETRIEVE) {
            return Optional.empty();
        }
        if (!secure && anonymousInRfotm(svr.state(), href, needed)) {
            return Optional.empty();
        }
        if (!secure) {
            return Optional.of(href + " needs a secure connection (coaps)");
        }
        if (subject != null && subject.equals(owner())) {
            return Optional.empty();
        }
        int granted = permissions(secure, subject, href);
        if ((granted & needed) == needed) {
            return Optional.empty();
        }
        return Optional.of((subject == null ? "this client" : "subject " + subject) + " lacks "
                + names(needed & ~granted) + " on " + href);
    }

    /**
     * What an onboarding tool does over plain CoAP before the transfer session, while a device with
     * {@code ownership=transfer} waits in RFOTM: read and write (oxmsel) doxm, read pstat (docs/onboarding.md).
     */
    static boolean anonymousInRfotm(SvrState s, String href, int needed) {
        if (s.ownership() == null || s.dos() != DeviceOnboardingState.RFOTM) {
            return false;
        }
        return "/oic/sec/doxm".equals(href) && (needed == Ace.RETRIEVE || needed == Ace.UPDATE)
                || "/oic/sec/pstat".equals(href) && needed == Ace.RETRIEVE;
    }

    /**
     * What an ownership-transfer session may reach, whatever the ACL says (IoTivity-Lite's
     * {@code oc_acl_util.c}): the security and core resources, until the device is operational — the tool
     * provisions in RFPRO over the same session; in RFNOP only ordinary sessions count.
     */
    public boolean transferMayReach(String href) {
        return transferActive(svr.state().dos()) && (href.startsWith("/oic/sec/") || PUBLIC.contains(href));
    }

    /** A transfer session acts for the owner it is making while the device is in RFOTM or RFPRO. */
    public static boolean transferActive(DeviceOnboardingState dos) {
        return dos == DeviceOnboardingState.RFOTM || dos == DeviceOnboardingState.RFPRO;
    }

    /** The CRUDN bits the ACEs grant a (non-owner) subject on {@code href}. */
    public int permissions(boolean secure, UUID subject, String href) {
        int granted = 0;
        for (Ace a : aces) {
            if (a.matches(secure, subject) && a.covers(href)) {
                granted |= a.permission();
            }
        }
        return granted;
    }

    public boolean isOwner(boolean secure, UUID subject) {
        return secure && subject != null && subject.equals(owner());
    }

    public List<Ace> aces() {
        return aces;
    }

    /**
     * Adds ACEs (an entry with the {@code aceid} of an existing one replaces it; without one it gets a new id),
     * all-or-nothing and durably.
     *
     * @throws IllegalArgumentException when the list would exceed {@link #MAX_ACES}; nothing changed
     */
    public synchronized List<Ace> add(List<Ace> entries) {
        IdList.Merge<Ace> m = IdList.merge(aces, entries, Ace::aceid, Ace::withId, MAX_ACES, "the ACL");
        commit(m.all());
        m.added().forEach(a -> LOG.info("ACE {} set: {}", a.aceid(), a.toMap()));
        return m.added();
    }

    /** Removes one ACE ({@code aceid}), or all when {@code aceid} is null; false when there was no such entry. */
    public synchronized boolean remove(Integer aceid) {
        List<Ace> next = IdList.without(aces, aceid, Ace::aceid);
        if (next.size() == aces.size()) {
            return false;
        }
        commit(next);
        LOG.info(aceid == null ? "All ACEs removed" : "ACE {} removed", aceid);
        return true;
    }

    /** Called after every change of the ACL, e.g. to cancel observations that are no longer allowed. */
    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    public void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("aclist2", aces.stream().map(Ace::toMap).toList());
        m.put("rowneruuid", owner().toString());
        return m;
    }

    private void commit(List<Ace> next) {
        Map<String, Object> doc = Map.of("aclist2", next.stream().map(Ace::toMap).toList());
        try {
            store.save(JSON.writeValueAsBytes(doc));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the ACL: " + e.getMessage(), e);
        }
        aces = next;
        listeners.forEach(Runnable::run);
    }

    static String names(int bits) {
        List<String> n = new ArrayList<>();
        String[] names = {"CREATE", "RETRIEVE", "UPDATE", "DELETE", "NOTIFY"};
        for (int i = 0; i < names.length; i++) {
            if ((bits & (1 << i)) != 0) {
                n.add(names[i]);
            }
        }
        return String.join("+", n);
    }
}
