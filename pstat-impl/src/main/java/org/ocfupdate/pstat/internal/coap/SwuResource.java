package org.ocfupdate.pstat.internal.coap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.ocfupdate.pstat.api.Dpm;
import org.ocfupdate.pstat.api.Pstat;
import org.ocfupdate.pstat.api.PstatListener;
import org.ocfupdate.pstat.api.PstatRefusedException;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.api.ResourceStore;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.pstat.api.UpdateStatus;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code /oc/swu} ({@code oic.r.softwareupdate}): the second view of the one state machine, with the package URL,
 * scheduling and cancel (docs/software-update.md §4). {@code swupdatestate} comes from the same snapshot as pstat's
 * {@code cm}, and both resources are notified in the same transition. The schedule ({@code purl},
 * {@code swupdateaction}, {@code updatetime}) is persisted and re-armed at start.
 */
@Component(service = Resource.class, property = CoapServerComponent.HREF + "=/oc/swu")
public class SwuResource extends OcfResource implements PstatListener {
    private static final Logger LOG = LoggerFactory.getLogger(SwuResource.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STORE = "swu";
    private static final Set<String> READ_ONLY =
            Set.of("swupdatestate", "swupdateresult", "nv", "lastupdate", "signed", "rt", "if", "n", "id");
    private static final Map<String, Integer> ACTIONS = Map.of("isac", Dpm.ISAC, "isvv", Dpm.ISVV, "upgrade", Dpm.ISSU);

    /** What a client last asked for: persisted so that a schedule survives a restart. */
    record Settings(String purl, String action, String updatetime) {
        static final Settings NONE = new Settings("", "idle", "none");
    }

    /** A checked POST: the new settings and when to run (null: now; Instant.MAX: not at all). */
    record Post(Settings settings, Instant at) {
    }

    private final PstatService pstat;
    private final ResourceStore store;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "ocf-swu-schedule"));
    /**
     * Written under this object's lock, read without it: a notification is built on the state machine's thread
     * (docs/architecture.md, Threads), which must not wait for a POST that holds the lock while it waits for the
     * machine's answer.
     */
    private volatile Settings settings;
    private ScheduledFuture<?> pending;

    @Activate
    public SwuResource(@Reference PstatService pstat, @Reference ResourceStore store) throws IOException {
        super("swu", List.of("oic.r.softwareupdate"), List.of("oic.if.rw", BASELINE), true);
        this.pstat = pstat;
        this.store = store;
        // a schedule that does not parse is corrupt: the one saved before it is used
        settings = store.load(STORE, SwuResource::stored).orElse(Settings.NONE);
        rearm();
        pstat.addListener(this);
    }

    /** A saved schedule, complete and with a time {@link #rearm} can read; anything else is corrupt. */
    static Settings stored(byte[] body) throws IOException {
        Settings s = JSON.readValue(body, Settings.class);
        if (s.purl() == null || s.action() == null || s.updatetime() == null) {
            throw new IOException("the schedule lacks purl, swupdateaction or updatetime");
        }
        if (!s.updatetime().equals("now") && !s.updatetime().equals("none")) {
            try {
                OffsetDateTime.parse(s.updatetime());
            } catch (java.time.format.DateTimeParseException e) {
                throw new IOException("the schedule's updatetime is not a time: " + s.updatetime());
            }
        }
        return s;
    }

    @Deactivate
    void deactivate() {
        pstat.removeListener(this);
        timer.shutdownNow();
    }

    /** A schedule that was pending at the last stop runs at its time, or at once if that passed meanwhile. */
    private synchronized void rearm() {
        if (settings.action().equals("idle") || settings.updatetime().equals("none")) {
            return;
        }
        Instant at = settings.updatetime().equals("now") ? Instant.now() : OffsetDateTime.parse(settings.updatetime())
                .toInstant();
        long delay = Math.max(0, at.toEpochMilli() - System.currentTimeMillis());
        LOG.info("Scheduled software-update action {} re-armed for {}", settings.action(), at);
        pending = timer.schedule(this::fire, delay, TimeUnit.MILLISECONDS);
    }

    @Override
    public void pstatChanged(Pstat snapshot) {
        changed();
    }

    @Override
    protected Map<String, Object> representation(CoapExchange exchange) {
        Settings s = settings;
        UpdateStatus status = pstat.status();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("purl", s.purl());
        m.put("nv", status.offeredVersion() == null ? "" : status.offeredVersion());
        m.put("signed", "vendor");
        m.put("swupdateaction", s.action());
        m.put("swupdatestate", status.state().swUpdateState()); // status() never waits (UpdateMachine)
        m.put("swupdateresult", status.result().code());
        m.put("updatetime", s.updatetime());
        if (status.lastUpdate() != null) {
            m.put("lastupdate", status.lastUpdate());
        }
        return m;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        JsonNode body = requestBody(exchange);
        if (body == null) {
            return;
        }
        String diagnostic;
        synchronized (this) {
            diagnostic = apply(body);
        }
        if (diagnostic == null) {
            reply(exchange, ResponseCode.CHANGED, null, 0);
            changed();
        } else {
            LOG.info("/oc/swu write from {} refused: {}", exchange.getSourceSocketAddress(), diagnostic);
            error(exchange, ResponseCode.BAD_REQUEST, diagnostic);
        }
    }

    /** Applies a POST all-or-nothing; returns null, or the diagnostic of a refusal (nothing changed). */
    private String apply(JsonNode body) {
        Post post;
        try {
            post = parse(body, settings.purl(), Instant.now());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        Settings next = post.settings();
        if (next.action().equals("idle")) {
            if (pstat.current().update() == UpdateState.UPGRADING) {
                return "an installation cannot be cancelled";
            }
            unschedule();
            pstat.cancel();
        } else if (post.at() == null) {
            try {
                pstat.start(ACTIONS.get(next.action()), location(next.purl()));
            } catch (PstatRefusedException e) {
                return e.getMessage();
            }
            unschedule();
            next = new Settings(next.purl(), "idle", next.updatetime()); // done: nothing pending
        }
        try {
            store.save(STORE, JSON.writeValueAsBytes(next));
        } catch (IOException e) {
            // a full or failing disk: 5.00 (OcfResource), and a pending schedule stays as it was
            LOG.error("Cannot save the /oc/swu schedule: {}", e.getMessage());
            throw new UncheckedIOException("cannot save the schedule: " + e.getMessage(), e);
        }
        settings = next;
        if (post.at() != null) {
            unschedule(); // replaced by the schedule just stored
        }
        if (post.at() != null && post.at() != Instant.MAX && !next.action().equals("idle")) {
            pending = timer.schedule(this::fire, Math.max(0, post.at().toEpochMilli() - System.currentTimeMillis()),
                    TimeUnit.MILLISECONDS);
            LOG.info("Software-update action {} scheduled for {}", next.action(), post.at());
        }
        return null;
    }

    private void unschedule() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }

    /**
     * The scheduled time has come. The executor would keep its thread after a Throwable but swallow it silently:
     * logged here, and observers still learn that nothing is pending.
     */
    private void fire() {
        try {
            runScheduled();
        } catch (Throwable e) {
            LOG.error("Scheduled software-update action failed", e);
            changed();
        }
    }

    /** Starts the scheduled action; it is no longer pending either way. */
    private void runScheduled() {
        Settings s;
        synchronized (this) {
            s = settings;
            pending = null;
            Settings done = new Settings(s.purl(), "idle", s.updatetime());
            try {
                store.save(STORE, JSON.writeValueAsBytes(done));
            } catch (IOException e) {
                LOG.error("Cannot save the /oc/swu schedule: {}", e.getMessage());
            }
            settings = done;
        }
        Integer bit = ACTIONS.get(s.action());
        if (bit == null) {
            return;
        }
        try {
            pstat.start(bit, location(s.purl()));
            LOG.info("Scheduled software-update action {} started", s.action());
        } catch (PstatRefusedException e) {
            LOG.warn("Scheduled software-update action {} refused: {}", s.action(), e.getMessage());
        }
        changed();
    }

    private static URI location(String purl) {
        return purl.isEmpty() ? null : URI.create(purl);
    }

    /**
     * Checks a POST (docs/software-update.md §4; IoTivity-Lite's rules): {@code purl}, {@code swupdateaction} and
     * {@code updatetime} together; an empty {@code purl} keeps the stored one; {@code updatetime} is {@code now},
     * {@code none} or a future RFC 3339 time.
     */
    static Post parse(JsonNode body, String storedPurl, Instant now) {
        if (!body.isObject()) {
            throw new IllegalArgumentException("payload must be a CBOR map");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext();) {
            String key = it.next();
            if (READ_ONLY.contains(key)) {
                throw new IllegalArgumentException("read-only property " + key);
            }
            if (!key.equals("purl") && !key.equals("swupdateaction") && !key.equals("updatetime")) {
                throw new IllegalArgumentException("unknown property " + key);
            }
        }
        for (String required : List.of("purl", "swupdateaction", "updatetime")) {
            if (!body.has(required)) {
                throw new IllegalArgumentException("purl, swupdateaction and updatetime go together: " + required
                        + " is missing");
            }
            if (!body.get(required).isTextual()) {
                throw new IllegalArgumentException(required + " must be a string");
            }
        }
        String purl = body.get("purl").textValue();
        if (purl.isEmpty()) {
            purl = storedPurl;
        } else {
            checkPurl(purl);
        }
        String action = body.get("swupdateaction").textValue();
        if (!action.equals("idle") && !ACTIONS.containsKey(action)) {
            throw new IllegalArgumentException("swupdateaction must be idle, isac, isvv or upgrade, not " + action);
        }
        String time = body.get("updatetime").textValue();
        Instant at;
        if (time.equals("now")) {
            at = null;
        } else if (time.equals("none")) {
            at = Instant.MAX;
        } else {
            try {
                at = OffsetDateTime.parse(time).toInstant();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("updatetime must be now, none or an RFC 3339 date-time, not " + time);
            }
            if (!at.isAfter(now)) {
                throw new IllegalArgumentException("updatetime " + time + " is in the past");
            }
        }
        return new Post(new Settings(purl, action, time), at);
    }

    static void checkPurl(String purl) {
        if (purl.length() > 64) {
            throw new IllegalArgumentException("purl is longer than 64 characters");
        }
        URI uri;
        try {
            uri = new URI(purl);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("purl is not a URL: " + purl);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
        if (!uri.isAbsolute() || uri.getHost() == null
                || !(scheme.equals("https") || scheme.equals("http") || scheme.equals("coaps"))) {
            throw new IllegalArgumentException("purl must be an absolute https, http or coaps URL, not " + purl);
        }
    }
}
