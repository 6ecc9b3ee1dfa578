package org.ocfupdate.pkgtool;

import org.ocfupdate.pstat.api.provider.SemanticVersion;
import org.ocfupdate.gateway.support.Keys;
import org.ocfupdate.update.engine.internal.pkg.PackageVerifier;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class OcfPkgTest {
    static String sha(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    }

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    static Result ocfPkg(Object... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] strings = java.util.Arrays.stream(args).map(String::valueOf).toArray(String[]::new);
        int code = OcfPkg.run(strings, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));
        Result r = new Result(code, out.toString(UTF_8), err.toString(UTF_8));
        assertFalse(r.err.contains("\tat ") || r.err.contains("Exception"), "a stack trace: " + r.err);
        return r;
    }

    static Result ok(Object... args) {
        Result r = ocfPkg(args);
        assertEquals(0, r.code, r.err);
        return r;
    }

    static String failure(int expected, Object... args) {
        Result r = ocfPkg(args);
        assertEquals(expected, r.code, r.out + r.err);
        assertTrue(r.err.startsWith("ocf-pkg: ") || expected == 2, r.err);
        return r.err;
    }

    /** A minimal OSGi bundle (or, without a symbolic name, a plain JAR). */
    Path jar(String name, String bsn) throws IOException {
        java.util.jar.Manifest m = new java.util.jar.Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (bsn != null) {
            m.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
            m.getMainAttributes().putValue("Bundle-SymbolicName", bsn);
        }
        Path p = dir.resolve(name);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(p), m)) {
            out.putNextEntry(new ZipEntry("readme.txt"));
            out.write(("this is " + name).getBytes(UTF_8));
        }
        return p;
    }

    Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ec", "ed25519"})
    void keygenCreateVerify(String algorithm) throws Exception {
        Path priv = dir.resolve("key.pem");
        Path pub = dir.resolve("pub.pem");
        ok("keygen", "--private", priv, "--public", pub, "--algorithm", algorithm);
        assertTrue(Files.readString(priv).startsWith("-----BEGIN PRIVATE KEY-----\n"));
        assertTrue(Files.readString(pub).startsWith("-----BEGIN PUBLIC KEY-----\n"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(priv)));
        assertEquals(algorithm.equals("ec") ? "EC" : "EdDSA", Keys.readPublic(pub).getAlgorithm());

        Path bundle = jar("app-1.1.0.jar", "com.example.app");
        Path cfg = file("app.cfg", "speed=3\n");
        Path pkg = dir.resolve("release-1.1.0.zip");
        Result created = ok("create", "--key", priv, "--version", "1.1.0", "--out", pkg, "--bundle", bundle,
                "--file", cfg);
        assertTrue(created.out.contains(pkg.toString()), created.out);

        JsonNode manifest;
        try (ZipFile zip = new ZipFile(pkg.toFile())) {
            List<String> names = Collections.list(zip.entries()).stream().map(ZipEntry::getName).toList();
            assertEquals(List.of("manifest.json", "manifest.json.sig", "bundles/app-1.1.0.jar", "files/app.cfg"),
                    names);
            manifest = new ObjectMapper().readTree(zip.getInputStream(zip.getEntry("manifest.json")));
            assertArrayEquals(Files.readAllBytes(bundle), zip.getInputStream(zip.getEntry("bundles/app-1.1.0.jar"))
                    .readAllBytes());
        }
        assertEquals("release-1.1.0", manifest.get("name").textValue());
        assertEquals("1.1.0", manifest.get("version").textValue());
        assertEquals("bundle", manifest.at("/artifacts/0/type").textValue());
        assertEquals(Files.size(bundle), manifest.at("/artifacts/0/size").longValue());
        assertEquals(sha(Files.readAllBytes(bundle)),
                manifest.at("/artifacts/0/sha256").textValue());
        assertEquals("files/app.cfg", manifest.at("/artifacts/1/path").textValue());
        assertEquals("file", manifest.at("/artifacts/1/type").textValue());

        Result valid = ok("verify", "--key", pub, pkg);
        assertEquals("valid: release-1.1.0 1.1.0, 2 artifacts, signed by " + pub + "\n", valid.out);

        // and what the gateway does with it
        PackageVerifier.verify(pkg, List.of(Keys.readPublic(pub)), SemanticVersion.parse("1.0.0"));
    }

    @Test
    void refusesAnotherKeyAndATamperedArtifact() throws Exception {
        ok("keygen", "--private", dir.resolve("a.pem"), "--public", dir.resolve("a.pub"));
        ok("keygen", "--private", dir.resolve("b.pem"), "--public", dir.resolve("b.pub"), "--algorithm", "ed25519");
        Path pkg = dir.resolve("p.zip");
        ok("create", "--key", dir.resolve("a.pem"), "--version", "2.0.0-rc.1", "--out", pkg, "--name", "demo",
                "--file", file("data.bin", "0123456789"));
        assertTrue(ok("verify", "--key", dir.resolve("a.pub"), pkg).out
                .startsWith("valid: demo 2.0.0-rc.1, 1 artifact,"));

        assertTrue(failure(1, "verify", "--key", dir.resolve("b.pub"), pkg).contains("does not verify"));

        // the same manifest and signature, one byte of the artifact changed
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(pkg.toFile())) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                entries.put(e.getName(), zip.getInputStream(e).readAllBytes());
            }
        }
        entries.get("files/data.bin")[3] ^= 1;
        Path tampered = dir.resolve("tampered.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(tampered))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        String reason = failure(1, "verify", "--key", dir.resolve("a.pub"), tampered);
        assertTrue(reason.contains("files/data.bin: SHA-256 does not match the manifest"), reason);

        assertTrue(failure(1, "verify", "--key", dir.resolve("a.pub"), dir.resolve("missing.zip"))
                .contains("no such file"));
        assertTrue(failure(1, "verify", "--key", dir.resolve("a.pem"), pkg).contains("no PEM block 'PUBLIC KEY'"));
        Files.writeString(dir.resolve("junk.zip"), "not a zip");
        assertTrue(failure(1, "verify", "--key", dir.resolve("a.pub"), dir.resolve("junk.zip"))
                .contains("not a valid zip"));
    }

    @Test
    void usage() {
        Result help = ok("--help");
        assertTrue(help.out.contains("keygen --private FILE --public FILE [--algorithm ec|ed25519]"), help.out);
        assertTrue(help.out.contains("create --key FILE --version SEMVER --out FILE"), help.out);
        assertTrue(help.out.contains("verify --key FILE PACKAGE"), help.out);
        for (String command : List.of("keygen", "create", "verify")) {
            Result r = ok(command, "--help");
            assertTrue(r.out.startsWith("usage: ocf-pkg " + command + " "), r.out);
        }
        assertTrue(failure(2).contains("usage: "));
        assertTrue(failure(2, "sign", "x").contains("unknown sub-command 'sign'"));
        assertTrue(failure(2, "verify", "p.zip").contains("missing option --key"));
        assertTrue(failure(2, "verify", "p.zip", "--key").contains("option --key needs a value"));
        assertTrue(failure(2, "verify", "--key", "--help-me", "p.zip").contains("option --key needs a value"));
        assertTrue(failure(2, "verify", "--key", "k.pem").contains("missing PACKAGE"));
        assertTrue(failure(2, "verify", "--key", "k.pem", "a.zip", "b.zip").contains("unexpected argument b.zip"));
        assertTrue(failure(2, "keygen", "--private", "a", "--public", "b", "--colour", "red")
                .contains("unknown option --colour"));
        assertTrue(failure(2, "keygen", "--private", "a", "--public", "b", "--algorithm", "rsa")
                .contains("ec or ed25519"));
        assertTrue(failure(2, "create", "--key", "k", "--version", "1.0.0", "--out", "o.zip").contains("at least one"));
        assertTrue(failure(2, "create", "--key", "k", "--key", "k2", "--version", "1.0.0", "--out", "o.zip",
                "--file", "f")
                .contains("--key given twice"));
    }

    @Test
    void keygenRefusesToOverwrite() throws Exception {
        Path priv = file("key.pem", "precious");
        Path pub = dir.resolve("pub.pem");
        assertTrue(failure(1, "keygen", "--private", priv, "--public", pub).contains("already exists"));
        assertEquals("precious", Files.readString(priv));
        assertFalse(Files.exists(pub));
        ok("keygen", "--private", dir.resolve("k2.pem"), "--public", pub);
        String before = Files.readString(pub);
        assertTrue(failure(1, "keygen", "--private", dir.resolve("k3.pem"), "--public", pub)
                .contains("already exists"));
        assertEquals(before, Files.readString(pub));
        assertFalse(Files.exists(dir.resolve("k3.pem")));
    }

    @Test
    void createRefusesBadInputAndLeavesNothingBehind() throws Exception {
        ok("keygen", "--private", dir.resolve("k.pem"), "--public", dir.resolve("k.pub"));
        Path out = Files.createDirectories(dir.resolve("out")).resolve("p.zip");
        String reason = failure(1, "create", "--key", dir.resolve("k.pem"), "--version", "1.0.0", "--out", out,
                "--bundle", jar("plain.jar", null));
        assertTrue(reason.contains("plain.jar is not an OSGi bundle"), reason);
        reason = failure(1, "create", "--key", dir.resolve("k.pem"), "--version", "1.0.0", "--out", out,
                "--bundle", file("notes.txt", "not a jar"));
        assertTrue(reason.contains("notes.txt is not a JAR"), reason);
        reason = failure(1, "create", "--key", dir.resolve("k.pem"), "--version", "1.0", "--out", out,
                "--file", file("a.txt", "a"));
        assertTrue(reason.contains("not a semantic version: 1.0"), reason);
        Files.createDirectories(dir.resolve("other"));
        reason = failure(1, "create", "--key", dir.resolve("k.pem"), "--version", "1.0.0", "--out", out,
                "--file", dir.resolve("a.txt"), "--file", file("other/a.txt", "b"));
        assertTrue(reason.contains("files/a.txt"), reason);
        reason = failure(1, "create", "--key", dir.resolve("k.pub"), "--version", "1.0.0", "--out", out,
                "--file", dir.resolve("a.txt"));
        assertTrue(reason.contains("no PEM block 'PRIVATE KEY'"), reason);
        reason = failure(1, "create", "--key", dir.resolve("k.pem"), "--version", "1.0.0", "--out", out,
                "--file", dir.resolve("nothing.txt"));
        assertTrue(reason.contains("no such file: " + dir.resolve("nothing.txt")), reason);
        try (var left = Files.list(out.getParent())) {
            assertEquals(List.of(), left.toList()); // neither a package nor a temporary file
        }
        // a bundle and a file may share a name: they live in different folders
        ok("create", "--key", dir.resolve("k.pem"), "--version", "1.0.0", "--out", out, "--bundle",
                jar("x.jar", "x"), "--file", file("other/x.jar", "not a bundle"));
        try (var left = Files.list(out.getParent())) {
            assertEquals(List.of(out), left.toList());
        }
    }

    @Test
    void signsWithAnOpensslSec1KeyAndOpensslVerifies() throws Exception {
        run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "k.pem");
        run("openssl", "ec", "-in", "k.pem", "-pubout", "-out", "pub.pem");
        assertTrue(Files.readString(dir.resolve("k.pem")).contains("BEGIN EC PRIVATE KEY"));
        Path pkg = dir.resolve("vendor.zip");
        ok("create", "--key", dir.resolve("k.pem"), "--version", "3.0.0", "--out", pkg, "--file", file("f.txt", "f"));
        ok("verify", "--key", dir.resolve("pub.pem"), pkg);
        Path x = Files.createDirectories(dir.resolve("x"));
        run("unzip", "-q", pkg.toString(), "-d", x.toString());
        run("openssl", "dgst", "-sha256", "-verify", "pub.pem", "-signature", "x/manifest.json.sig", "x/manifest.json");
    }

    @Test
    void opensslVerifiesEd25519Packages() throws Exception {
        ok("keygen", "--private", dir.resolve("k.pem"), "--public", dir.resolve("pub.pem"), "--algorithm", "ed25519");
        Path pkg = dir.resolve("ed.zip");
        ok("create", "--key", dir.resolve("k.pem"), "--version", "1.0.1", "--out", pkg, "--file", file("f.txt", "f"));
        Path x = Files.createDirectories(dir.resolve("x"));
        run("unzip", "-q", pkg.toString(), "-d", x.toString());
        run("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "x/manifest.json",
                "-sigfile", "x/manifest.json.sig");
        // and openssl reads the PKCS#8 private key keygen wrote
        run("openssl", "pkey", "-in", "k.pem", "-noout");
    }

    void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
    }
}
