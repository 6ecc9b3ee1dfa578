package org.ocfupdate.gateway.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The entry point of gateway.jar, in front of bnd's embedded launcher: it fixes the home folder
 * ({@code -Dgateway.home}, default the working directory) before the framework starts, so that the framework's
 * storage lives under {@code data/} and FileInstall watches {@code etc/} of that home, wherever the JVM was started.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Throwable {
        Path home = Paths.get(System.getProperty("gateway.home", System.getProperty("user.dir"))).toAbsolutePath()
                .normalize();
        Path data = home.resolve("data");
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
        try {
            Files.createDirectories(home.resolve("etc")); // empty = defaults; FileInstall watches it
        } catch (IOException e) {
            System.err.println("gateway: cannot create " + home.resolve("etc") + ": " + e.getMessage());
        }
        System.setProperty("gateway.home", home.toString());
        // bnd's launcher lets a system property override each of its own launch properties
        System.setProperty("launch.storage.dir", data.resolve("framework").toString());
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
