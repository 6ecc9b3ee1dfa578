package org.ocfupdate.update.engine.internal.pkg;

import org.ocfupdate.gateway.support.Keys;
import org.ocfupdate.pstat.api.provider.SemanticVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Verifies an update package without extracting it: entry names, the signature of {@code manifest.json} against
 * the trusted keys, the version against the running one, then every artifact streamed once through SHA-256
 * with its size enforced while reading (an entry that inflates past its declared size is cut off: a zip bomb
 * costs at most the declared size). Memory does not depend on the package size.
 */
public final class PackageVerifier {
    private static final int MAX_MANIFEST = 1 << 20;
    private static final int MAX_SIGNATURE = 1024;

    /** A package that passed every check. */
    public record Verified(Manifest manifest, PublicKey signer) {
    }

    private PackageVerifier() {
    }

    public static Verified verify(Path zip, List<PublicKey> trusted, SemanticVersion running) throws PackageException, IOException {
        try (ZipFile file = new ZipFile(zip.toFile())) {
            Map<String, ZipEntry> entries = entries(file);
            byte[] manifestBytes = read(file, entries.get(Manifest.FILE), MAX_MANIFEST);
            byte[] signature = read(file, entries.get(Manifest.SIGNATURE), MAX_SIGNATURE);
            PublicKey signer = trusted.stream().filter(k -> Keys.verify(k, manifestBytes, signature)).findFirst()
                    .orElseThrow(() -> PackageException.invalid(trusted.isEmpty()
                            ? "no trusted signing key is configured (org.ocfupdate.trust keys)"
                            : "the signature of manifest.json does not verify with any trusted key"));
            Manifest manifest = Manifest.parse(manifestBytes);
            if (running != null && manifest.version().compareTo(running) <= 0) {
                throw PackageException.invalid("version " + manifest.version() + " is not newer than the running "
                        + running);
            }
            for (Manifest.Artifact a : manifest.artifacts()) {
                ZipEntry entry = entries.get(a.path());
                if (entry == null) {
                    throw PackageException.invalid("artifact " + a.path() + " is missing from the package");
                }
                check(file, entry, a);
            }
            return new Verified(manifest, signer);
        } catch (ZipException e) {
            throw PackageException.invalid("not a valid zip file: " + e.getMessage());
        }
    }

    private static Map<String, ZipEntry> entries(ZipFile file) throws PackageException {
        Map<String, ZipEntry> entries = new HashMap<>();
        for (Enumeration<? extends ZipEntry> e = file.entries(); e.hasMoreElements();) {
            ZipEntry entry = e.nextElement();
            if (entry.isDirectory()) {
                continue; // zip -r adds them; they carry nothing
            }
            Manifest.checkPath(entry.getName());
            if (entries.putIfAbsent(entry.getName(), entry) != null) {
                throw PackageException.invalid("duplicate entry " + entry.getName());
            }
        }
        return entries;
    }

    private static void check(ZipFile file, ZipEntry entry, Manifest.Artifact a) throws PackageException, IOException {
        MessageDigest sha = sha256Digest();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        try (InputStream in = file.getInputStream(entry)) {
            for (int n; (n = in.read(buf)) > 0;) {
                total += n;
                if (total > a.size()) {
                    throw PackageException.invalid(a.path() + " is larger than its declared " + a.size() + " bytes");
                }
                sha.update(buf, 0, n);
            }
        } catch (ZipException e) {
            throw PackageException.invalid(a.path() + ": corrupt data: " + e.getMessage());
        }
        if (total != a.size()) {
            throw PackageException.invalid(a.path() + " has " + total + " bytes, declared " + a.size());
        }
        if (!HexFormat.of().formatHex(sha.digest()).equals(a.sha256())) {
            throw PackageException.invalid(a.path() + ": SHA-256 does not match the manifest");
        }
    }

    private static byte[] read(ZipFile file, ZipEntry entry, int max) throws PackageException, IOException {
        if (entry == null) {
            throw PackageException.invalid("the package has no " + (max == MAX_SIGNATURE ? Manifest.SIGNATURE
                    : Manifest.FILE));
        }
        try (InputStream in = file.getInputStream(entry)) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw PackageException.invalid(entry.getName() + " is larger than " + max + " bytes");
            }
            return bytes;
        }
    }

    public static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
