package org.ocfupdate.gateway.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** target/ocf-update-gateway_RELEASE_all.deb: its control data and contents (dpkg-deb), and its systemd unit. */
class DebPackageIT {
    static final Path DEB = Path.of(System.getProperty("ocf.deb", "target/ocf-update-gateway_1.0.0_all.deb"));

    @TempDir
    Path dir;

    @Test
    void controlData() throws Exception {
        Sh fields = Sh.run("dpkg-deb", "-f", DEB.toString(), "Package", "Architecture", "Depends", "Version").ok("dpkg-deb -f");
        assertTrue(fields.out().contains("Package: ocf-update-gateway\n"), fields.out());
        assertTrue(fields.out().contains("Architecture: all\n"), fields.out());
        assertTrue(fields.out().contains("Depends: openjdk-17-jre-headless (>= 17.0.9) | java21-runtime-headless"
                + " | java-runtime-headless (>= 21), adduser\n"),
                fields.out());
        String version = DEB.getFileName().toString().split("_")[1];
        assertTrue(fields.out().contains("Version: " + version + "\n"), "the file name's version: " + fields.out());

        Path control = dir.resolve("control");
        Sh.run("dpkg-deb", "-e", DEB.toString(), control.toString()).ok("dpkg-deb -e");
        assertEquals("/etc/ocf-update-gateway/README", Files.readString(control.resolve("conffiles")).trim());
        for (String script : new String[] {"postinst", "prerm", "postrm"}) {
            assertTrue(Files.isExecutable(control.resolve(script)), script);
            Sh.run("sh", "-n", control.resolve(script).toString()).ok("sh -n " + script);
        }
        String postinst = Files.readString(control.resolve("postinst"));
        assertTrue(postinst.contains("adduser --system --group"), "the system user and group");
        String postrm = Files.readString(control.resolve("postrm"));
        assertTrue(postrm.contains("\"$1\" = purge") && postrm.contains("rm -rf /etc/ocf-update-gateway /var/lib/ocf-update-gateway"),
                "only purge removes configuration and state");
    }

    @Test
    void contents() throws Exception {
        Map<String, String> files = new TreeMap<>();
        for (String line : Sh.lines(Sh.run("dpkg-deb", "-c", DEB.toString()).ok("dpkg-deb -c").out())) {
            String[] f = line.split("\\s+");
            files.put(f[5].replaceFirst("^\\./", "/"), f[0] + " " + f[1]);
        }
        assertEquals("-rw-r--r-- root/root", files.get("/usr/share/ocf-update-gateway/gateway.jar"));
        assertEquals("-rw-r--r-- root/root", files.get("/usr/share/ocf-update-gateway/ocf-pkg.jar"));
        assertEquals("-rw-r--r-- root/root", files.get("/usr/share/ocf-update-gateway/jvm.options"));
        assertEquals("-rwxr-xr-x root/root", files.get("/usr/bin/ocf-update-gateway"));
        assertEquals("-rwxr-xr-x root/root", files.get("/usr/bin/ocf-pkg"));
        assertEquals("-rw-r--r-- root/root", files.get("/lib/systemd/system/ocf-update-gateway.service"));
        assertEquals("-rw-r--r-- root/root", files.get("/etc/ocf-update-gateway/README"));
        assertTrue(files.keySet().stream().allMatch(f -> f.startsWith("/usr/") || f.startsWith("/lib/")
                || f.startsWith("/etc/ocf-update-gateway") || f.equals("/etc/")), "nothing else: " + files.keySet());

        Path root = dir.resolve("root");
        Sh.run("dpkg-deb", "-x", DEB.toString(), root.toString()).ok("dpkg-deb -x");
        assertEquals(Files.size(Path.of(System.getProperty("gateway.jar", "target/gateway.jar"))),
                Files.size(root.resolve("usr/share/ocf-update-gateway/gateway.jar")), "the gateway.jar of this build");
        Sh.run("bash", "-n", root.resolve("usr/bin/ocf-update-gateway").toString()).ok("bash -n launcher");
    }

    @Test
    void theUnitPassesSystemdAnalyzeVerify() throws Exception {
        Path root = dir.resolve("root");
        Sh.run("dpkg-deb", "-x", DEB.toString(), root.toString()).ok("dpkg-deb -x");
        String unit = Files.readString(root.resolve("lib/systemd/system/ocf-update-gateway.service"));
        for (String line : new String[] {"Type=notify", "WatchdogSec=", "Restart=on-failure", "User=ocf-gateway",
                "StateDirectory=ocf-update-gateway", "ConfigurationDirectory=ocf-update-gateway", "NoNewPrivileges=yes",
                "ProtectSystem=strict", "ReadWritePaths=/var/lib/ocf-update-gateway", "ProtectHome=yes",
                "PrivateTmp=yes", "CapabilityBoundingSet=\n"}) {
            assertTrue(unit.contains(line), line);
        }
        // verify checks that ExecStart's command exists: the package's own launcher, where it was extracted (the
        // installed unit itself is verified by DebInstallIT, as root)
        Path copy = dir.resolve("ocf-update-gateway.service");
        Files.writeString(copy, unit.replace("ExecStart=/usr/bin/ocf-update-gateway",
                "ExecStart=" + root.resolve("usr/bin/ocf-update-gateway")));
        Sh verify = Sh.run("systemd-analyze", "verify", copy.toString());
        assertEquals(0, verify.code(), verify.out());
        assertEquals("", verify.out().trim(), "no warning either");
    }
}
