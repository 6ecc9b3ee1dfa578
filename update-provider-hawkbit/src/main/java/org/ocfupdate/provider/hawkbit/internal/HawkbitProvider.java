package org.ocfupdate.provider.hawkbit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.provider.FetchRequest;
import org.ocfupdate.pstat.api.provider.OfferRequest;
import org.ocfupdate.pstat.api.provider.ProviderContext;
import org.ocfupdate.pstat.api.provider.SemanticVersion;
import org.ocfupdate.pstat.api.provider.UpdateException;
import org.ocfupdate.pstat.api.provider.UpdateOffer;
import org.ocfupdate.pstat.api.provider.UpdateOutcome;
import org.ocfupdate.pstat.api.provider.UpdateProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The gateway as a target of an Eclipse hawkBit server (docs/hawkbit.md). Its own scheduler thread polls the
 * controller root, reads deployments and cancellations, and sends feedback; the engine's worker thread asks for the
 * offer and the download and tells outcomes, which become feedback. The two meet in {@link State}, under
 * {@link #lock}, persisted on every change.
 */
final class HawkbitProvider implements UpdateProvider {
    private static final Logger LOG = LoggerFactory.getLogger(HawkbitProvider.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    /** Attempts of one download within a fetch, after a lost connection, 429 or 5xx. */
    private static final int DOWNLOAD_ATTEMPTS = 4;
    /** The file under data/hawkbit holding the controller id chosen at the first poll. */
    static final String CONTROLLER_ID = "controllerId";

    /** The server answered, but not usefully now: back off (at least {@code retryAfter} when it said so). */
    static final class ServerTrouble extends Exception {
        private static final long serialVersionUID = 1L;
        final Duration retryAfter;

        ServerTrouble(String message, Duration retryAfter) {
            super(message);
            this.retryAfter = retryAfter;
        }
    }

    /** A download attempt worth repeating. */
    private static final class Transient extends Exception {
        private static final long serialVersionUID = 1L;

        Transient(String message) {
            super(message);
        }
    }

    /** Feedback not yet accepted by the server. */
    private record Pending(String actionId, String what, JsonNode body, boolean progress) {
    }

    private final Settings settings;
    private final Device device;
    private final DdiClient client;
    private final Map<String, String> attributes;
    private final ScheduledExecutorService scheduler;
    private final Object lock = new Object();
    private final Deque<Pending> queue = new ArrayDeque<>();
    private final State state;
    private volatile ProviderContext context;
    private volatile String status = "not polled yet";
    // poll thread only
    private String rootEtag;
    private Ddi.Root lastRoot;
    private int failures;
    private boolean configSent;
    private String badHref;
    private String chosenId;
    // under lock
    private String cancelledByServer;
    private long lastProgress = Long.MIN_VALUE;

    /**
     * @param attributes the configData sent when the server asks (besides di and the running version)
     */
    HawkbitProvider(Settings settings, Device device, DdiClient client, Map<String, String> attributes)
            throws IOException {
        this.settings = settings;
        this.device = device;
        this.client = client;
        this.attributes = attributes;
        State loaded = State.load(settings.dataDir());
        // action ids are only unique within one server's database: another server (or a reset one) reusing an id
        // must not find it "finished" here
        String key = settings.server() + " " + settings.tenant() + " " + settings.controllerId();
        if (loaded.server != null && !loaded.server.equals(key)) {
            LOG.info("hawkBit: {} held the state of {}; starting afresh for {}", settings.dataDir()
                    .resolve(State.FILE), loaded.server, key);
            String version = loaded.reportedVersion;
            loaded = new State();
            loaded.reportedVersion = version;
        }
        loaded.server = key;
        this.state = loaded;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ocf-hawkbit-poll");
            t.setDaemon(true);
            return t;
        });
        if (state.actionId != null && !state.finished) {
            LOG.info("hawkBit: resuming action {} from {}", state.actionId, settings.dataDir().resolve(State.FILE));
        }
    }

    void start() {
        synchronized (scheduler) {
            scheduler.schedule(this::tick, 0, TimeUnit.MILLISECONDS);
        }
    }

    void stop() {
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("hawkBit: the poll thread did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One poll; whatever it throws, the next one is scheduled. */
    private void tick() {
        long delay;
        try {
            delay = pollOnce().toMillis();
            failures = 0;
        } catch (ServerTrouble e) {
            delay = backoff(e.retryAfter, e.getMessage()).toMillis();
        } catch (DdiClient.TooLarge e) {
            delay = backoff(null, e.getMessage()).toMillis();
        } catch (IOException e) {
            delay = backoff(null, "unreachable: " + reason(e)).toMillis();
        } catch (InterruptedException e) {
            return; // stopping
        } catch (Throwable t) {
            LOG.error("hawkBit: poll failed unexpectedly; polling goes on", t);
            delay = backoff(null, t.toString()).toMillis();
        }
        synchronized (scheduler) {
            if (!scheduler.isShutdown()) {
                scheduler.schedule(this::tick, delay, TimeUnit.MILLISECONDS);
            }
        }
    }

    private Duration backoff(Duration retryAfter, String why) {
        failures++;
        Duration d = settings.minSleep().multipliedBy(1L << Math.min(failures - 1, 16));
        if (d.compareTo(settings.maxBackoff()) > 0) {
            d = settings.maxBackoff();
        }
        if (retryAfter != null && retryAfter.compareTo(d) > 0) {
            d = retryAfter;
        }
        d = jitter(d);
        status = "server trouble (" + failures + " in a row): " + why + "; next poll in " + d.toSeconds() + " s";
        if (failures == 1 || Integer.bitCount(failures) == 1) { // 1, 2, 4, 8, ...: no log flood
            LOG.warn("hawkBit: {}", status);
        }
        return d;
    }

    /** Never sooner than asked: up to a tenth later, so that a fleet does not poll in lockstep. */
    private static Duration jitter(Duration d) {
        long ms = d.toMillis();
        return Duration.ofMillis(ms + ThreadLocalRandom.current().nextLong(ms / 10 + 1));
    }

    /** Asks the poll thread to send queued feedback now (a flush is cheap when nothing waits). */
    private void flushSoon() {
        try {
            scheduler.execute(() -> {
                try {
                    String cid = controllerId();
                    if (cid != null) {
                        flush(settings.controllerBase(cid));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    LOG.debug("hawkBit: feedback postponed to the next poll: {}", e.toString());
                } catch (Throwable t) {
                    LOG.error("hawkBit: feedback failed unexpectedly", t);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("hawkBit: stopped; feedback stays for the next start");
        }
    }

    /** The configured controllerId, else the one chosen once ({@link #chooseControllerId}). Scheduler thread only. */
    private String controllerId() {
        if (!settings.controllerId().isEmpty()) {
            return settings.controllerId();
        }
        if (chosenId == null) {
            chosenId = chooseControllerId(settings.dataDir(), device.di());
        }
        return chosenId;
    }

    /**
     * The controller id kept in {@code dir/controllerId}, or else {@code di} (null while unknown), written there: the
     * target stays the same on the server when an ownership transfer gives the device a new di (the server would
     * otherwise see a new target, with neither the history nor the assignments of the old one).
     */
    static String chooseControllerId(Path dir, String di) {
        Path file = dir.resolve(CONTROLLER_ID);
        try {
            String kept = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!kept.isEmpty()) {
                if (di != null && !di.equals(kept)) {
                    LOG.info("hawkBit: controller id {} kept from {} (the device's di at the first poll; the di is "
                            + "now {}); set controllerId, or delete the file, to change it", kept, file, di);
                }
                return kept;
            }
        } catch (NoSuchFileException e) {
            // the first poll: chosen below
        } catch (IOException e) {
            LOG.error("hawkBit: cannot read {} ({}); using the device's di {}", file, e.toString(), di);
            return di;
        }
        if (di == null) {
            return null;
        }
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(CONTROLLER_ID + ".tmp");
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                c.write(ByteBuffer.wrap((di + "\n").getBytes(StandardCharsets.UTF_8)));
                c.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LOG.info("hawkBit: controller id {} (the device's di) kept in {}", di, file);
        } catch (IOException e) {
            LOG.error("hawkBit: cannot save the controller id to {} ({}); an ownership transfer would make the "
                    + "gateway a new target", file, e.toString());
        }
        return di;
    }

    Duration pollOnce() throws IOException, InterruptedException, ServerTrouble {
        String cid = controllerId();
        if (cid == null) {
            status = "waiting for the device id (controllerId)";
            return settings.minSleep();
        }
        URI base = settings.controllerBase(cid);
        flush(base);
        DdiClient.Response r = client.get(base, rootEtag);
        Ddi.Root root;
        if (r.status() == 304 && lastRoot != null) {
            root = lastRoot;
        } else if (r.status() == 200) {
            try {
                root = Ddi.root(Ddi.parse(r.body(), "the controller root"), base);
            } catch (Ddi.Invalid e) {
                throw new ServerTrouble("GET " + base + ": " + e.getMessage(), null);
            }
            rootEtag = r.header("ETag");
            lastRoot = root;
        } else {
            throw trouble("GET " + base, r);
        }
        reportVersion(base, root);
        configData(root);
        cancel(base, root);
        deployment(base, root);
        flush(base);
        Duration sleep = root.sleep() == null ? Settings.DEFAULT_SLEEP : root.sleep();
        if (sleep.compareTo(settings.minSleep()) < 0) {
            sleep = settings.minSleep();
        }
        if (!status.startsWith("action")) {
            status = "polled " + base + "; next in " + sleep.toSeconds() + " s";
        }
        return jitter(sleep);
    }

    private static ServerTrouble trouble(String what, DdiClient.Response r) {
        Duration after = null;
        String ra = r.header("Retry-After");
        if (ra != null && ra.matches("\\d{1,6}")) {
            after = Duration.ofSeconds(Long.parseLong(ra));
        }
        String why = switch (r.status()) {
            case 401 -> "401: the server does not accept the token (gatewayToken/targetToken, and the tenant's "
                    + "authentication settings)";
            case 403 -> "403: the token is not allowed for this controller";
            case 404 -> "404: unknown tenant or controller";
            case 429 -> "429: too many requests";
            default -> "answered " + r.status();
        };
        return new ServerTrouble(what + " " + why, after);
    }

    /** Sends queued feedback, then the final ones; stops at the first the server cannot take now. */
    private void flush(URI base) throws IOException, InterruptedException, ServerTrouble {
        while (true) {
            Pending p;
            synchronized (lock) {
                p = queue.peek();
            }
            if (p == null) {
                break;
            }
            DdiClient.Response r = client.post(URI.create(base + "/deploymentBase/" + p.actionId() + "/feedback"),
                    p.body());
            if (r.status() == 429 || r.status() >= 500) {
                throw trouble("feedback " + p.what() + " for action " + p.actionId(), r);
            }
            if (r.status() / 100 != 2) {
                LOG.warn("hawkBit: feedback {} for action {} refused ({}); dropped", p.what(), p.actionId(),
                        r.status());
            }
            synchronized (lock) {
                queue.remove(p);
            }
        }
        String id;
        JsonNode closing;
        String cancelId;
        JsonNode cancelFeedback;
        synchronized (lock) {
            id = state.actionId;
            closing = state.finished ? null : state.closing;
            cancelId = state.cancelId;
            cancelFeedback = state.cancelFeedback;
        }
        if (closing != null) {
            DdiClient.Response r = client.post(URI.create(base + "/deploymentBase/" + id + "/feedback"), closing);
            if (r.status() == 429 || r.status() >= 500) {
                throw trouble("final feedback for action " + id, r);
            }
            if (r.status() / 100 == 2) {
                LOG.info("hawkBit: action {} closed ({})", id, closing.path("status").path("result").path("finished")
                        .asText());
            } else { // 410: closed already (a resent feedback after a restart); 404: the action is gone
                LOG.warn("hawkBit: final feedback for action {} answered {}; the action is over", id, r.status());
            }
            synchronized (lock) {
                if (Objects.equals(id, state.actionId)) {
                    state.finished = true;
                    save();
                }
            }
        }
        if (cancelFeedback != null) {
            DdiClient.Response r = client.post(URI.create(base + "/cancelAction/" + cancelId + "/feedback"),
                    cancelFeedback);
            if (r.status() == 429 || r.status() >= 500) {
                throw trouble("cancel feedback for action " + cancelId, r);
            }
            if (r.status() / 100 != 2) {
                LOG.warn("hawkBit: cancel feedback for action {} answered {}", cancelId, r.status());
            }
            synchronized (lock) {
                if (Objects.equals(cancelId, state.cancelId)) {
                    state.cancelFeedback = null;
                    save();
                }
            }
        }
    }

    /** A running version the server was not told yet (installed by another provider): installedBase and sv. */
    private void reportVersion(URI base, Ddi.Root root) throws IOException, InterruptedException, ServerTrouble {
        String running = device.runningVersion();
        String told;
        synchronized (lock) {
            told = state.reportedVersion;
            if (told == null) {
                state.reportedVersion = running; // first start: configData carries it when the server asks
                save();
                return;
            }
        }
        if (told.equals(running)) {
            return;
        }
        LOG.info("hawkBit: the device now runs {} (was {}): telling the server", running, told);
        DdiClient.Response r = client.put(URI.create(base + "/installedBase"),
                Ddi.JSON.createObjectNode().put("name", settings.distribution()).put("version", running));
        if (r.status() == 429 || r.status() >= 500) {
            throw trouble("PUT installedBase", r);
        }
        if (r.status() / 100 != 2) {
            LOG.info("hawkBit: installedBase {}:{} answered {} (the server has no such distribution set); the "
                    + "target attribute sv says {}", settings.distribution(), running, r.status(), running);
        }
        putConfigData(base);
        synchronized (lock) {
            state.reportedVersion = running;
            save();
        }
    }

    private void configData(Ddi.Root root) throws IOException, InterruptedException, ServerTrouble {
        if (root.configData() == null) {
            configSent = false; // the next request is a new one
            return;
        }
        if (!configSent) {
            putConfigData(root.configData());
            configSent = true;
        }
    }

    private void putConfigData(URI uri) throws IOException, InterruptedException, ServerTrouble {
        if (!uri.getPath().endsWith("/configData")) {
            uri = URI.create(uri + "/configData");
        }
        Map<String, String> data = new LinkedHashMap<>();
        String di = device.di();
        if (di != null) {
            data.put("di", di);
        }
        data.put("sv", device.runningVersion());
        data.putAll(attributes);
        DdiClient.Response r = client.put(uri, Ddi.configData(data));
        if (r.status() == 429 || r.status() >= 500) {
            throw trouble("PUT configData", r);
        }
        if (r.status() / 100 != 2) {
            LOG.warn("hawkBit: configData answered {}", r.status());
        } else {
            LOG.info("hawkBit: sent the target attributes {}", data);
        }
    }

    private void cancel(URI base, Ddi.Root root) throws IOException, InterruptedException, ServerTrouble {
        if (root.cancelAction() == null) {
            return;
        }
        DdiClient.Response r = client.get(root.cancelAction(), null);
        if (r.status() != 200) {
            throw trouble("GET " + root.cancelAction(), r);
        }
        String stopId;
        try {
            stopId = Ddi.stopId(Ddi.parse(r.body(), "cancelAction"));
        } catch (Ddi.Invalid e) {
            throw new ServerTrouble("GET " + root.cancelAction() + ": " + e.getMessage(), null);
        }
        boolean ours;
        synchronized (lock) {
            if (stopId.equals(state.cancelId)) {
                return; // answered already
            }
            ours = stopId.equals(state.actionId) && state.open();
            if (ours && state.downloadedSent && device.installing()) {
                LOG.info("hawkBit: cancellation of action {} rejected: its installation runs", stopId);
                answer(stopId, Ddi.feedback("rejected", "none", null, null, "the installation already started",
                        now()));
                return;
            }
            if (ours) {
                cancelledByServer = stopId;
                state.finished = true;
                status = "action " + stopId + " cancelled by the server";
            }
        }
        // the engine is called outside our lock: it may tell an outcome (which takes the lock) meanwhile
        ProviderContext c = context;
        if (ours && c != null) {
            boolean running = c.cancel("hawkBit cancelled action " + stopId);
            LOG.info("hawkBit: action {} cancelled by the server ({})", stopId,
                    running ? "its check or validation stopped, or its validated package withdrawn"
                            : "nothing of it was running or waiting");
            c.offerMayHaveChanged(); // a check shows what the server assigns now
        }
        synchronized (lock) {
            answer(stopId, Ddi.feedback("closed", "success", null, null,
                    ours ? "cancelled on the gateway" : "nothing of this action runs on the gateway", now()));
        }
    }

    /** Records the answer to cancelAction {@code stopId}, sent by {@link #flush}. Under lock. */
    private void answer(String stopId, JsonNode feedback) {
        state.cancelId = stopId;
        state.cancelFeedback = feedback;
        save();
    }

    private void deployment(URI base, Ddi.Root root) throws IOException, InterruptedException, ServerTrouble {
        ProviderContext c = context;
        if (root.deploymentBase() == null && root.cancelAction() == null) {
            String dropped = null;
            synchronized (lock) {
                if (state.open() && state.deployment != null) {
                    dropped = state.actionId;
                    LOG.info("hawkBit: the server no longer lists action {}; dropping it", dropped);
                    state.finished = true;
                    save();
                }
            }
            if (dropped != null && c != null) {
                c.cancel("hawkBit no longer lists action " + dropped);
                c.offerMayHaveChanged();
            }
            return;
        }
        if (root.deploymentBase() == null) {
            return; // a cancellation is pending instead
        }
        String href = root.deploymentBase().toString();
        boolean again;
        boolean unchanged;
        synchronized (lock) {
            again = state.open() && forcedDownloadPending();
            unchanged = href.equals(state.href) && state.deployment != null || href.equals(badHref);
        }
        if (unchanged) {
            if (again && c != null) {
                c.offerMayHaveChanged(); // a forced download after a restart or a failed transfer: again
            }
            return;
        }
        DdiClient.Response r = client.get(root.deploymentBase(), null);
        if (r.status() != 200) {
            throw trouble("GET " + root.deploymentBase(), r);
        }
        JsonNode doc;
        Ddi.Deployment d;
        try {
            doc = Ddi.parse(r.body(), "deploymentBase");
            d = Ddi.deployment(doc, base);
        } catch (Ddi.Invalid e) {
            badHref = href;
            LOG.error("hawkBit: deployment {} unusable: {}", href, e.getMessage());
            status = "deployment " + href + " unusable: " + e.getMessage();
            return;
        }
        boolean changed;
        synchronized (lock) {
            boolean fresh = !d.actionId().equals(state.actionId);
            if (fresh) {
                if (state.open()) {
                    LOG.info("hawkBit: action {} replaced by action {}", state.actionId, d.actionId());
                }
                state.begin(d.actionId());
                LOG.info("hawkBit: new action {} (download {}, update {}, maintenance window {})", d.actionId(),
                        d.download(), d.update(), d.windowAvailable() == null ? "none"
                                : d.windowAvailable() ? "available" : "unavailable");
            } else if (!state.open()) {
                state.href = href;
                save();
                return;
            }
            Ddi.Deployment before = null;
            try {
                before = state.deployment == null ? null : Ddi.deployment(state.deployment, base);
            } catch (Ddi.Invalid e) {
                // an earlier copy that no longer parses counts as a change
            }
            changed = before == null || before.download() != d.download() || before.update() != d.update()
                    || !Objects.equals(before.windowAvailable(), d.windowAvailable())
                    || !before.artifacts().equals(d.artifacts());
            state.href = href;
            state.deployment = doc;
            if (fresh && d.download() == Ddi.Handling.SKIP) {
                queue.add(new Pending(d.actionId(), "scheduled", Ddi.feedback("scheduled", "none", null, null,
                        "the server asks to skip the download for now", now()), false));
            }
            save();
            status = "action " + d.actionId() + ": download " + d.download() + ", update " + d.update();
        }
        if (changed && d.download() != Ddi.Handling.SKIP && c != null) {
            c.offerMayHaveChanged();
        }
    }

    /** A forced download of the open action that has not completed (under lock). */
    private boolean forcedDownloadPending() {
        if (state.downloadedSent || state.deployment == null) {
            return false;
        }
        return "forced".equals(state.deployment.path("deployment").path("download").asText())
                || "forced".equals(state.deployment.path("deployment").path("update").asText());
    }

    @Override
    public void attach(ProviderContext context) {
        this.context = context;
    }

    @Override
    public Optional<UpdateOffer> offer(OfferRequest request) throws UpdateException {
        synchronized (lock) {
            if (!state.open() || state.deployment == null) {
                return Optional.empty();
            }
            Ddi.Deployment d;
            Ddi.Artifact a;
            SemanticVersion v;
            try {
                d = Ddi.deployment(state.deployment, settings.server());
                if (d.download() == Ddi.Handling.SKIP) {
                    return Optional.empty();
                }
                a = Ddi.packageArtifact(d);
                try {
                    v = SemanticVersion.parse(a.version());
                } catch (IllegalArgumentException e) {
                    throw new Ddi.Invalid("chunk " + a.chunk() + ": " + e.getMessage()
                            + " (the software module's version must be the package's)");
                }
            } catch (Ddi.Invalid e) {
                finish(false, UpdateResult.VALIDATION_FAILURE, "unusable deployment: " + e.getMessage());
                return Optional.empty();
            }
            SemanticVersion running;
            try {
                running = SemanticVersion.parse(request.runningVersion());
            } catch (IllegalArgumentException e) {
                throw new UpdateException(UpdateResult.VALIDATION_FAILURE, "running version: " + e.getMessage());
            }
            if (v.compareTo(running) == 0) {
                finish(true, UpdateResult.SUCCESS, "the gateway already runs " + v);
                return Optional.empty();
            }
            if (v.compareTo(running) < 0) {
                finish(false, UpdateResult.VALIDATION_FAILURE, "downgrade refused: the gateway runs " + running
                        + ", the deployment has " + v);
                return Optional.empty();
            }
            if (request.wasRefused(v.toString(), a.sha256())) {
                finish(false, UpdateResult.VALIDATION_FAILURE, "package " + v + " (sha256 " + a.sha256()
                        + ") was refused before on this gateway");
                return Optional.empty();
            }
            UpdateOffer offer = UpdateOffer.builder(v.toString(), a.link()).size(a.size()).sha256(a.sha256())
                    .reference(d.actionId()).forceValidate(d.download() == Ddi.Handling.FORCED)
                    .forceInstall(d.update() == Ddi.Handling.FORCED)
                    .installAllowed(!Boolean.FALSE.equals(d.windowAvailable()) && d.update() != Ddi.Handling.SKIP)
                    .description(v + " (hawkBit action " + d.actionId() + ", " + a.filename() + ")").build();
            if (!state.proceedingSent) {
                state.proceedingSent = true;
                queue.add(new Pending(d.actionId(), "proceeding", Ddi.feedback("proceeding", "none", null, null,
                        "the gateway found " + v + " (" + a.filename() + ")", now()), false));
                save();
                flushSoon();
            }
            status = "action " + d.actionId() + ": offering " + offer.description();
            return Optional.of(offer);
        }
    }

    /** Ends the open action with a final feedback, sent (and retried) by the poll thread. Under lock. */
    private void finish(boolean success, UpdateResult result, String reason) {
        LOG.info("hawkBit: action {} ends with {}: {}", state.actionId, success ? "success" : "failure " + result,
                reason);
        state.closing = Ddi.feedback("closed", success ? "success" : "failure", null,
                success ? null : result.code(), reason, now());
        status = "action " + state.actionId + " " + (success ? "succeeded" : "failed") + ": " + reason;
        save();
        flushSoon();
    }

    @Override
    public void fetch(FetchRequest request) throws UpdateException {
        UpdateOffer offer = request.offer();
        String id = offer.reference();
        synchronized (lock) {
            if (id == null || !id.equals(state.actionId) || !state.open()) {
                throw new UpdateException(UpdateResult.IDLE, "hawkBit action " + id + " is no longer open");
            }
            if (!state.downloadSent) {
                state.downloadSent = true;
                queue.add(new Pending(id, "download", Ddi.feedback("download", "none", null, null,
                        "downloading " + offer.location(), now()), false));
                save();
                flushSoon();
            }
        }
        String last = "no attempt";
        for (int attempt = 1; attempt <= DOWNLOAD_ATTEMPTS; attempt++) {
            if (attempt > 1) {
                pause(Duration.ofMillis(500L << (attempt - 2)), request);
            }
            try {
                download(request);
                synchronized (lock) {
                    if (id.equals(state.actionId) && !state.downloadedSent) {
                        state.downloadedSent = true;
                        queue.add(new Pending(id, "downloaded", Ddi.feedback("downloaded", "none", new int[] {100,
                                100}, null, "downloaded and SHA-256 checked", now()), false));
                        save();
                    }
                }
                flushSoon();
                status = "action " + id + ": downloaded " + offer.version();
                return;
            } catch (Transient e) {
                last = e.getMessage();
                LOG.info("hawkBit: download of {} attempt {} of {}: {}", offer.location(), attempt,
                        DOWNLOAD_ATTEMPTS, last);
            }
        }
        throw new UpdateException(UpdateResult.CONNECTION_FAILURE, "cannot download " + offer.location() + ": "
                + last);
    }

    private void download(FetchRequest request) throws UpdateException, Transient {
        UpdateOffer offer = request.offer();
        URI uri = offer.location();
        long size = offer.size();
        try (FileChannel out = FileChannel.open(request.target(), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            long have = out.size();
            if (have > size) {
                out.truncate(0);
                have = 0;
            }
            if (have == size) {
                if (HexFormat.of().formatHex(sha256(out, size).digest()).equals(offer.sha256())) {
                    return; // complete from an earlier run
                }
                out.truncate(0);
                have = 0;
            }
            Map<String, String> headers = new HashMap<>();
            String etag;
            synchronized (lock) {
                etag = state.downloadEtag;
            }
            if (have > 0) {
                headers.put("Range", "bytes=" + have + "-");
                if (etag != null) {
                    headers.put("If-Range", etag);
                }
            }
            String sha;
            HttpResponse<InputStream> r = client.download(uri, headers);
            try (InputStream in = r.body()) {
                int st = r.statusCode();
                long start;
                if (st == 200) {
                    start = 0;
                } else if (st == 206) {
                    Matcher m = CONTENT_RANGE.matcher(r.headers().firstValue("Content-Range").orElse(""));
                    if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                        out.truncate(0);
                        throw new Transient("the server answered another range than bytes=" + have + "-");
                    }
                    start = have;
                    LOG.info("hawkBit: resuming {} at byte {} of {}", uri, have, size);
                } else if (st == 416) {
                    out.truncate(0);
                    throw new Transient("the server refused the range bytes=" + have + "-: starting over");
                } else if (st == 429 || st >= 500) {
                    throw new Transient(uri + " answered " + st);
                } else if (st == 404) {
                    throw new UpdateException(UpdateResult.CONNECTION_FAILURE, uri + " not found (404): the "
                            + "server no longer serves the artifact (action closed?)");
                } else {
                    throw new UpdateException(UpdateResult.CONNECTION_FAILURE, uri + " answered " + st);
                }
                String tag = r.headers().firstValue("ETag").orElse(null);
                synchronized (lock) {
                    if (!Objects.equals(tag, state.downloadEtag)) {
                        state.downloadEtag = tag; // for If-Range after a restart
                        save();
                    }
                }
                out.truncate(start);
                out.position(start);
                // one pass: the bytes kept from before are hashed first, the new ones as they are written
                MessageDigest md = sha256(out, start);
                long got = copy(in, out, start, size, request, md);
                if (got < size) {
                    throw new Transient("the connection ended at byte " + got + " of " + size);
                }
                sha = HexFormat.of().formatHex(md.digest());
            }
            out.force(true);
            if (!sha.equals(offer.sha256())) {
                out.truncate(0);
                throw new UpdateException(UpdateResult.VALIDATION_FAILURE, "the download's SHA-256 " + sha
                        + " differs from the deployment's " + offer.sha256());
            }
            LOG.info("hawkBit: downloaded {} ({} bytes) to {}", uri, size, request.target());
        } catch (FileSystemException e) {
            throw new UpdateException(UpdateResult.NOT_ENOUGH_FLASH, "cannot write " + request.target() + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpdateException(UpdateResult.IDLE, "cancelled");
        } catch (IOException e) {
            if (request.isCancelled()) {
                throw new UpdateException(UpdateResult.IDLE, "cancelled");
            }
            throw new Transient(reason(e));
        }
    }

    /**
     * Copies the body to the file, refusing bytes beyond {@code size}; a watchdog closes the stream when no byte comes
     * within the read timeout or the action is cancelled (a blocked read then fails).
     */
    private long copy(InputStream in, FileChannel out, long start, long size, FetchRequest request,
            MessageDigest md) throws IOException, UpdateException {
        long[] last = {System.nanoTime()};
        long stall = settings.readTimeout().toNanos();
        ScheduledFuture<?> watchdog = WATCHDOG.scheduleWithFixedDelay(() -> {
            if (request.isCancelled() || System.nanoTime() - last[0] > stall) {
                try {
                    in.close();
                } catch (IOException e) {
                    // closing is all we can do
                }
            }
        }, 200, 200, TimeUnit.MILLISECONDS);
        try {
            byte[] buf = new byte[64 * 1024];
            long pos = start;
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    return pos;
                }
                last[0] = System.nanoTime();
                if (pos + n > size) {
                    throw new UpdateException(UpdateResult.VALIDATION_FAILURE, request.offer().location()
                            + " sent more than the deployment's " + size + " bytes");
                }
                md.update(buf, 0, n);
                ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                while (b.hasRemaining()) {
                    out.write(b);
                }
                pos += n;
                request.progress(pos, size);
                progress(request.offer().reference(), pos, size);
                if (request.isCancelled()) {
                    throw new UpdateException(UpdateResult.IDLE, "cancelled");
                }
            }
        } finally {
            watchdog.cancel(false);
        }
    }

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ocf-hawkbit-watchdog");
        t.setDaemon(true);
        return t;
    });

    /** Progress feedback, percent as {cnt, of}, at most once per {@link Settings#PROGRESS_INTERVAL}. */
    private void progress(String id, long bytes, long size) {
        long now = System.nanoTime();
        synchronized (lock) {
            if (lastProgress != Long.MIN_VALUE && now - lastProgress < Settings.PROGRESS_INTERVAL.toNanos()
                    || bytes >= size) {
                return;
            }
            lastProgress = now;
            queue.removeIf(p -> p.progress() && p.actionId().equals(id)); // only the newest matters
            int percent = (int) (bytes * 100 / size);
            queue.add(new Pending(id, "progress", Ddi.feedback("proceeding", "none", new int[] {percent, 100}, null,
                    "downloaded " + bytes + " of " + size + " bytes", now()), true));
        }
        flushSoon();
    }

    /** A SHA-256 digest over the first {@code size} bytes of the file, to be continued. */
    static MessageDigest sha256(FileChannel in, long size) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer b = ByteBuffer.allocate(1 << 20);
        long pos = 0;
        while (pos < size) {
            b.clear();
            int n = in.read(b, pos);
            if (n < 0) {
                break;
            }
            b.flip();
            md.update(b);
            pos += n;
        }
        return md;
    }

    private static void pause(Duration d, FetchRequest request) throws UpdateException {
        long end = System.nanoTime() + d.toNanos();
        try {
            while (System.nanoTime() < end) {
                if (request.isCancelled()) {
                    throw new UpdateException(UpdateResult.IDLE, "cancelled");
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpdateException(UpdateResult.IDLE, "cancelled");
        }
    }

    @Override
    public void completed(UpdateOutcome outcome) {
        try {
            UpdateOffer offer = outcome.offer();
            String id = offer == null ? null : offer.reference();
            synchronized (lock) {
                if (id == null || !id.equals(state.actionId) || !state.open()) {
                    LOG.debug("hawkBit: outcome {} not for an open action of ours", outcome);
                    return; // another provider's, or told again after a restart
                }
                switch (outcome.action()) {
                    case CHECK -> {
                        return; // offer() reported the deployments it could not use
                    }
                    case VALIDATE -> {
                        if (outcome.succeeded()) {
                            status = "action " + id + ": " + offer.version() + " validated";
                            return;
                        }
                        if (outcome.result() == UpdateResult.IDLE || outcome.result()
                                == UpdateResult.CONNECTION_FAILURE) {
                            if (id.equals(cancelledByServer)) {
                                return;
                            }
                            // transient: the action stays open (a forced one is tried again at the next poll)
                            queue.add(new Pending(id, "proceeding", Ddi.feedback("proceeding", "none", null, null,
                                    (outcome.result() == UpdateResult.IDLE ? "validation cancelled on the gateway: "
                                            : "download failed, to be tried again: ") + outcome.reason(), now()),
                                    false));
                            state.downloadedSent = false;
                            save();
                            flushSoon();
                            return;
                        }
                        finish(false, outcome.result(), outcome.reason());
                    }
                    case INSTALL -> {
                        if (outcome.succeeded()) {
                            state.reportedVersion = offer.version(); // the closed success tells the server
                        }
                        finish(outcome.succeeded(), outcome.result(), outcome.reason());
                    }
                    default -> LOG.warn("hawkBit: unknown outcome {}", outcome);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("hawkBit: cannot handle the outcome {}", outcome, e); // never throw into the engine
        }
    }

    private void save() {
        try {
            state.save(settings.dataDir());
        } catch (IOException e) {
            LOG.error("hawkBit: cannot save {} ({}); a restart may repeat feedback",
                    settings.dataDir().resolve(State.FILE), e.toString());
        }
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    static String reason(IOException e) {
        Throwable t = e;
        while (t.getMessage() == null && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (e instanceof java.net.ConnectException) {
            return "connection refused or timed out";
        }
        if (e instanceof javax.net.ssl.SSLHandshakeException || e.getCause() instanceof javax.net.ssl
                .SSLHandshakeException) {
            return "TLS handshake failed (server certificate not trusted? set caFile): " + e.getMessage();
        }
        return t.getMessage() == null ? t.toString() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    @Override
    public String status() {
        return status;
    }

    /** For tests: the persisted state's action id and whether it is over. */
    String actionId() {
        synchronized (lock) {
            return state.actionId;
        }
    }
}
