package org.ocfupdate.gateway.launch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * The entry point of gateway.jar, in front of bnd's embedded launcher: it fixes the home folder
 * ({@code -Dgateway.home}, default the working directory) before the framework starts, so that the framework's
 * storage lives under {@code data/} and FileInstall watches {@code etc/} of that home, wherever the JVM was started.
 *
 * <p>It also decides whether bnd's launcher installs the bundles embedded in this jar. After the first start the
 * framework's installed bundles are the truth: an update may have replaced any of them, and the launcher (which
 * finds no digests in this jar to compare) would otherwise write every embedded bundle back at every start, undoing
 * the update and writing ~19 MB per boot. The embedded bundles are given to the launcher only to create a new
 * storage (first start, or {@code data/framework} deleted) or when this jar differs from the one that last did
 * (the operator installed another gateway.jar): then {@code gateway.jar.applied} tells the gateway, which records
 * it as an installation ({@code sv}, history), and {@code gateway.jar.id} is written to {@value #ORIGIN} once the
 * gateway is ready.
 */
public final class Main {
    /** Under {@code data/}: which gateway.jar created or last replaced the framework's bundles. */
    public static final String ORIGIN = "gateway-jar.properties";

    private Main() {
    }

    public static void main(String[] args) throws Throwable {
        Path home = Paths.get(System.getProperty("gateway.home", System.getProperty("user.dir"))).toAbsolutePath()
                .normalize();
        Path data = folder("gateway.data", home.resolve("data"));
        Path etc = folder("gateway.etc", home.resolve("etc"));
        try {
            if (!Files.isDirectory(data)) {
                Files.createDirectories(data);
                Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
            }
        } catch (IOException | UnsupportedOperationException e) {
            System.err.println("gateway: cannot create " + data + ": " + e.getMessage());
            System.exit(1);
        }
        checkSpaceForFirstStart(data);
        TempFolder.prepare(data);
        try {
            Files.createDirectories(etc); // empty = defaults; FileInstall watches it
        } catch (IOException e) {
            System.err.println("gateway: cannot create " + etc + ": " + e.getMessage());
        }
        System.setProperty("gateway.home", home.toString());
        System.setProperty("gateway.data", data.toString());
        System.setProperty("gateway.etc", etc.toString()); // FileInstall's folder (gateway.bndrun)
        LoggingDefaults.install(data); // before the framework: the first line logged has the gateway's format
        // bnd's launcher lets a system property override each of its own launch properties
        System.setProperty("launch.storage.dir", data.resolve("framework").toString());
        chooseBundles(data);
        System.setProperty("gateway.exitOnFailure", System.getProperty("gateway.exitOnFailure", "true"));
        if (System.console() != null && System.getProperty("gosh.args") == null) {
            // started from a terminal: the operator gets Gogo's g! prompt (ocf:pstat, ocf:check, ...); without one
            // (systemd, scripts, tests) the shell stays non-interactive, as cnf/run.bnd sets, because an
            // interactive shell stops the framework when standard input closes
            System.setProperty("gosh.args", "");
        }
        Class.forName("aQute.launcher.pre.EmbeddedLauncher").getMethod("main", String[].class)
                .invoke(null, (Object) args);
    }

    /**
     * {@code -Dgateway.data} / {@code -Dgateway.etc} place the two folders apart from the home folder: the Debian
     * package keeps the state in /var/lib/ocf-update-gateway and the configuration in /etc/ocf-update-gateway.
     */
    private static Path folder(String property, Path otherwise) {
        String value = System.getProperty(property, "");
        return value.isBlank() ? otherwise : Paths.get(value).toAbsolutePath().normalize();
    }

    private static void chooseBundles(Path data) {
        Path self;
        String id;
        String release;
        try {
            self = Paths.get(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            try (JarFile jar = new JarFile(self.toFile())) {
                id = identity(jar);
                release = jar.getManifest().getMainAttributes().getValue("Ocf-Software-Version");
            }
        } catch (Exception e) {
            return; // not started from gateway.jar (an IDE): the launcher does as it always did
        }
        boolean storage = Files.isDirectory(data.resolve("framework").resolve("bundle0"));
        Properties origin = new Properties();
        try (InputStream in = Files.newInputStream(data.resolve(ORIGIN))) {
            origin.load(in);
        } catch (IOException e) {
            // none yet: a first start, or a storage made before this file existed
        }
        if (storage && id.equals(origin.getProperty("id"))) {
            System.setProperty("launch.bundles", ""); // install nothing: keep what is installed
            return;
        }
        if (storage) {
            System.out.println("gateway: " + self.getFileName() + " (" + release + ") differs from the one that installed"
                    + " the running bundles; its bundles replace them");
            // the launcher skips a bundle whose digest equals the one it last installed; an update may have replaced
            // that bundle since, so forget them all: every bundle of the new jar replaces what runs, as sv will say
            forget(data.resolve("framework/bundle0/.bnd.launcher"));
        }
        System.setProperty("gateway.jar.id", id);
        if (release != null) {
            System.setProperty("gateway.jar.applied", release);
        }
    }

    private static void forget(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        } catch (IOException e) {
            // none recorded (a storage from before -digests): the launcher updates every bundle anyway
        }
    }

    /** This jar's embedded bundles and launch properties, by name, size and CRC (read from the zip directory only). */
    static String identity(JarFile jar) throws NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (ZipEntry e : Collections.list(jar.entries())) {
            if (e.getName().startsWith("jar/") || e.getName().equals("launcher.properties")) {
                md.update((e.getName() + ' ' + e.getSize() + ' ' + e.getCrc() + '\n').getBytes(StandardCharsets.UTF_8));
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * The first start copies every bundle of gateway.jar into {@code data/framework}, about the size of the jar.
     * Without that much space the launcher would fail half-way with a stack trace; this says why, and exits 1.
     * Later starts need no space (the framework storage is kept): they serve what they read and log what they
     * cannot write.
     */
    private static void checkSpaceForFirstStart(Path data) {
        if (Files.isDirectory(data.resolve("framework"))) {
            return;
        }
        try {
            Path jar = Paths.get(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            long need = Files.size(jar);
            long free = Files.getFileStore(data).getUsableSpace();
            if (Files.isRegularFile(jar) && free < need) {
                System.err.printf("gateway: the first start installs the gateway's bundles in %s and needs about %d MB "
                        + "free there; %d MB are free%n", data.resolve("framework"), (need >> 20) + 1, free >> 20);
                System.exit(1);
            }
        } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
            // no estimate (e.g. not started from a jar): the launcher reports a lack of space itself
        }
    }
}
