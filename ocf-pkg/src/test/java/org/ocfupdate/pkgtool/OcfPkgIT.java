package org.ocfupdate.pkgtool;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vendor's package tool as vendors run it: {@code java -jar ocf-pkg.jar} (docs/operator-contract.md, Commands),
 * a real process; exit 0 done, 1 failed, 2 usage error, and never a stack trace.
 */
class OcfPkgIT {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    static Path jar() {
        return Paths.get(System.getProperty("ocf.pkg.jar", "target/ocf-pkg.jar")).toAbsolutePath();
    }

    @BeforeAll
    static void jarExists() {
        assertTrue(Files.isRegularFile(jar()), jar() + " was not built");
    }

    Result ocfPkg(Object... args) throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-jar", jar().toString()));
        for (Object a : args) {
            cmd.add(a.toString());
        }
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectInput(new File("/dev/null"))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ocf-pkg did not finish: " + cmd);
        Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        for (String line : (r.out + r.err).split("\n")) {
            assertFalse(line.startsWith("\tat ") || line.contains("Exception in thread"), "a stack trace:\n" + r.err);
        }
        return r;
    }

    Result expect(int code, Object... args) throws Exception {
        Result r = ocfPkg(args);
        assertEquals(code, r.code, "ocf-pkg " + List.of(args) + "\nstdout: " + r.out + "\nstderr: " + r.err);
        if (code == 1) {
            assertTrue(r.err.startsWith("ocf-pkg: ") && r.err.strip().lines().count() == 1, r.err);
        }
        return r;
    }

    Path bundle(String name, String bsn) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (bsn != null) {
            m.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
            m.getMainAttributes().putValue("Bundle-SymbolicName", bsn);
            m.getMainAttributes().putValue("Bundle-Version", "1.1.0");
        }
        Path p = dir.resolve(name);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(p), m)) {
            out.putNextEntry(new ZipEntry("com/example/readme.txt"));
            out.write("hello".getBytes(UTF_8));
        }
        return p;
    }

    @Test
    void theJarHoldsOnlyThePackageToolAndJackson() throws Exception {
        try (JarFile jar = new JarFile(jar().toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("org.ocfupdate.pkgtool.OcfPkg", main.getValue("Main-Class"));
            // not a bundle: none of the OSGi headers (ocf-pkg/pom.xml removes them one by one)
            assertEquals(Set.of("Manifest-Version", "Main-Class", "Multi-Release"),
                    main.keySet().stream().map(Object::toString).collect(Collectors.toSet()));
            for (ZipEntry e : Collections.list(jar.entries())) {
                String n = e.getName();
                assertFalse(n.matches("META-INF/[^/]*\\.(SF|RSA|DSA|EC)") || n.endsWith("module-info.class"), n);
                if (n.endsWith(".class")) {
                    assertTrue(n.startsWith("org/ocfupdate/update/engine/internal/pkg/")
                            || n.startsWith("org/ocfupdate/gateway/support/Keys") || n.startsWith("org/ocfupdate/pkgtool/")
                            || n.equals("org/ocfupdate/pstat/api/provider/SemanticVersion.class")
                            || n.matches("(META-INF/versions/\\d+/)?com/fasterxml/jackson/.*"), n);
                }
            }
        }
        assertTrue(Files.size(jar()) < 4_000_000, "ocf-pkg.jar is " + Files.size(jar()) + " bytes");
    }

    @Test
    void keygenCreateVerify() throws Exception {
        for (String algorithm : List.of("ec", "ed25519")) {
            Path priv = dir.resolve(algorithm + ".pem");
            Path pub = dir.resolve(algorithm + ".pub.pem");
            expect(0, "keygen", "--private", priv, "--public", pub, "--algorithm", algorithm);
            assertTrue(Files.readString(priv).startsWith("-----BEGIN PRIVATE KEY-----"));
            assertTrue(Files.readString(pub).startsWith("-----BEGIN PUBLIC KEY-----"));
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(priv)));
            expect(1, "keygen", "--private", priv, "--public", dir.resolve("new.pem"));

            Path pkg = dir.resolve("app-" + algorithm + ".zip");
            Files.writeString(dir.resolve("app.cfg"), "speed=3\n");
            expect(0, "create", "--key", priv, "--version", "1.1.0", "--out", pkg, "--name", "demo",
                    "--bundle", bundle("app.jar", "com.example.app"), "--file", dir.resolve("app.cfg"));
            Result valid = expect(0, "verify", "--key", pub, pkg);
            assertEquals("valid: demo 1.1.0, 2 artifacts, signed by " + pub, valid.out.strip());
        }
        Path pkg = dir.resolve("app-ec.zip");
        assertTrue(expect(1, "verify", "--key", dir.resolve("ed25519.pub.pem"), pkg).err.contains("does not verify"));
        assertTrue(expect(1, "verify", "--key", dir.resolve("ec.pub.pem"), tampered(pkg, "files/app.cfg")).err
                .contains("SHA-256 does not match"));
        assertTrue(expect(1, "create", "--key", dir.resolve("ec.pem"), "--version", "1.2.0", "--out", "x.zip",
                "--bundle", bundle("plain.jar", null)).err.contains("Bundle-SymbolicName"));
        assertTrue(expect(1, "verify", "--key", dir.resolve("none.pem"), pkg).err.contains("no such file"));
        assertFalse(Files.exists(dir.resolve("x.zip")));
    }

    /** The package with one byte of {@code path} changed, manifest and signature as they were. */
    Path tampered(Path pkg, String path) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(pkg.toFile())) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                entries.put(e.getName(), zip.getInputStream(e).readAllBytes());
            }
        }
        entries.get(path)[0] ^= 0x20;
        Path out = dir.resolve("tampered.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(out))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return out;
    }

    @Test
    void usage() throws Exception {
        Result help = expect(0, "--help");
        assertTrue(help.out.contains("keygen --private") && help.out.contains("create --key")
                && help.out.contains("verify --key"), help.out);
        assertTrue(expect(0, "create", "--help").out.startsWith("usage: ocf-pkg create --key FILE --version SEMVER"));
        assertTrue(expect(2).err.contains("usage: "));
        assertTrue(expect(2, "frobnicate").err.contains("unknown sub-command"));
        assertTrue(expect(2, "verify", "p.zip").err.contains("missing option --key"));
        assertTrue(expect(2, "verify", "p.zip", "--key").err.contains("option --key needs a value"));
        assertTrue(expect(2, "create", "--key", "k.pem", "--verzion", "1.0.0").err
                .contains("unknown option --verzion"));
    }

    /** A package built the way the README shows with zip and openssl, and a SEC1 key for create. */
    @Test
    void interoperatesWithOpenssl() throws Exception {
        run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "vendor.pem");
        run("openssl", "ec", "-in", "vendor.pem", "-pubout", "-out", "vendor.pub.pem");
        Files.createDirectories(dir.resolve("files"));
        byte[] data = "vendor payload\n".getBytes(UTF_8);
        Files.write(dir.resolve("files/app.txt"), data);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        Files.writeString(dir.resolve("manifest.json"), "{\"name\": \"by hand\", \"version\": \"2.0.0\", "
                + "\"artifacts\": [{\"path\": \"files/app.txt\", \"sha256\": \"" + sha + "\", \"size\": " + data.length
                + ", \"type\": \"file\"}]}\n");
        run("openssl", "dgst", "-sha256", "-sign", "vendor.pem", "-out", "manifest.json.sig", "manifest.json");
        run("zip", "-q", "-r", "by-hand.zip", "manifest.json", "manifest.json.sig", "files");
        assertEquals("valid: by hand 2.0.0, 1 artifact, signed by vendor.pub.pem",
                expect(0, "verify", "--key", "vendor.pub.pem", "by-hand.zip").out.strip());

        expect(0, "create", "--key", "vendor.pem", "--version", "2.0.1", "--out", "by-tool.zip",
                "--file", "files/app.txt");
        expect(0, "verify", "--key", "vendor.pub.pem", "by-tool.zip");
        Files.createDirectories(dir.resolve("x"));
        run("unzip", "-q", "by-tool.zip", "-d", "x");
        run("openssl", "dgst", "-sha256", "-verify", "vendor.pub.pem", "-signature", "x/manifest.json.sig",
                "x/manifest.json");
    }

    void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
    }
}
