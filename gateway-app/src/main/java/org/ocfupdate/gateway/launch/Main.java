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
}
