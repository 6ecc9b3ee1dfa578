package org.ocfupdate.update.engine.internal.pkg;

import org.ocfupdate.gateway.support.Keys;
import org.ocfupdate.pstat.api.provider.SemanticVersion;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageVerifierTest {
    static KeyPair ec;
    static KeyPair ed;
    static final SemanticVersion RUNNING = SemanticVersion.parse("1.0.0");

    @TempDir
    Path dir;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        ec = g.generateKeyPair();
        ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static String manifest(String version, String path, byte[] content) throws Exception {
        return manifest(version, path, sha(content), content.length);
    }

    static String manifest(String version, String path, String sha, long size) {
        return "{\"name\":\"test\",\"version\":\"" + version + "\",\"artifacts\":[{\"path\":\"" + path.replace("\\", "\\\\")
                + "\",\"sha256\":\"" + sha + "\",\"size\":" + size + ",\"type\":\"file\"}]}";
    }

    Path zip(Map<String, byte[]> entries) throws IOException {
        Path p = Files.createTempFile(dir, "pkg", ".zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(p))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        return p;
    }

    Path signed(String manifest, KeyPair key, Map<String, byte[]> artifacts) throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("manifest.json", manifest.getBytes(UTF_8));
        entries.put("manifest.json.sig", Keys.sign(key.getPrivate(), manifest.getBytes(UTF_8)));
        entries.putAll(artifacts);
        return zip(entries);
    }

    String refusal(Path pkg, List<PublicKey> keys) {
        return assertThrows(PackageException.class, () -> PackageVerifier.verify(pkg, keys, RUNNING)).getMessage();
    }

    @Test
    void acceptsEcdsaAndEd25519SignedPackages() throws Exception {
        byte[] data = "payload".getBytes(UTF_8);
        for (KeyPair k : List.of(ec, ed)) {
            Path pkg = signed(manifest("1.1.0", "files/a.txt", data), k, Map.of("files/a.txt", data));
            PackageVerifier.Verified v = PackageVerifier.verify(pkg, List.of(ed.getPublic(), ec.getPublic()), RUNNING);
            assertEquals("1.1.0", v.manifest().version().toString());
            assertEquals(k.getPublic(), v.signer());
        }
    }

    @Test
    void acceptsAPackageBuiltWithZipAndOpenssl() throws Exception {
        Path work = Files.createDirectories(dir.resolve("vendor"));
        run(work, "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "key.pem");
        run(work, "openssl", "ec", "-in", "key.pem", "-pubout", "-out", "pub.pem");
        Files.createDirectories(work.resolve("ocf"));
        byte[] data = "vendor payload\n".getBytes(UTF_8);
        Files.write(work.resolve("ocf/app.txt"), data);
        Files.writeString(work.resolve("manifest.json"), manifest("2.0.0", "ocf/app.txt", data));
        run(work, "openssl", "dgst", "-sha256", "-sign", "key.pem", "-out", "manifest.json.sig", "manifest.json");
        run(work, "zip", "-q", "-r", "pkg.zip", "manifest.json", "manifest.json.sig", "ocf");
        PublicKey pub = Keys.readPublic(work.resolve("pub.pem"));
        assertEquals("2.0.0", PackageVerifier.verify(work.resolve("pkg.zip"), List.of(pub), RUNNING).manifest()
                .version().toString());
        // and the SEC1 private key that openssl wrote signs what the public key verifies
        byte[] sig = Keys.sign(Keys.readPrivate(work.resolve("key.pem")), data);
        assertTrue(Keys.verify(pub, data, sig));
    }

    @Test
    void refusesABadOrUnknownSignature() throws Exception {
        byte[] data = "x".getBytes(UTF_8);
        Path pkg = signed(manifest("1.1.0", "a", data), ec, Map.of("a", data));
        assertTrue(refusal(pkg, List.of(ed.getPublic())).contains("does not verify"));
        assertTrue(refusal(pkg, List.of()).contains("no trusted signing key"));
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("manifest.json", manifest("1.1.0", "a", data).getBytes(UTF_8));
        entries.put("a", data);
        assertTrue(refusal(zip(entries), List.of(ec.getPublic())).contains("no manifest.json.sig"));
    }

    @Test
    void refusesADigestOrSizeMismatch() throws Exception {
        byte[] data = "x".getBytes(UTF_8);
        Path pkg = signed(manifest("1.1.0", "a", sha("y".getBytes(UTF_8)), 1), ec, Map.of("a", data));
        assertTrue(refusal(pkg, List.of(ec.getPublic())).contains("SHA-256 does not match"));
        pkg = signed(manifest("1.1.0", "a", sha(data), 2), ec, Map.of("a", data));
        assertTrue(refusal(pkg, List.of(ec.getPublic())).contains("has 1 bytes, declared 2"));
    }

    @Test
    void cutsOffAnEntryLargerThanDeclared() throws Exception {
        byte[] bomb = new byte[8 * 1024 * 1024]; // 8 MB of zeros deflate to a few KB
        Path pkg = signed(manifest("1.1.0", "a", sha(new byte[10]), 10), ec, Map.of("a", bomb));
        assertTrue(refusal(pkg, List.of(ec.getPublic())).contains("larger than its declared 10 bytes"));
    }

    @Test
    void refusesADowngradeAndTheSameVersion() throws Exception {
        byte[] data = "x".getBytes(UTF_8);
        for (String v : List.of("0.9.0", "1.0.0", "1.0.0-rc.1")) {
            Path pkg = signed(manifest(v, "a", data), ec, Map.of("a", data));
            assertTrue(refusal(pkg, List.of(ec.getPublic())).contains("is not newer than the running 1.0.0"), v);
        }
    }

    @Test
    void refusesTraversalAbsoluteAndBackslashPaths() throws Exception {
        byte[] data = "x".getBytes(UTF_8);
        for (String path : List.of("../evil", "a/../../evil", "/etc/passwd", "a\\..\\b", "./a", "C:/x")) {
            Map<String, byte[]> entries = new LinkedHashMap<>();
            entries.put("manifest.json", "{}".getBytes(UTF_8));
            entries.put(path, data);
            assertTrue(refusal(zip(entries), List.of(ec.getPublic())).contains("path not allowed"), path);
            Path listed = signed(manifest("1.1.0", path, data), ec, Map.of("ok", data));
            assertTrue(refusal(listed, List.of(ec.getPublic())).contains("path not allowed"), path);
        }
    }

    @Test
    void refusesDuplicateEntries() throws Exception {
        byte[] data = "x".getBytes(UTF_8);
        Path pkg = signed(manifest("1.1.0", "a.txt", data), ec, new LinkedHashMap<>(Map.of("a.txt", data)));
        // append a second entry, then rename it in place to a.txt in both the local and central headers
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (var zf = new java.util.zip.ZipFile(pkg.toFile())) {
            for (var e : java.util.Collections.list(zf.entries())) {
                entries.put(e.getName(), zf.getInputStream(e).readAllBytes());
            }
        }
        entries.put("b.txt", "evil".getBytes(UTF_8));
        byte[] bytes = Files.readAllBytes(zip(entries));
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).replace("b.txt", "a.txt");
        Path dup = dir.resolve("dup.zip");
        Files.write(dup, text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertTrue(refusal(dup, List.of(ec.getPublic())).contains("duplicate entry a.txt"));
    }

    @Test
    void refusesACorruptZipAndABadManifest() throws Exception {
        Path junk = dir.resolve("junk.zip");
        Files.write(junk, "PK\u0003\u0004 this is not a zip".getBytes(UTF_8));
        assertTrue(refusal(junk, List.of(ec.getPublic())).contains("not a valid zip"));
        Path pkg = signed("{\"version\":\"1.2\",\"artifacts\":[]}", ec, Map.of());
        assertTrue(refusal(pkg, List.of(ec.getPublic())).contains("not a semantic version"));
    }

    @Test
    void semanticVersionPrecedence() {
        List<String> ordered = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.10.0", "2.0.0");
        for (int i = 1; i < ordered.size(); i++) {
            assertTrue(SemanticVersion.parse(ordered.get(i - 1)).compareTo(SemanticVersion.parse(ordered.get(i))) < 0, ordered.get(i));
        }
        assertEquals(0, SemanticVersion.parse("1.0.0+build.5").compareTo(SemanticVersion.parse("1.0.0")));
        assertThrows(IllegalArgumentException.class, () -> SemanticVersion.parse("01.0.0"));
        assertThrows(IllegalArgumentException.class, () -> SemanticVersion.parse("1.0"));
    }

    static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
    }
}
