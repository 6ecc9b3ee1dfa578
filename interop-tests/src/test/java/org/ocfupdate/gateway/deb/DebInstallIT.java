package org.ocfupdate.gateway.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installs the .deb for real (as root, as CI runs), starts the installed command as the user ocf-gateway with a
 * NOTIFY_SOCKET this test listens on (no systemd needed), follows READY, STATUS, WATCHDOG and STOPPING, stops it with
 * SIGTERM, then removes and purges the package and checks that the machine is as it was.
 */
class DebInstallIT {
    static final String PKG = "ocf-update-gateway";
    static final Path ETC = Path.of("/etc/ocf-update-gateway");
    static final Path STATE = Path.of("/var/lib/ocf-update-gateway");
    static final Map<String, String> APT = Map.of("DEBIAN_FRONTEND", "noninteractive");
    /** What installing and purging must leave as they were. */
    static final List<String> MACHINE = List.of("/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow");

    @TempDir
    Path dir;

    private final BlockingQueue<String> notified = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    @Test
    void installRunUnderANotifySocketStopRemovePurge() throws Exception {
        String skip = whyNot();
        if (skip != null) {
            System.err.println("DebInstallIT skipped: " + skip);
        }
        assumeTrue(skip == null, skip);
        String before = machine();
        Process listener = null;
        Process gateway = null;
        try {
            Sh.run(APT, "apt-get", "install", "-y", "-q", "--no-install-recommends", DebPackageIT.DEB.toAbsolutePath().toString())
                    .ok("apt-get install ./" + DebPackageIT.DEB.getFileName());
            installed();

            Path medium = medium();
            Files.writeString(ETC.resolve("org.ocfupdate.coap.cfg"), "port=0\nsecurePort=0\nmulticast=false\n");
            Files.writeString(ETC.resolve("org.ocfupdate.provider.usb.cfg"), "roots=" + dir.resolve("media") + "\n");
            Files.writeString(ETC.resolve("org.ocfupdate.trust.cfg"), "keys=" + dir.resolve("vendor.pub.pem") + "\n");
            for (String cfg : new String[] {"org.ocfupdate.coap.cfg", "org.ocfupdate.provider.usb.cfg", "org.ocfupdate.trust.cfg"}) {
                Sh.run("chgrp", "ocf-gateway", ETC.resolve(cfg).toString()).ok("chgrp");
                Sh.run("chmod", "0640", ETC.resolve(cfg).toString()).ok("chmod");
            }

            Path socket = dir.resolve("notify.sock");
            listener = listen(socket);
            ProcessBuilder pb = new ProcessBuilder("setpriv", "--reuid=ocf-gateway", "--regid=ocf-gateway",
                    "--init-groups", "/usr/bin/ocf-update-gateway").directory(new java.io.File("/"))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("gateway.log").toFile());
            pb.environment().put("NOTIFY_SOCKET", socket.toString());
            pb.environment().put("WATCHDOG_USEC", "2000000");
            pb.environment().put("JAVA_OPTS", "-Dorg.osgi.service.http.port=0");
            gateway = pb.start();

            await("READY=1", gateway);
            String cmdline = Files.readString(Path.of("/proc/" + gateway.pid() + "/cmdline")).replace('\0', ' ');
            assertTrue(cmdline.matches(".*-XX:\\+ExitOnOutOfMemoryError .*-Dgateway.etc=/etc/ocf-update-gateway "
                    + ".*-Dorg.osgi.service.http.port=0 -jar /usr/share/ocf-update-gateway/gateway.jar.*"),
                    "jvm.options, then the package's folders, then JAVA_OPTS: " + cmdline);
            String uid = Sh.run("id", "-u", "ocf-gateway").ok("id").out().trim();
            assertTrue(Files.readAllLines(Path.of("/proc/" + gateway.pid() + "/status")).stream()
                    .anyMatch(l -> l.startsWith("Uid:\t" + uid + "\t")), "runs as ocf-gateway");
            assertTrue(Files.exists(STATE.resolve("credentials/owner.properties")), "state in /var/lib");
            assertTrue(Files.isDirectory(STATE.resolve("framework")), "the framework storage in /var/lib");
            assertEquals("ocf-gateway", Files.getOwner(STATE.resolve("svr")).getName());

            // a state change: a medium with a newer package appears in the USB root given in /etc
            Files.move(medium, dir.resolve("media/stick"));
            await("STATUS=version_available 9.9.9", gateway);
            assertTrue(seen.contains("STATUS=idle"), "the state before: " + seen);

            // WATCHDOG_USEC 2 s: a ping every second, each from the state machine's own thread (HeartbeatTest)
            for (int pings = 0; pings < 3; pings++) {
                await("WATCHDOG=1", gateway);
            }
            assertTrue(Files.readString(dir.resolve("gateway.log"))
                    .contains("systemd watchdog: a heartbeat of the update state machine every 1000 ms"));

            gateway.destroy(); // SIGTERM
            await("STOPPING=1", null);
            assertTrue(gateway.waitFor(60, TimeUnit.SECONDS), "stopped");
            assertEquals(0, gateway.exitValue(), "exit status after SIGTERM");

            // the first start recorded the class-data archive as it stopped, with the classes the bundles had loaded
            // but not linked (ClassDataRecording); the next start maps those from it instead of parsing them again
            assertTrue(Files.readString(dir.resolve("gateway.log"))
                    .matches("(?s).*Class-data archive: linked [1-9][0-9]{2,} classes the bundles had loaded.*"),
                    "the recording start linked the bundles' classes");
            try (Stream<Path> archives = Files.list(STATE.resolve("cds"))) {
                assertEquals(1, archives.filter(p -> p.getFileName().toString().endsWith(".jsa")).count());
            }
            Path classes = STATE.resolve("classes.log"); // the JVM writes it as ocf-gateway
            pb.environment().put("JAVA_OPTS", "-Dorg.osgi.service.http.port=0 -Xlog:class+load=info:file=" + classes);
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("gateway.log").toFile()));
            gateway = pb.start();
            await("READY=1", gateway);
            gateway.destroy();
            assertTrue(gateway.waitFor(60, TimeUnit.SECONDS), "stopped");
            assertEquals(0, gateway.exitValue(), "exit status after SIGTERM, second start");
            // a log4j2 pattern converter: its plugin class is loaded at every start and never linked (the gateway's
            // log pattern does not use it), so before the recording linked it, it never came from the archive
            String converter = " org.apache.logging.log4j.core.pattern.AnsiConverter source: ";
            String loaded = Files.readString(classes);
            assertTrue(loaded.contains(converter + "shared objects file"), loaded.lines()
                    .filter(l -> l.contains(converter)).findFirst().orElse("AnsiConverter not loaded"));

            Sh.run(APT, "apt-get", "remove", "-y", "-q", PKG).ok("apt-get remove");
            assertFalse(Files.exists(Path.of("/usr/bin/ocf-update-gateway")));
            assertTrue(Files.exists(ETC.resolve("README")) && Files.exists(ETC.resolve("org.ocfupdate.coap.cfg")),
                    "remove keeps the configuration");
            assertTrue(Files.exists(STATE.resolve("credentials/owner.properties")), "remove keeps the state");
            Sh.run("getent", "passwd", "ocf-gateway").ok("remove keeps the user");

            Sh.run(APT, "apt-get", "purge", "-y", "-q", PKG).ok("apt-get purge");
            assertFalse(Files.exists(ETC), "purge removes the configuration");
            assertFalse(Files.exists(STATE), "purge removes the state");
            assertNotEquals(0, Sh.run("getent", "passwd", "ocf-gateway").code(), "purge removes the user");
            assertNotEquals(0, Sh.run("getent", "group", "ocf-gateway").code(), "purge removes the group");
            assertEquals(before, machine(), "the machine as it was");
        } finally {
            if (gateway != null && gateway.isAlive()) {
                gateway.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            if (listener != null) {
                listener.destroy();
            }
            if (Sh.run("dpkg-query", "-W", PKG).code() == 0) {
                Sh.run(APT, "apt-get", "purge", "-y", "-q", PKG); // leave the machine as it was, also on failure
            }
        }
    }

    /** Why this machine cannot run the test (not root, or the package is installed for real), or null. */
    static String whyNot() throws Exception {
        if (Sh.uid() != 0) {
            return "installing a Debian package needs root; this JVM runs as uid " + Sh.uid();
        }
        if (Sh.run("dpkg-query", "-W", PKG).code() == 0 || Sh.run("getent", "passwd", "ocf-gateway").code() == 0
                || Files.exists(ETC) || Files.exists(STATE)) {
            return PKG + " (or its user or folders) is on this machine already: the test would purge it";
        }
        for (String tool : new String[] {"apt-get", "setpriv", "python3", "systemd-analyze"}) {
            if (Sh.run("sh", "-c", "command -v " + tool).code() != 0) {
                return tool + " is not installed";
            }
        }
        return null;
    }

    private void installed() throws Exception {
        Sh passwd = Sh.run("getent", "passwd", "ocf-gateway").ok("the user ocf-gateway");
        assertTrue(passwd.out().trim().endsWith(":/var/lib/ocf-update-gateway:/usr/sbin/nologin"), passwd.out());
        Sh.run("getent", "group", "ocf-gateway").ok("the group ocf-gateway");
        assertEquals("ocf-gateway:ocf-gateway 700", stat(STATE));
        assertEquals("root:ocf-gateway 750", stat(ETC));
        assertTrue(Files.isSymbolicLink(Path.of("/etc/systemd/system/multi-user.target.wants/ocf-update-gateway.service")),
                "enabled");
        Sh verify = Sh.run("systemd-analyze", "verify", "/lib/systemd/system/ocf-update-gateway.service");
        assertEquals(0, verify.code(), verify.out());
        assertEquals("", verify.out().trim(), "systemd-analyze verify: no warning either");
        Sh.run("/usr/bin/ocf-pkg", "--help"); // the command exists and starts (its exit code is its own business)
    }

    /** A medium (a folder with a signed package 9.9.9, made with the installed ocf-pkg) not yet in the USB root. */
    private Path medium() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(dir.resolve("media"));
        Path stick = Files.createDirectories(dir.resolve("new-stick"));
        Sh.run("/usr/bin/ocf-pkg", "keygen", "--private", dir.resolve("vendor.pem").toString(), "--public",
                dir.resolve("vendor.pub.pem").toString()).ok("ocf-pkg keygen");
        Files.writeString(dir.resolve("app.cfg"), "greeting=hello\n");
        Sh.run("/usr/bin/ocf-pkg", "create", "--key", dir.resolve("vendor.pem").toString(), "--version", "9.9.9",
                "--out", stick.resolve("app-9.9.9.zip").toString(), "--file", dir.resolve("app.cfg").toString())
                .ok("ocf-pkg create");
        Sh.run("chmod", "-R", "a+rX", dir.toString()).ok("chmod");
        return stick;
    }

    /** A Unix datagram socket (Python's: Java 17 has none) whose datagrams become {@link #notified}. */
    private Process listen(Path socket) throws IOException {
        Process p = new ProcessBuilder("python3", "-c", """
                import os, socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.bind(sys.argv[1])
                os.chmod(sys.argv[1], 0o777)
                print("listening", flush=True)
                while True:
                    for line in s.recv(4096).decode().split("\\n"):
                        print(line, flush=True)
                """, socket.toString()).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        if (!"listening".equals(out.readLine())) {
            throw new IOException("the notify socket listener did not start");
        }
        Thread reader = new Thread(() -> {
            try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    notified.add(line);
                }
            } catch (IOException e) {
                // the listener ended
            }
        }, "notify-listener");
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    /** Waits for the message {@code expected} (at most 3 minutes: a loaded CI machine starts slowly). */
    private void await(String expected, Process gateway) throws Exception {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < end) {
            String m = notified.poll(1, TimeUnit.SECONDS);
            if (m != null) {
                seen.add(m);
                if (m.equals(expected)) {
                    return;
                }
            } else if (gateway != null && !gateway.isAlive()) {
                throw new AssertionError("the gateway ended (" + gateway.exitValue() + ") before " + expected + "; got "
                        + seen + "\n" + Files.readString(dir.resolve("gateway.log")));
            }
        }
        throw new AssertionError("no " + expected + "; got " + seen + "\n" + Files.readString(dir.resolve("gateway.log")));
    }

    private static String stat(Path p) throws Exception {
        return Sh.run("stat", "-c", "%U:%G %a", p.toString()).ok("stat").out().trim();
    }

    /** The users, groups and systemd's enablement state: what the package touches outside its own files. */
    private static String machine() throws Exception {
        StringBuilder s = new StringBuilder();
        for (String f : MACHINE) {
            s.append(f).append('\n').append(Files.readString(Path.of(f)));
        }
        for (String tree : new String[] {"/etc/systemd/system", "/var/lib/systemd/deb-systemd-helper-enabled",
                "/var/lib/systemd/deb-systemd-helper-masked"}) {
            if (Files.isDirectory(Path.of(tree))) {
                try (Stream<Path> files = Files.walk(Path.of(tree))) {
                    files.sorted().forEach(f -> s.append(f).append('\n'));
                }
            }
        }
        return s.toString();
    }
}
