package org.ocfupdate.update.engine.internal;

import org.ocfupdate.pstat.api.provider.SemanticVersion;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Set;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.ocfupdate.pstat.api.CoapEndpoints;
import org.ocfupdate.pstat.api.ProviderInfo;
import org.ocfupdate.pstat.api.TrustedKey;
import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.provider.FetchRequest;
import org.ocfupdate.pstat.api.provider.OfferRequest;
import org.ocfupdate.pstat.api.provider.ProviderContext;
import org.ocfupdate.pstat.api.provider.UpdateOutcome;
import org.ocfupdate.pstat.api.provider.UpdateException;
import org.ocfupdate.pstat.api.provider.UpdateOffer;
import org.ocfupdate.pstat.api.provider.UpdateProvider;
import org.ocfupdate.update.engine.internal.pkg.PackageException;
import org.ocfupdate.update.engine.internal.pkg.PackageVerifier;
import org.ocfupdate.gateway.support.GatewayHome;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The update engine: asks the provider in use (highest {@code service.ranking}, ties to the longest registered)
 * for an offer, has it fetch into {@code data/staging/}, verifies the package against the trusted keys, and
 * installs it through the {@link Installer}. Providers come and go at runtime; an action whose provider goes
 * away fails with result 4.
 */
// the update state machine's configuration (docs/operator-contract.md); its metatype is UpdateMachineComponent.Config
@Component(service = Engine.class, configurationPid = UpdateEngine.PID)
public class UpdateEngine implements Engine {
    static final String PID = "org.ocfupdate.pstat";

    /** What the engine reads of {@link #PID}. */
    public @interface Config {
        /** The provider.name of the provider to use while it is present; empty: the highest service.ranking. */
        String preferredProvider() default "";
    }

    private static final Logger LOG = LoggerFactory.getLogger(UpdateEngine.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long HEALTH_TIMEOUT_MS = 30_000;
    /** Free space kept beyond a package's size when fetching it. */
    private static final long SPACE_MARGIN = 16L << 20;

    /** A provider with its service properties, in the order the engine prefers them. */
    record Bound(UpdateProvider provider, int ranking, long serviceId, String name) {
    }

    private final TrustKeys trust;
    private final History history;
    private final Path staging;
    private final Installer installer;
    private final List<Bound> providers = new CopyOnWriteArrayList<>();
    private final Outcomes outcomes;
    /** Tells providers outcomes and passes their news on, off the callers' threads (SPI 2: calls return at once). */
    private final ExecutorService news = Executors.newSingleThreadExecutor(r -> new Thread(r, "ocf-provider-news"));
    private volatile Listener listener;
    /** Providers whose news came before the state machine listened (at the gateway's start). */
    private final Set<String> earlyNews = ConcurrentHashMap.newKeySet();
    private volatile String preferred = "";
    /** The system bundle's context: still valid while this bundle is being updated by its own installation. */
    private final BundleContext system;

    @Activate
    public UpdateEngine(BundleContext context, @Reference TrustKeys trust, @Reference History history, Config config)
            throws IOException {
        this.history = history;
        this.preferred = config.preferredProvider().trim();
        this.system = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).getBundleContext();
        this.trust = trust;
        Path data = GatewayHome.data(context);
        this.staging = Files.createDirectories(data.resolve("staging"));
        this.installer = new Installer(context, data, this::healthy, HEALTH_TIMEOUT_MS, UpdateEngine::exitUnhealthy);
        this.outcomes = new Outcomes(data.resolve("history"));
        // An installation still running in this JVM (this bundle was just updated by it) is left alone. One that the
        // process did not finish is rolled back on a thread of its own, like an installation: the rollback may
        // update this very bundle, which must never happen inside its activation. The state machine waits for its
        // outcome through the Handover, as for an installation that updated it.
        Handover handover = Handover.of(context);
        if (handover.running().isEmpty() && installer.interrupted().isPresent()) {
            CompletableFuture<UpdateOutcome> lock = handover.begin();
            Instant began = Instant.now();
            new Thread(() -> {
                UpdateResult result = UpdateResult.UPGRADE_FAILURE;
                String reason;
                try {
                    awaitFrameworkStarted();
                    reason = installer.recover().map(v -> "the installation of " + v
                            + " was interrupted by a restart and rolled back")
                            .orElse("the installation was interrupted by a restart");
                } catch (Throwable t) {
                    LOG.error("Rolling back the interrupted installation failed", t);
                    reason = "rolling back the interrupted installation failed: " + t;
                }
                handover.end(lock, new UpdateOutcome(UpdateOutcome.Action.INSTALL, null, result, reason, began,
                        Duration.between(began, Instant.now())));
            }, "ocf-installer").start();
        }
    }

    /**
     * The rollback at start waits until the framework has started every bundle: updating a bundle while other
     * bundles are still starting and creating its services ends in SCR cycles (a failed first start).
     */
    private void awaitFrameworkStarted() throws InterruptedException {
        Bundle framework = system.getBundle();
        for (int i = 0; i < 1200 && framework.getState() != Bundle.ACTIVE; i++) {
            Thread.sleep(50);
        }
    }

    /**
     * A rollback did not make the gateway healthy (a broken framework bundle such as SCR that a refresh cannot
     * mend): in gateway.jar the process exits with status 1 so that the service manager restarts it, and the next
     * start rolls back again in a fresh framework (the journal is kept). Elsewhere (tests) it goes on.
     */
    static boolean exitUnhealthy() {
        if (!Boolean.getBoolean("gateway.exitOnFailure")) {
            return false;
        }
        System.err.println("gateway: not healthy after rolling back an installation; exiting so that the service manager"
                + " restarts it (the next start finishes the rollback)");
        System.setProperty("gateway.exitStatus", "1");
        new Thread(() -> System.exit(1), "ocf-exit").start();
        return true;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, updated = "updatedProvider")
    void addProvider(UpdateProvider provider, Map<String, Object> props) {
        Bound b = bound(provider, props);
        Context context = new Context(b);
        try {
            provider.attach(context);
        } catch (Throwable e) { // a provider's mistake must not keep it (or others) from binding
            LOG.warn("Update provider {} failed to attach", b.name(), e);
        }
        providers.add(b);
        LOG.info("Update provider {} (ranking {}) available", b.name(), b.ranking());
        context.bound();
        deliver(b.name());
    }

    /** What a provider may ask of the engine (SPI 2); ignored once it is unbound. */
    private final class Context implements ProviderContext {
        private final Bound bound;
        /** False while attach runs (the provider is not in the list yet); news told then is passed on after. */
        private volatile boolean live;
        private volatile boolean newsWhileAttaching;

        Context(Bound bound) {
            this.bound = bound;
        }

        void bound() {
            live = true;
            if (newsWhileAttaching) {
                offerMayHaveChanged();
            }
        }

        @Override
        public void offerMayHaveChanged() {
            if (!live) {
                newsWhileAttaching = true;
                return;
            }
            if (gone(bound)) {
                return;
            }
            news(() -> {
                Optional<Bound> inUse = sortedProviders().stream().findFirst();
                if (inUse.isEmpty() || inUse.get().provider() != bound.provider()) {
                    LOG.info("Provider {} saw news; not in use, no check", bound.name());
                    return;
                }
                Listener l = listener;
                if (l == null) {
                    earlyNews.add(bound.name()); // told when the state machine listens
                } else {
                    l.offerMayHaveChanged(bound.name());
                }
            });
        }

        @Override
        public boolean cancel(String reason) {
            Listener l = listener;
            return !gone(bound) && l != null && l.cancel(bound.name(), String.valueOf(reason));
        }
    }

    private void news(Runnable r) {
        try {
            news.execute(() -> {
                try {
                    r.run();
                } catch (Throwable e) {
                    LOG.warn("Telling an update provider failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // deactivated
        }
    }

    @Deactivate
    void deactivate() {
        news.shutdown();
    }

    @Modified
    void modified(Config config) {
        String before = preferred;
        preferred = config.preferredProvider().trim();
        if (!before.equals(preferred)) {
            LOG.info("Preferred update provider: {}", preferred.isEmpty() ? "none (the highest service.ranking)"
                    : preferred);
        }
    }

    @Override
    public void listen(Listener l) {
        listener = l;
        if (l != null) {
            news(() -> {
                for (String name : List.copyOf(earlyNews)) {
                    earlyNews.remove(name);
                    if (sortedProviders().stream().findFirst().filter(b -> b.name().equals(name)).isPresent()) {
                        l.offerMayHaveChanged(name);
                    }
                }
            });
        }
    }

    @Override
    public void completed(String provider, UpdateOutcome outcome) {
        news(() -> tell(provider, outcome));
    }

    @Override
    public void installing(Staged staged, Instant started) {
        outcomes.installing(staged.provider(), staged.toOffer(), started);
    }

    @Override
    public void installed(UpdateResult result, String reason) {
        if (outcomes.ended(result, reason, Instant.now())) {
            for (Bound b : providers) {
                deliver(b.name());
            }
        }
    }

    /** Tells the bound provider named {@code name} the installation outcomes it has not heard yet. */
    private void deliver(String name) {
        news(() -> {
            for (Outcomes.Pending p : outcomes.undelivered(name)) {
                if (tell(name, p.outcome())) {
                    outcomes.delivered(p);
                }
            }
        });
    }

    /** True when the provider is bound and heard it. */
    private boolean tell(String name, UpdateOutcome outcome) {
        Optional<Bound> b = providers.stream().filter(p -> p.name().equals(name)).findFirst();
        if (b.isEmpty()) {
            return false;
        }
        try {
            b.get().provider().completed(outcome);
            LOG.info("Told provider {}: {} {} ended with result {} ({})", name, outcome.action(),
                    outcome.offer() == null ? "" : outcome.offer().version(), outcome.result().code(), outcome.reason());
        } catch (Throwable e) { // told: a provider that fails to take it would fail again
            LOG.warn("Update provider {} failed to take an outcome", name, e);
        }
        return true;
    }

    /** A provider's properties changed (e.g. its ranking, from the console or an etc/ file): re-sort at once. */
    void updatedProvider(UpdateProvider provider, Map<String, Object> props) {
        Bound b = bound(provider, props);
        providers.replaceAll(x -> x.provider() == provider ? b : x);
        LOG.info("Update provider {} now ranks {}", b.name(), b.ranking());
    }

    void removeProvider(UpdateProvider provider) {
        providers.removeIf(b -> b.provider() == provider);
        LOG.info("Update provider {} gone", provider.getClass().getSimpleName());
    }

    private static Bound bound(UpdateProvider provider, Map<String, Object> props) {
        long id = (Long) props.get(Constants.SERVICE_ID);
        Object name = props.getOrDefault("provider.name", provider.getClass().getSimpleName());
        return new Bound(provider, ranking(props.get(Constants.SERVICE_RANKING)), id, String.valueOf(name));
    }

    /** {@code service.ranking} as an Integer, any Number, or text (FileInstall passes "10" from a .cfg line). */
    static int ranking(Object value) {
        if (value instanceof Number n) {
            return n.intValue();
        }
        if (value instanceof String s) {
            try {
                return Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                LOG.warn("service.ranking '{}' is not a number; 0 is used", s);
            }
        }
        return 0;
    }

    private boolean gone(Bound b) {
        return providers.stream().noneMatch(p -> p.provider() == b.provider());
    }

    @Override
    public List<ProviderInfo> providers() {
        List<Bound> sorted = sortedProviders();
        List<ProviderInfo> infos = new java.util.ArrayList<>();
        for (Bound b : sorted) {
            String status;
            try {
                status = b.provider().status();
            } catch (RuntimeException e) {
                status = "status unavailable: " + e.getMessage(); // e.g. its bundle is stopping
            }
            infos.add(new ProviderInfo(b.name(), b.ranking(), b.serviceId(), status, infos.isEmpty()));
        }
        return infos;
    }

    @Override
    public List<TrustedKey> trustedKeys() {
        return trust.keys().stream().map(k -> new TrustedKey(k.file().toString(), algorithm(k.key()),
                java.util.HexFormat.of().formatHex(PackageVerifier.sha256Digest().digest(k.key().getEncoded()))))
                .toList();
    }

    private static String algorithm(java.security.PublicKey key) {
        return switch (key.getAlgorithm()) {
            case "EC" -> "ECDSA P-256";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> key.getAlgorithm();
        };
    }

    /** The providers, the one in use first. */
    List<Bound> sortedProviders() {
        String p = preferred;
        return providers.stream().sorted(Comparator.comparing((Bound b) -> !b.name().equals(p))
                .thenComparing(Comparator.comparingInt(Bound::ranking).reversed())
                .thenComparingLong(Bound::serviceId)).toList();
    }

    @Override
    public Optional<Offer> check(Job job) throws UpdateException {
        Bound b = sortedProviders().stream().findFirst()
                .orElseThrow(() -> new UpdateException(UpdateResult.IDLE, "no update provider is available"));
        job.provider(b.name());
        SemanticVersion running = SemanticVersion.parse(job.runningVersion());
        job.step("asking " + b.name() + " for a newer version");
        Optional<UpdateOffer> offer = b.provider().offer(new OfferRequest() {
            @Override
            public String runningVersion() {
                return job.runningVersion();
            }

            @Override
            public Optional<URI> location() {
                return job.location();
            }

            @Override
            public boolean wasRefused(String version, String sha256) {
                return history.wasRefused(version, sha256);
            }

            @Override
            public boolean isCancelled() {
                return job.isCancelled() || gone(b);
            }

            @Override
            public void verify(byte[] data, byte[] signature) throws UpdateException {
                // trust stays here: the provider's metadata is checked with the same keys as packages
                if (trust.publicKeys().stream().noneMatch(k -> org.ocfupdate.gateway.support.Keys.verify(k, data,
                        signature))) {
                    throw new UpdateException(UpdateResult.VALIDATION_FAILURE, trust.publicKeys().isEmpty()
                            ? "no trusted signing key is configured (org.ocfupdate.trust keys)"
                            : "signature not made by a trusted key");
                }
            }
        });
        if (gone(b)) {
            throw new UpdateException(UpdateResult.CONNECTION_FAILURE, "provider " + b.name() + " went away");
        }
        if (offer.isEmpty()) {
            return Optional.empty();
        }
        if (history.wasRefused(offer.get().version(), offer.get().sha256())) {
            // a package refused once is not downloaded again, even from a provider that offers it anyway
            LOG.info("{} offers {}, which was refused before; ignored", b.name(), offer.get().version());
            return Optional.empty();
        }
        try {
            if (SemanticVersion.parse(offer.get().version()).compareTo(running) <= 0) {
                LOG.info("{} offers {}, not newer than {}", b.name(), offer.get().version(), running);
                return Optional.empty();
            }
        } catch (IllegalArgumentException e) {
            throw new UpdateException(UpdateResult.VALIDATION_FAILURE, b.name() + " offers an invalid version: "
                    + e.getMessage());
        }
        return Optional.of(new Offer(offer.get(), b.name()));
    }

    @Override
    public Staged validate(Offer offer, Job job) throws UpdateException {
        Bound b = sortedProviders().stream().filter(p -> p.name().equals(offer.provider())).findFirst()
                .orElseThrow(() -> new UpdateException(UpdateResult.CONNECTION_FAILURE,
                        "provider " + offer.provider() + " went away"));
        UpdateOffer o = offer.offer();
        Path part = staging.resolve("package.zip.part");
        try {
            long usable = usableSpace();
            if (o.size() > 0 && o.size() + SPACE_MARGIN > usable) {
                throw new UpdateException(UpdateResult.NOT_ENOUGH_FLASH, "package of " + o.size()
                        + " bytes does not fit in " + usable + " bytes free under " + staging);
            }
        } catch (IOException e) {
            throw new UpdateException(UpdateResult.NOT_ENOUGH_FLASH, "cannot read free space: " + e.getMessage());
        }
        String sha = null;
        try {
            job.step("fetching " + o.version() + " from " + b.name());
            b.provider().fetch(new FetchRequest() {
                @Override
                public UpdateOffer offer() {
                    return o;
                }

                @Override
                public Path target() {
                    return part;
                }

                @Override
                public void progress(long bytes, long total) {
                    job.progress(bytes, total);
                }

                // a provider that goes away (its bundle stopped, its configuration removed) is told to stop at once
                @Override
                public boolean isCancelled() {
                    return job.isCancelled() || gone(b);
                }
            });
            if (gone(b)) {
                throw new UpdateException(UpdateResult.CONNECTION_FAILURE, "provider " + b.name()
                        + " went away during the transfer");
            }
            if (job.isCancelled()) {
                throw new UpdateException(UpdateResult.IDLE, "cancelled");
            }
            job.step("verifying signature and digests");
            if (o.size() >= 0 && Files.size(part) != o.size()) {
                throw new UpdateException(UpdateResult.VALIDATION_FAILURE, "the package has " + Files.size(part)
                        + " bytes, the offer declared " + o.size());
            }
            // the whole file is hashed only when the offer declared a digest (an HTTP descriptor): the
            // verification below reads every artifact anyway, and one pass less is a third of the time
            if (o.sha256() != null) {
                sha = sha256(part);
                if (!o.sha256().equals(sha)) {
                    throw new UpdateException(UpdateResult.VALIDATION_FAILURE,
                            "the package's SHA-256 differs from the offer's");
                }
            }
            PackageVerifier.Verified v = PackageVerifier.verify(part, trust.publicKeys(),
                    SemanticVersion.parse(job.runningVersion()));
            if (!v.manifest().version().toString().equals(o.version())) {
                throw new UpdateException(UpdateResult.VALIDATION_FAILURE, "the package is version "
                        + v.manifest().version() + ", the offer said " + o.version());
            }
            checkRoomToInstall(v.manifest());
            Path file = staging.resolve("package.zip");
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Staged staged = new Staged(file, o.version(), sha, b.name()).with(o);
            Files.write(staging.resolve("staged.json"), JSON.writeValueAsBytes(staged));
            return staged;
        } catch (PackageException e) {
            // the package itself is bad: remembered, by version and digest, and not fetched again. A transfer
            // that went wrong (sizes, a medium changing under us) is not the package's fault and is not.
            refuse(o, sha != null ? sha : digestOrNull(part), e.result());
            throw new UpdateException(UpdateResult.of(e.result()), e.getMessage());
        } catch (IOException e) {
            throw new UpdateException(UpdateResult.NOT_ENOUGH_FLASH, "staging failed: " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(part);
            } catch (IOException e) {
                LOG.warn("Cannot delete {}: {}", part, e.getMessage());
            }
        }
    }

    /**
     * The installation writes each artifact twice (the extracted copy in {@code data/install/work}, then the installed
     * bundle or file) besides the backups of what it replaces: a package whose declared sizes do not fit is refused
     * before it is offered as available (result 3), not half-way through its installation. The sizes are signed and
     * enforced while reading, so a zip bomb cannot understate them.
     */
    private void checkRoomToInstall(org.ocfupdate.update.engine.internal.pkg.Manifest m) throws IOException, UpdateException {
        long expanded = 0;
        for (var a : m.artifacts()) {
            expanded = saturatedAdd(expanded, a.size());
        }
        long need = saturatedAdd(saturatedAdd(expanded, expanded), SPACE_MARGIN);
        long usable = usableSpace();
        if (need > usable) {
            throw new UpdateException(UpdateResult.NOT_ENOUGH_FLASH, "installing " + m.version() + " needs " + need
                    + " bytes (twice its " + expanded + " bytes of artifacts, and 16 MiB), " + usable + " are free under "
                    + staging.getParent());
        }
    }

    /**
     * The bytes free for this process under {@code staging}: one statvfs. {@code Files.getFileStore} reads and matches
     * the mount table first, 2.5 ms of the 17 ms from {@code tm} 64 to {@code cm} 320 (docs/benchmarks.md).
     */
    private long usableSpace() throws IOException {
        long usable = staging.toFile().getUsableSpace();
        if (usable == 0 && !Files.isDirectory(staging)) { // File answers 0 for a path it cannot read
            throw new IOException(staging + " is not a readable folder");
        }
        return usable;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    /** A package that failed validation is remembered (version and digest) and not fetched again. */
    private void refuse(UpdateOffer o, String sha, int result) {
        if (result == UpdateResult.VALIDATION_FAILURE.code()) {
            history.refuse(o.version(), sha);
        }
    }

    private static String digestOrNull(Path file) {
        try {
            return sha256(file);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public String install(Staged staged, java.util.function.Consumer<String> step) throws UpdateException {
        try {
            step.accept("verifying the staged package");
            PackageVerifier.Verified v = PackageVerifier.verify(staged.file(), trust.publicKeys(), null);
            checkRoomToInstall(v.manifest());
            try {
                return installer.install(staged.file(), v.manifest(), step);
            } catch (UpdateException e) {
                if (e.result() == UpdateResult.UPGRADE_FAILURE) {
                    // it failed and was rolled back: remembered like a refused package (version and digest), so
                    // that no provider offers it again and autoInstall does not retry it for ever
                    history.refuse(staged.version(), staged.sha256() != null ? staged.sha256() : digestOrNull(staged.file()));
                }
                throw e;
            }
        } catch (PackageException e) {
            throw new UpdateException(UpdateResult.of(e.result()), e.getMessage());
        } catch (IOException e) {
            throw new UpdateException(UpdateResult.UPGRADE_FAILURE, "cannot read the staged package: " + e.getMessage());
        }
    }

    @Override
    public Optional<Staged> restaged(String runningVersion) {
        try {
            Path meta = staging.resolve("staged.json");
            if (!Files.exists(meta)) {
                return Optional.empty();
            }
            Staged s = JSON.readValue(meta.toFile(), Staged.class);
            PackageVerifier.verify(s.file(), trust.publicKeys(), SemanticVersion.parse(runningVersion));
            if (s.sha256() != null && !sha256(s.file()).equals(s.sha256())) {
                return Optional.empty();
            }
            return Optional.of(s);
        } catch (IOException | PackageException | RuntimeException e) {
            LOG.warn("The staged package is not usable: {}", e.getMessage());
            discard();
            return Optional.empty();
        }
    }

    @Override
    public Optional<String> committedInstallation() {
        return installer.committed();
    }

    @Override
    public void discard() {
        for (String f : List.of("package.zip", "package.zip.part", "staged.json")) {
            try {
                Files.deleteIfExists(staging.resolve(f));
            } catch (IOException e) {
                LOG.warn("Cannot delete {}: {}", staging.resolve(f), e.getMessage());
            }
        }
    }

    /**
     * The health check after an installation: every gateway bundle active, no gateway component failed or missing
     * a reference, and the CoAP server answering {@code /oic/res}.
     */
    boolean healthy() {
        String problem = healthProblem();
        if (problem != null && !problem.equals(lastHealthProblem)) {
            LOG.info("Health check: {}", problem);
        }
        lastHealthProblem = problem;
        return problem == null;
    }

    /** Why the gateway is not healthy yet, or null (logged once per change, so a failed check says why). */
    private volatile String lastHealthProblem;

    private String healthProblem() {
        BundleContext sys = system;
        for (Bundle b : sys.getBundles()) {
            if (b.getSymbolicName() != null && b.getSymbolicName().startsWith("org.ocfupdate.")
                    && b.getHeaders().get(Constants.FRAGMENT_HOST) == null && b.getState() != Bundle.ACTIVE) {
                return "bundle " + b.getSymbolicName() + " is not active";
            }
        }
        var scrRef = sys.getServiceReference(ServiceComponentRuntime.class);
        ServiceComponentRuntime runtime = scrRef == null ? null : sys.getService(scrRef);
        if (runtime == null) {
            return "no Declarative Services runtime";
        }
        try {
            // SCR reads a started bundle's components asynchronously: until it has, the bundle's failures are invisible
            for (Bundle b : sys.getBundles()) {
                if (b.getSymbolicName() != null && b.getSymbolicName().startsWith("org.ocfupdate.")
                        && b.getHeaders().get("Service-Component") != null
                        && runtime.getComponentDescriptionDTOs(b).isEmpty()) {
                    return "the components of " + b.getSymbolicName() + " are not loaded yet";
                }
            }
            for (ComponentDescriptionDTO d : runtime.getComponentDescriptionDTOs()) {
                if (!d.bundle.symbolicName.startsWith("org.ocfupdate.")) {
                    continue;
                }
                var configurations = runtime.getComponentConfigurationDTOs(d);
                if (configurations.isEmpty() && d.defaultEnabled
                        && !"require".equals(d.configurationPolicy)) {
                    return "component " + d.name + " is not enabled yet"; // SCR enables components asynchronously
                }
                for (ComponentConfigurationDTO c : configurations) {
                    if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION
                            || c.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE) {
                        return "component " + d.name + (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION
                                ? " failed to activate" : " misses a reference");
                    }
                }
            }
        } finally {
            sys.ungetService(scrRef);
        }
        var epRef = sys.getServiceReference(CoapEndpoints.class);
        CoapEndpoints eps = epRef == null ? null : sys.getService(epRef);
        if (eps == null) {
            return "no CoAP endpoint";
        }
        try {
            var a = eps.coap();
            String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
            if (host.contains(":")) {
                host = "[" + host + "]";
            }
            CoapClient client = new CoapClient("coap://" + host + ":" + a.getPort() + "/oic/res");
            client.setTimeout(2000L);
            try {
                CoapResponse r = client.get();
                return r != null && r.isSuccess() ? null : "/oic/res does not answer over CoAP";
            } finally {
                client.shutdown();
            }
        } catch (Exception e) {
            return "CoAP probe failed: " + e;
        } finally {
            sys.ungetService(epRef);
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md = PackageVerifier.sha256Digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0;) {
                md.update(buf, 0, n);
            }
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }
}
