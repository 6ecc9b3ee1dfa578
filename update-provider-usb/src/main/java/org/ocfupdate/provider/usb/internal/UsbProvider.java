package org.ocfupdate.provider.usb.internal;

import org.ocfupdate.pstat.api.provider.SemanticVersion;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.ocfupdate.pstat.api.Dpm;
import org.ocfupdate.pstat.api.PstatChange;
import org.ocfupdate.pstat.api.PstatRefusedException;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.provider.FetchRequest;
import org.ocfupdate.pstat.api.provider.OfferRequest;
import org.ocfupdate.pstat.api.provider.UpdateException;
import org.ocfupdate.pstat.api.provider.UpdateOffer;
import org.ocfupdate.pstat.api.provider.UpdateProvider;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Update packages from USB mass-storage media (operator-contract.md: any {@code *.zip} update package in the root of
 * a medium or under {@code ocf-update/} on it; {@link MediaScanner} says what a medium is).
 * <p>
 * Several media or packages: the newest version newer than the running one and not refused before wins; between
 * packages of the same version, the one whose path sorts first. The check reads only each package's
 * {@code manifest.json}; the fetch copies the chosen file into staging.
 * <p>
 * With {@code checkOnInsert}, a medium appearing (also at start, and a mount completing on a folder that was
 * already there) with a package newer than the running version starts an availability check as a client's
 * {@code tm} 256 would. The running version is learnt from the engine's last check; before the first one, any
 * package with a valid version starts a check and the engine decides.
 */
// provider.pid: the configuration an operator changes to rank it (the console does)
@Component(configurationPid = UsbProvider.PID, service = UpdateProvider.class,
        property = {"provider.name=usb", "provider.pid=" + UsbProvider.PID},
        // looked up when a check is wanted, not bound: pstat -> engine -> providers -> pstat would be a cycle at start
        reference = @Reference(name = UsbProvider.PSTAT, service = PstatService.class,
                cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC))
@Designate(ocd = UsbProvider.Config.class)
public class UsbProvider implements UpdateProvider {
    static final String PID = "org.ocfupdate.provider.usb";
    static final String PSTAT = "pstat";
    private static final Logger LOG = LoggerFactory.getLogger(UsbProvider.class);

    @ObjectClassDefinition(name = "OCF update provider: USB",
            description = "Update packages from USB media mounted under the roots (wired update).")
    public @interface Config {
        @AttributeDefinition(description = "Folders where removable media appear, comma-separated: a medium is a "
                + "folder in a root (/media/LABEL, /mnt/usb) or in a user folder of a root (/run/media/USER/LABEL).")
        String roots() default "/media,/run/media,/mnt";

        @AttributeDefinition(description = "Start an availability check (tm 256) when a medium with a newer "
                + "package is inserted.")
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

    private final ManifestReader manifests = new ManifestReader();
    /** Versions of the packages the watcher has seen (absent: not a valid package). */
    private final Map<MediaScanner.PackageFile, Optional<SemanticVersion>> versions = new ConcurrentHashMap<>();
    /** Versions the engine said were refused, as learnt in {@link #offer}. */
    private final Set<SemanticVersion> refused = ConcurrentHashMap.newKeySet();
    private volatile Settings settings;
    private volatile MediaScanner.Listing listing = MediaScanner.Listing.EMPTY;
    private volatile SemanticVersion running;
    private volatile boolean checkWanted;
    private volatile Supplier<PstatService> pstat = () -> null;
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
        pstat = () -> (PstatService) context.locateService(PSTAT);
        start();
    }

    /** Starts watching (on the thread "ocf-usb-watch"; returns at once). */
    synchronized void start() throws IOException {
        watcher = new MediaWatcher(() -> settings.roots(), settings.mountinfo(), this::mediaChanged,
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
        }
    }

    /** Where the watcher finds pstat when it wants a check (unit tests give a fake). */
    void setPstat(PstatService service) {
        pstat = () -> service;
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
                SemanticVersion v;
                try {
                    v = manifests.version(p.path());
                } catch (ManifestReader.NotAPackage e) {
                    LOG.warn("Ignoring {} on the medium: {}", p.path(), e.getMessage());
                    continue;
                } catch (IOException | RuntimeException e) {
                    LOG.warn("Ignoring {}: cannot read it: {}", p.path(), e.toString());
                    continue;
                }
                if (!v.isNewerThan(current)) {
                    LOG.debug("Ignoring {}: {} is not newer than {}", p.path(), v, current);
                    continue;
                }
                if (request.wasRefused(v.toString(), null)) {
                    refused.add(v);
                    LOG.info("Ignoring {}: version {} was refused before", p.path(), v);
                    continue;
                }
                if (best == null || v.isNewerThan(best.version())) { // equal versions: the first path stays
                    best = new Candidate(m.dir(), p, v);
                }
            }
        }
        if (best == null) {
            LOG.info("USB: no package newer than {} on {}", current, describeMedia(l));
            return Optional.empty();
        }
        LOG.info("USB: offering {} from {}", best.version(), best.file().path());
        return Optional.of(UpdateOffer.builder(best.version().toString(), best.file().path().toUri())
                .size(best.file().size()).description("medium " + best.medium() + " with " + best.version())
                .build());
    }

    private record Candidate(Path medium, MediaScanner.PackageFile file, SemanticVersion version) {
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
                        .filter(v -> (r == null || v.isNewerThan(r)) && !refused.contains(v))
                        .ifPresent(v -> all.add(new Candidate(m.dir(), p, v)));
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
                if (known.contains(p)) {
                    continue;
                }
                Optional<SemanticVersion> v = versions.computeIfAbsent(p, this::readVersion);
                v.ifPresent(version -> arrived.add(new Candidate(m.dir(), p, version)));
            }
        }
        versions.keySet().retainAll(Set.copyOf(after.packages()));
        listing = after;
        SemanticVersion r = running;
        Optional<Candidate> newer = arrived.stream()
                .filter(c -> (r == null || c.version().isNewerThan(r)) && !refused.contains(c.version()))
                .max(Comparator.comparing(Candidate::version));
        if (newer.isPresent() && settings.checkOnInsert()) {
            LOG.info("USB: {} on {} is newer than {}: starting an availability check", newer.get().version(),
                    newer.get().medium(), r == null ? "the running version (not known yet)" : r);
            checkWanted = true;
            startWantedCheck();
        }
    }

    private Optional<SemanticVersion> readVersion(MediaScanner.PackageFile p) {
        try {
            return Optional.of(manifests.version(p.path()));
        } catch (ManifestReader.NotAPackage e) {
            LOG.warn("Ignoring {} on the medium: {}", p.path(), e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.warn("Ignoring {}: cannot read it: {}", p.path(), e.toString());
        }
        return Optional.empty();
    }

    /** Asks pstat for tm 256 when a check is wanted; waits for pstat (on the watcher's ticks) while it is absent. */
    private void startWantedCheck() {
        if (!checkWanted) {
            return;
        }
        PstatService p = pstat.get();
        if (p == null) {
            return;
        }
        checkWanted = false;
        try {
            p.update(PstatChange.tm(Dpm.ISAC), true);
        } catch (PstatRefusedException e) {
            LOG.info("USB: the availability check was not started: {}", e.getMessage());
        }
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
