package org.ocfupdate.provider.usb.internal;

import org.ocfupdate.pstat.api.provider.SemanticVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.provider.FetchRequest;
import org.ocfupdate.pstat.api.provider.OfferRequest;
import org.ocfupdate.pstat.api.provider.ProviderContext;
import org.ocfupdate.pstat.api.provider.UpdateException;
import org.ocfupdate.pstat.api.provider.UpdateOffer;
import org.ocfupdate.pstat.api.provider.UpdateOutcome;
import org.ocfupdate.pstat.api.provider.UpdateProvider;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Update packages from USB mass-storage media (docs/operator-contract.md: any {@code *.zip} update package in the
 * root of a medium or under {@code ocf-update/} on it; {@link MediaScanner} says what a medium is).
 * <p>
 * Several media or packages: the newest version newer than the running one and not refused before wins; between
 * packages of the same version, the one whose path sorts first. The check reads only each package's
 * {@code manifest.json} (once per file: an unchanged file is not read again); the fetch copies the chosen file into
 * staging. Refusals are keyed by version and digest: only when a package of a version was refused are the files of
 * that version hashed, to tell the refused one from another (a forgery must not hide the genuine package).
 * <p>
 * With {@code checkOnInsert}, a medium appearing (also at the gateway's start, and a mount completing on a folder
 * that was already there) with a package newer than the running version is news told to the engine
 * ({@link ProviderContext#offerMayHaveChanged()}), which starts an availability check when this provider is in use and
 * idle; the provider never writes pstat. The running version is learnt from the engine's last check and from the
 * outcome of an installation; before either, any package with a valid version is news and the engine decides. A restart of this bundle inside the running
 * framework (an installation or a rollback refreshes it) is not a start: the media it knew stay known
 * ({@link SeenMedia}).
 */
// provider.pid: the configuration an operator changes to rank it (the console does)
@Component(configurationPid = UsbProvider.PID, service = UpdateProvider.class,
        property = {"provider.name=usb", "provider.pid=" + UsbProvider.PID})
@Designate(ocd = UsbProvider.Config.class)
public class UsbProvider implements UpdateProvider {
    static final String PID = "org.ocfupdate.provider.usb";
    private static final Logger LOG = LoggerFactory.getLogger(UsbProvider.class);

    @ObjectClassDefinition(name = "OCF update provider: USB",
            description = "Update packages from USB media mounted under the roots (wired update).")
    public @interface Config {
        @AttributeDefinition(description = "Folders where removable media appear, comma-separated: a medium is a "
                + "folder in a root (/media/LABEL, /mnt/usb) or in a user folder of a root (/run/media/USER/LABEL).")
        String roots() default "/media,/run/media,/mnt";

        @AttributeDefinition(description = "Start an availability check (tm 256) when a medium with a newer "
                + "package is inserted (when this provider is in use and no action runs).")
        boolean checkOnInsert() default true;

        @AttributeDefinition(name = "Service ranking", description = "The engine uses the provider with the "
                + "highest ranking.")
        int service_ranking() default 0;
    }

    /** The settings of {@link Config}, also what unit tests construct. */
    record Settings(List<Path> roots, boolean checkOnInsert, Path mountinfo) {
        static Settings of(Config c) {
            List<Path> roots = Arrays.stream(c.roots().split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .map(Path::of).toList();
            return new Settings(roots, c.checkOnInsert(), MountTable.PROC);
        }
    }

    /**
     * Which framework launch this is ({@code org.osgi.framework.uuid}, new at every framework start, unchanged when
     * a bundle is refreshed) and where the media seen in it are kept across restarts of this bundle; NONE: not kept.
     */
    record Launch(String id, Path seenFile) {
        static final Launch NONE = new Launch(null, null);
    }

    private final ManifestReader manifests = new ManifestReader();
    /** Versions of the package files read (empty: not a valid package), so each file is read and reported once. */
    private final Map<MediaScanner.PackageFile, Optional<SemanticVersion>> versions = new ConcurrentHashMap<>();
    /** SHA-256 of package files hashed because a package of their version was refused. */
    private final Map<MediaScanner.PackageFile, String> digests = new ConcurrentHashMap<>();
    /** Package files the engine said were refused (by version and digest), as learnt in {@link #offer}. */
    private final Set<MediaScanner.PackageFile> refused = ConcurrentHashMap.newKeySet();
    private volatile Settings settings;
    private volatile Launch launch = Launch.NONE;
    /** True once the watcher reported its first listing (only then is there something to keep at stop). */
    private volatile boolean settled;
    private volatile MediaScanner.Listing listing = MediaScanner.Listing.EMPTY;
    private volatile SemanticVersion running;
    private volatile boolean checkWanted;
    /** The engine's context, given when it binds this provider; null before. */
    private volatile ProviderContext context;
    private MediaWatcher watcher;

    @Activate
    public UsbProvider(Config config) {
        this(Settings.of(config));
    }

    UsbProvider(Settings settings) {
        this.settings = settings;
    }

    @Activate
    void activate(ComponentContext context) throws IOException {
        BundleContext bundle = context.getBundleContext();
        java.io.File data = bundle.getDataFile(SeenMedia.FILE);
        launch = new Launch(bundle.getProperty(Constants.FRAMEWORK_UUID), data == null ? null : data.toPath());
        start();
    }

    /** Where this launch's media are kept across restarts of the provider (unit tests give their own). */
    void setLaunch(Launch l) {
        launch = l;
    }

    /** Starts watching (on the thread "ocf-usb-watch"; returns at once). */
    synchronized void start() throws IOException {
        MediaScanner.Listing known = SeenMedia.load(launch);
        if (!known.media().isEmpty()) {
            LOG.info("USB provider restarted inside the running gateway: {} already there, not counted as inserted",
                    describeMedia(known));
        }
        settled = false;
        watcher = new MediaWatcher(() -> settings.roots(), settings.mountinfo(), known, this::mediaChanged,
                this::startWantedCheck);
        watcher.start();
        LOG.info("USB provider watching {}", settings.roots());
    }

    @Modified
    void modified(Config config) {
        reconfigure(Settings.of(config));
    }

    synchronized void reconfigure(Settings next) {
        Settings before = settings;
        settings = new Settings(next.roots(), next.checkOnInsert(), before.mountinfo());
        if (!before.roots().equals(next.roots())) {
            LOG.info("USB provider now watching {}", next.roots());
            if (watcher != null) {
                watcher.rescan();
            }
        }
    }

    @Deactivate
    synchronized void stop() {
        if (watcher != null) {
            watcher.close();
            watcher = null;
            if (settled) {
                SeenMedia.save(launch, listing);
            }
        }
    }

    /** The engine binds this provider: news wanted before (media present at the start) is told now. */
    @Override
    public void attach(ProviderContext engine) {
        context = engine;
        startWantedCheck();
    }

    /**
     * An installation this provider served committed: its version runs now, so the status no longer names it as
     * the medium's newer package (the next check would tell the same; until then the status was out of date).
     */
    @Override
    public void completed(UpdateOutcome outcome) {
        if (outcome.action() == UpdateOutcome.Action.INSTALL && outcome.succeeded() && outcome.offer() != null) {
            try {
                running = SemanticVersion.parse(outcome.offer().version());
            } catch (IllegalArgumentException e) {
                LOG.debug("Installed version {} is not semantic", outcome.offer().version());
            }
        }
    }

    @Override
    public Optional<UpdateOffer> offer(OfferRequest request) throws UpdateException {
        SemanticVersion current;
        try {
            current = SemanticVersion.parse(request.runningVersion());
        } catch (IllegalArgumentException e) {
            throw new UpdateException(UpdateResult.VALIDATION_FAILURE, "running version: " + e.getMessage());
        }
        running = current;
        request.location().ifPresent(l -> LOG.info("USB provider ignores the location {}: it offers what the "
                + "media hold", l));
        MediaScanner.Listing l = MediaScanner.scan(settings.roots(), mountPoints());
        Candidate best = null;
        for (MediaScanner.Medium m : l.media()) {
            for (MediaScanner.PackageFile p : m.packages()) {
                if (request.isCancelled()) {
                    return Optional.empty();
                }
                Optional<SemanticVersion> read = version(p);
                if (read.isEmpty()) {
                    continue;
                }
                SemanticVersion v = read.get();
                if (!v.isNewerThan(current)) {
                    LOG.debug("Ignoring {}: {} is not newer than {}", p.path(), v, current);
                    continue;
                }
                if (best != null && !v.isNewerThan(best.version())) {
                    continue; // equal versions: the first path stays
                }
                String sha = null;
                if (request.wasRefused(v.toString(), null)) {
                    // a package of this version was refused: which one is told by its digest
                    try {
                        sha = digest(p, request::isCancelled);
                    } catch (IOException e) {
                        LOG.warn("Ignoring {}: cannot read it: {}", p.path(), e.toString());
                        continue;
                    }
                    if (sha == null) {
                        return Optional.empty(); // cancelled
                    }
                    if (request.wasRefused(v.toString(), sha)) {
                        if (refused.add(p)) {
                            LOG.info("Ignoring {}: this package ({} with SHA-256 {}) was refused before", p.path(), v,
                                    sha);
                        }
                        continue;
                    }
                }
                best = new Candidate(m.dir(), p, v, sha);
            }
        }
        if (best == null) {
            LOG.info("USB: no package newer than {} on {}", current, describeMedia(l));
            return Optional.empty();
        }
        LOG.info("USB: offering {} from {}", best.version(), best.file().path());
        return Optional.of(UpdateOffer.builder(best.version().toString(), best.file().path().toUri())
                .size(best.file().size()).sha256(best.sha256())
                .description("medium " + best.medium() + " with " + best.version()).build());
    }

    /** A package to offer; {@code sha256} only when it was hashed (a package of its version was refused). */
    private record Candidate(Path medium, MediaScanner.PackageFile file, SemanticVersion version, String sha256) {
    }

    /**
     * The file's SHA-256 (lowercase hex, as the engine records refusals), cached while the file is unchanged; null
     * when cancelled. Costly (the whole package from the medium), so asked only for refused versions.
     */
    private String digest(MediaScanner.PackageFile p, BooleanSupplier cancelled) throws IOException {
        String known = digests.get(p);
        if (known != null) {
            return known;
        }
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(p.path(), LinkOption.NOFOLLOW_LINKS)) {
            byte[] buf = new byte[PackageCopy.BUFFER];
            for (int n; (n = in.read(buf)) > 0;) {
                if (cancelled.getAsBoolean()) {
                    return null;
                }
                md.update(buf, 0, n);
            }
        }
        String sha = HexFormat.of().formatHex(md.digest());
        digests.put(p, sha);
        return sha;
    }

    @Override
    public void fetch(FetchRequest request) throws UpdateException {
        PackageCopy.copy(request);
    }

    @Override
    public String status() {
        MediaScanner.Listing l = listing;
        if (l.media().isEmpty()) {
            return "no medium under " + settings.roots().stream().map(Path::toString)
                    .collect(Collectors.joining(", "));
        }
        Optional<Candidate> best = best(l);
        if (best.isPresent()) {
            return "medium " + best.get().medium() + " with " + best.get().version();
        }
        boolean anyPackage = l.packages().stream().anyMatch(p -> versions.getOrDefault(p, Optional.empty())
                .isPresent());
        return (l.media().size() == 1 ? "medium " : "media ") + describeMedia(l)
                + (anyPackage ? ", no newer package" : ", no update package");
    }

    /** The package the watcher would offer: newest valid version newer than the running one (if known). */
    private Optional<Candidate> best(MediaScanner.Listing l) {
        SemanticVersion r = running;
        List<Candidate> all = new ArrayList<>();
        for (MediaScanner.Medium m : l.media()) {
            for (MediaScanner.PackageFile p : m.packages()) {
                versions.getOrDefault(p, Optional.empty())
                        .filter(v -> (r == null || v.isNewerThan(r)) && !refused.contains(p))
                        .ifPresent(v -> all.add(new Candidate(m.dir(), p, v, null)));
            }
        }
        return all.stream().max(Comparator.comparing(Candidate::version)
                .thenComparing(c -> c.file().path().toString(), Comparator.reverseOrder()));
    }

    private static String describeMedia(MediaScanner.Listing l) {
        return l.media().isEmpty() ? "no medium"
                : l.media().stream().map(m -> m.dir().toString()).collect(Collectors.joining(", "));
    }

    private Set<Path> mountPoints() {
        return MountTable.mountPoints(MountTable.read(settings.mountinfo()));
    }

    /** On the watcher's thread: a settled change of the media. */
    void mediaChanged(MediaScanner.Listing before, MediaScanner.Listing after) {
        Map<Path, MediaScanner.Medium> old = new HashMap<>();
        before.media().forEach(m -> old.put(m.dir(), m));
        Set<Path> now = after.media().stream().map(MediaScanner.Medium::dir).collect(Collectors.toSet());
        for (MediaScanner.Medium m : before.media()) {
            if (!now.contains(m.dir())) {
                LOG.info("USB medium removed: {}", m.dir());
            }
        }
        Set<MediaScanner.PackageFile> known = Set.copyOf(before.packages());
        List<Candidate> arrived = new ArrayList<>();
        for (MediaScanner.Medium m : after.media()) {
            if (!old.containsKey(m.dir())) {
                LOG.info("USB medium inserted: {} ({} package file(s))", m.dir(), m.packages().size());
            }
            for (MediaScanner.PackageFile p : m.packages()) {
                Optional<SemanticVersion> v = version(p); // known ones too: status() shows them
                if (!known.contains(p)) {
                    v.ifPresent(version -> arrived.add(new Candidate(m.dir(), p, version, null)));
                }
            }
        }
        Set<MediaScanner.PackageFile> present = Set.copyOf(after.packages());
        versions.keySet().retainAll(present);
        digests.keySet().retainAll(present);
        refused.retainAll(present);
        listing = after;
        settled = true;
        SemanticVersion r = running;
        Optional<Candidate> newer = arrived.stream()
                .filter(c -> (r == null || c.version().isNewerThan(r)) && !refused.contains(c.file()))
                .max(Comparator.comparing(Candidate::version));
        if (newer.isPresent() && settings.checkOnInsert()) {
            LOG.info("USB: {} on {} is newer than {}: telling the engine", newer.get().version(),
                    newer.get().medium(), r == null ? "the running version (not known yet)" : r);
            checkWanted = true;
            startWantedCheck();
        }
    }

    /**
     * The version in the file's manifest, read once per file (path, size, time): a file that is not a package is
     * reported once, not at every check and scan. A read error (a medium still mounting) is not kept: tried again.
     * Anything else thrown by one file's manifest (e.g. an Error of a parser) only skips that file.
     */
    private Optional<SemanticVersion> version(MediaScanner.PackageFile p) {
        Optional<SemanticVersion> known = versions.get(p);
        if (known != null) {
            return known;
        }
        Optional<SemanticVersion> v = Optional.empty();
        try {
            v = Optional.of(manifests.version(p.path()));
        } catch (ManifestReader.NotAPackage e) {
            LOG.warn("Ignoring {} on the medium: {}", p.path(), e.getMessage());
        } catch (IOException e) {
            LOG.warn("Ignoring {} for now: cannot read it: {}", p.path(), e.toString());
            return v;
        } catch (Throwable e) {
            LOG.error("Ignoring {}: reading its manifest failed", p.path(), e);
        }
        versions.put(p, v);
        return v;
    }

    /**
     * Tells the engine about a newer package when news is wanted; waits for the engine (it binds this provider after
     * the watcher's first scan, at the start) while it has not attached. The engine decides whether to check.
     */
    private void startWantedCheck() {
        if (!checkWanted) {
            return;
        }
        ProviderContext c = context;
        if (c == null) {
            return;
        }
        checkWanted = false;
        c.offerMayHaveChanged();
    }

    /** The media as the watcher last settled them. */
    MediaScanner.Listing listing() {
        return listing;
    }

    /** Bytes read from package files by checks and by the watcher (manifests and zip end records). */
    long manifestBytesRead() {
        return manifests.bytesRead();
    }
}
