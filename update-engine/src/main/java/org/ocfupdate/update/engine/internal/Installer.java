package org.ocfupdate.update.engine.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.provider.UpdateException;
import org.ocfupdate.gateway.support.AtomicStore;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.framework.wiring.FrameworkWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Installs a verified package as one transaction. A journal under {@code data/install/} is written before anything
 * changes, with a backup of every bundle and file about to be replaced; then files are put in place, bundles
 * updated or installed, the framework refreshed and the health check run. Success commits (journal removed);
 * any failure puts every bundle and file back as it was. A journal found at start (the process died during an
 * installation) is rolled back the same way, so an installation is never left half-done.
 *
 * <p>Works through the system bundle's context: it stays valid while the gateway's own bundles — this one
 * included — are updated.
 */
public final class Installer {
    private static final Logger LOG = LoggerFactory.getLogger(Installer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where {@code file} artifacts go: {@code data/files/PATH}. */
    public static final String FILES = "files";
    private static final String ROLLED_BACK = " (rolled back)";

    /** What the journal holds: enough to undo every change. */
    record Journal(String version, List<BundleChange> bundles, List<FileChange> files) {
    }

    /** A bundle updated (backup = its former content) or installed (backup = null). */
    record BundleChange(String symbolicName, String location, String backup) {
    }

    /** A file written (backup = its former content, or null when it did not exist). */
    record FileChange(String target, String backup) {
    }

    private final BundleContext system;
    private final Path dir;
    private final Path data;
    private final AtomicStore journal;
    private final BooleanSupplier healthy;
    private final long healthTimeoutMs;
    private final BooleanSupplier exitUnhealthy;

    /**
     * @param exitUnhealthy called when a rollback did not make the gateway healthy again: true when it ends the process
     *                      (a service manager restarts it, and the next start rolls back again), false to go on
     */
    public Installer(BundleContext anyContext, Path data, BooleanSupplier healthy, long healthTimeoutMs,
            BooleanSupplier exitUnhealthy) throws IOException {
        this.system = anyContext.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).getBundleContext();
        this.data = data;
        this.dir = Files.createDirectories(data.resolve("install"));
        this.journal = new AtomicStore(dir, "journal.json");
        this.healthy = healthy;
        this.healthTimeoutMs = healthTimeoutMs;
        this.exitUnhealthy = exitUnhealthy;
    }

    /** The version of an installation the process did not finish (the journal holds its changes), if any. */
    public Optional<String> interrupted() {
        return pending().map(Journal::version);
    }

    private Optional<Journal> pending() {
        try {
            Optional<Journal> saved = journal.load(Installer::journal);
            // an empty journal marks the end of the last installation
            return saved.filter(j -> !j.bundles().isEmpty() || !j.files().isEmpty());
        } catch (IOException e) {
            LOG.error("Cannot read the installation journal in {}: {}", dir, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Rolls back an installation the process did not finish. It may update the bundle that calls it, so it must run
     * on a thread no bundle owns, never inside a component's activation. Returns the version rolled back.
     */
    public Optional<String> recover() {
        Optional<Journal> j = pending();
        j.ifPresent(p -> {
            LOG.warn("An installation of {} was interrupted; rolling it back", p.version());
            rollBack(p);
        });
        return j.map(Journal::version);
    }

    /** A stored journal, complete; anything less is a corrupt generation (the previous one is used). */
    static Journal journal(byte[] body) throws IOException {
        Journal j = JSON.readValue(body, Journal.class);
        if (j.version() == null || j.bundles() == null || j.files() == null) {
            throw new IOException("the journal lacks version, bundles or files");
        }
        return j;
    }

    /** The version of the last installation when it committed; empty when it was rolled back or none ran. */
    public Optional<String> committed() {
        try {
            Optional<Journal> last = journal.load(Installer::journal);
            if (last.isEmpty()) {
                return Optional.empty();
            }
            Journal j = last.get();
            boolean done = j.bundles().isEmpty() && j.files().isEmpty() && !j.version().endsWith(ROLLED_BACK);
            return done ? Optional.of(j.version()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Installs the artifacts of a verified package; returns its version. */
    public String install(Path pkg, org.ocfupdate.update.engine.internal.pkg.Manifest manifest,
            java.util.function.Consumer<String> step) throws UpdateException {
        String version = manifest.version().toString();
        step.accept("backing up what the package replaces");
        Path work = dir.resolve("work");
        try {
            deleteTree(work);
            Files.createDirectories(work.resolve("new"));
            Files.createDirectories(work.resolve("backup"));
        } catch (IOException e) {
            throw new UpdateException(UpdateResult.NOT_ENOUGH_FLASH, "cannot prepare " + work + ": " + e.getMessage());
        }
        List<BundleChange> bundles = new ArrayList<>();
        List<FileChange> files = new ArrayList<>();
        List<Path> newBundles = new ArrayList<>();
        try (ZipFile zip = new ZipFile(pkg.toFile())) {
            int n = 0;
            for (var a : manifest.artifacts()) {
                Path extracted = work.resolve("new").resolve(String.valueOf(n++));
                try (InputStream in = zip.getInputStream(zip.getEntry(a.path()))) {
                    Files.copy(in, extracted);
                }
                if (a.isBundle()) {
                    String bsn = symbolicName(extracted);
                    Bundle existing = find(bsn);
                    String backup = null;
                    if (existing != null) {
                        Path b = work.resolve("backup").resolve(bsn + ".jar");
                        backupBundle(existing, b);
                        backup = b.toString();
                    }
                    bundles.add(new BundleChange(bsn, existing != null ? existing.getLocation() : "ocf-update:" + bsn,
                            backup));
                    newBundles.add(extracted);
                } else {
                    Path target = data.resolve(FILES).resolve(a.path());
                    String backup = null;
                    if (Files.exists(target)) {
                        Path b = work.resolve("backup").resolve("file-" + files.size());
                        Files.copy(target, b);
                        backup = b.toString();
                    }
                    files.add(new FileChange(target.toString(), backup));
                    newBundles.add(extracted);
                }
            }
        } catch (IOException | BundleException | RuntimeException e) {
            cleanWork(work);
            // no space for the expanded artifacts or the backups is result 3; anything else (a bad bundle) 8
            UpdateResult r = isNoSpace(e) ? UpdateResult.NOT_ENOUGH_FLASH : UpdateResult.UPGRADE_FAILURE;
            throw new UpdateException(r, "cannot prepare the installation: " + e.getMessage());
        }
        Journal j = new Journal(version, bundles, files);
        try {
            journal.save(JSON.writeValueAsBytes(j));
        } catch (IOException e) {
            cleanWork(work);
            throw new UpdateException(UpdateResult.NOT_ENOUGH_FLASH, "cannot write the journal: " + e.getMessage());
        }
        LOG.info("Installing {}: {} bundle(s), {} file(s)", version, bundles.size(), files.size());
        try {
            apply(manifest, newBundles, bundles, files, step);
            step.accept("health check");
            if (!awaitHealthy()) {
                throw new IOException("the gateway is not healthy " + healthTimeoutMs / 1000 + " s after the update");
            }
        } catch (IOException | BundleException | RuntimeException e) {
            LOG.error("Installation of {} failed ({}); rolling back", version, e.getMessage());
            step.accept("rolling back");
            rollBack(j); // its commit removes the work folder (kept when the process must restart to finish it)
            throw new UpdateException(UpdateResult.UPGRADE_FAILURE, "installation failed and was rolled back: "
                    + e.getMessage());
        }
        commit(version);
        LOG.info("Installed {}", version);
        return version;
    }

    private void apply(org.ocfupdate.update.engine.internal.pkg.Manifest manifest, List<Path> extracted,
            List<BundleChange> bundles, List<FileChange> files, java.util.function.Consumer<String> step)
            throws IOException, BundleException {
        int b = 0;
        int f = 0;
        List<Bundle> touched = new ArrayList<>();
        for (int i = 0; i < manifest.artifacts().size(); i++) {
            Path source = extracted.get(i);
            step.accept("installing " + manifest.artifacts().get(i).path() + " (" + (i + 1) + " of "
                    + manifest.artifacts().size() + ")");
            if (manifest.artifacts().get(i).isBundle()) {
                BundleChange c = bundles.get(b++);
                Bundle existing = find(c.symbolicName());
                try (InputStream in = Files.newInputStream(source)) {
                    if (existing != null) {
                        replace(existing, in);
                        touched.add(existing);
                    } else {
                        touched.add(system.installBundle(c.location(), in));
                    }
                }
            } else {
                Path target = Path.of(files.get(f++).target());
                Files.createDirectories(target.getParent());
                Path tmp = target.resolveSibling(target.getFileName() + ".new");
                Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        step.accept("refreshing and starting bundles");
        refreshAndStart(touched);
    }

    private void rollBack(Journal j) {
        List<Bundle> touched = new ArrayList<>();
        for (BundleChange c : j.bundles()) {
            try {
                Bundle b = find(c.symbolicName());
                if (c.backup() == null) {
                    if (b != null && b.getLocation().equals(c.location())) {
                        b.uninstall();
                        touched.add(b);
                    }
                } else if (Files.exists(Path.of(c.backup()))) {
                    try (InputStream in = Files.newInputStream(Path.of(c.backup()))) {
                        if (b != null) {
                            replace(b, in);
                            touched.add(b);
                        } else {
                            touched.add(system.installBundle(c.location(), in));
                        }
                    }
                }
            } catch (IOException | BundleException | RuntimeException e) {
                LOG.error("Rollback of bundle {} failed: {}", c.symbolicName(), e.getMessage());
            }
        }
        for (FileChange c : j.files()) {
            try {
                if (c.backup() == null) {
                    Files.deleteIfExists(Path.of(c.target()));
                } else {
                    Files.copy(Path.of(c.backup()), Path.of(c.target()), StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                LOG.error("Rollback of file {} failed: {}", c.target(), e.getMessage());
            }
        }
        try {
            refreshAndStart(touched);
        } catch (RuntimeException e) {
            LOG.error("Restarting bundles after the rollback failed: {}", e.getMessage());
            startPersistentlyStarted(); // the bundles after the one that did not start (stopped transiently)
        }
        if (!awaitHealthy()) {
            LOG.error("The gateway is not healthy {} s after rolling back the installation of {}", healthTimeoutMs / 1000,
                    j.version());
            if (exitUnhealthy.getAsBoolean()) {
                return; // the journal stays: the next start rolls back again, in a fresh framework
            }
        }
        commit(j.version() + ROLLED_BACK);
        LOG.warn("Rolled back the installation of {}", j.version());
    }

    /** Ends a transaction: the journal is replaced by an empty one, the work files deleted. */
    private void commit(String version) {
        try {
            journal.save(JSON.writeValueAsBytes(new Journal(version, List.of(), List.of())));
            deleteTree(dir.resolve("work"));
        } catch (IOException e) {
            LOG.warn("Cannot clean up after installing {}: {}", version, e.getMessage());
        }
    }

    /**
     * Updates {@code b} without starting it: an active bundle's update starts the new revision at once, before the
     * package's later bundles are in place, and a new revision that needs one of them (update-engine, new, for the
     * pstat-impl after the split) fails to resolve. Stopped transiently, it stays meant to run; {@link
     * #refreshAndStart} starts it with the others.
     */
    private static void replace(Bundle b, InputStream in) throws BundleException {
        if (b.getState() == Bundle.ACTIVE || b.getState() == Bundle.STARTING) {
            b.stop(Bundle.STOP_TRANSIENT);
        }
        b.update(in);
    }

    private void refreshAndStart(List<Bundle> touched) {
        List<Bundle> live = touched.stream().filter(b -> b.getState() != Bundle.UNINSTALLED).toList();
        CountDownLatch refreshed = new CountDownLatch(1);
        system.getBundle().adapt(FrameworkWiring.class).refreshBundles(touched, e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED || e.getType() == FrameworkEvent.ERROR) {
                refreshed.countDown();
            }
        });
        try {
            refreshed.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Bundle b : live) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                try {
                    b.start();
                } catch (BundleException e) {
                    throw new IllegalStateException("bundle " + b.getSymbolicName() + " does not start: "
                            + e.getMessage(), e);
                }
            }
        }
        startPersistentlyStarted();
    }

    /**
     * A refresh restarts only the bundles it could resolve again: when an installed bundle was broken (an SCR that
     * does not resolve), every bundle that needed it stays stopped, and refreshing the good one back does not reach
     * them (unresolved, they are no longer wired to it). So every bundle meant to run (persistently started, within
     * the framework's start level) that is not active is started here.
     */
    private void startPersistentlyStarted() {
        int level = system.getBundle().adapt(FrameworkStartLevel.class).getStartLevel();
        for (Bundle b : system.getBundles()) {
            BundleStartLevel sl = b.adapt(BundleStartLevel.class);
            if (b.getBundleId() == 0 || sl == null || b.getState() == Bundle.ACTIVE || b.getState() == Bundle.UNINSTALLED
                    || !sl.isPersistentlyStarted() || sl.getStartLevel() > level
                    || b.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
                continue;
            }
            try {
                b.start();
            } catch (BundleException | RuntimeException e) {
                LOG.error("Bundle {} does not start: {}", b.getSymbolicName(), e.getMessage());
            }
        }
    }

    private static boolean isNoSpace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException && t.getMessage() != null && t.getMessage().contains("No space left")) {
                return true;
            }
        }
        return false;
    }

    /** A failed installation leaves nothing behind in {@code data/install/work}. */
    private static void cleanWork(Path work) {
        try {
            deleteTree(work);
        } catch (IOException e) {
            LOG.warn("Cannot delete {}: {}", work, e.getMessage());
        }
    }

    private boolean awaitHealthy() {
        long end = System.currentTimeMillis() + healthTimeoutMs;
        while (System.currentTimeMillis() < end) {
            if (healthy.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return healthy.getAsBoolean();
    }

    private Bundle find(String bsn) {
        return Stream.of(system.getBundles()).filter(b -> bsn.equals(b.getSymbolicName()))
                .max(Comparator.comparing(Bundle::getVersion)).orElse(null);
    }

    private static String symbolicName(Path jar) throws IOException, BundleException {
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar))) {
            Manifest m = in.getManifest();
            String bsn = m == null ? null : m.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
            if (bsn == null) {
                throw new BundleException("a bundle artifact has no Bundle-SymbolicName");
            }
            return bsn.split(";")[0].trim();
        }
    }

    /** The installed content of a bundle, written back as a jar: its entries, manifest first. */
    static void backupBundle(Bundle bundle, Path target) throws IOException {
        URL mf = bundle.getEntry("META-INF/MANIFEST.MF");
        Manifest manifest;
        try (InputStream in = mf.openStream()) {
            manifest = new Manifest(in);
        }
        manifest.getMainAttributes().putIfAbsent(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (OutputStream os = Files.newOutputStream(target); JarOutputStream out = new JarOutputStream(os, manifest)) {
            List<URL> entries = Collections.list(bundle.findEntries("/", "*", true));
            for (URL u : entries) {
                String name = u.getPath().substring(1);
                if (name.equals("META-INF/MANIFEST.MF") || name.equals("META-INF/") || name.isEmpty()) {
                    continue;
                }
                out.putNextEntry(new JarEntry(name));
                if (!name.endsWith("/")) {
                    try (InputStream in = u.openStream()) {
                        in.transferTo(out);
                    }
                }
                out.closeEntry();
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
