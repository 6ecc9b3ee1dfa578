package org.ocfupdate.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Vendor keys and signed update packages (docs/operator-contract.md, Update package format), as a vendor makes them,
 * for the tests of every module.
 */
public final class SignedPackages {
    private SignedPackages() {
    }

    /** A new ECDSA P-256 key pair. */
    public static KeyPair ecKey() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** Writes the public key as PEM, as {@code org.ocfupdate.trust} {@code keys} expects. */
    public static Path writePublicKey(KeyPair key, Path pem) throws IOException {
        Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(key.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        return pem;
    }

    /**
     * Writes a package signed with {@code key}: manifest.json listing the artifacts (paths under {@code bundles/} are
     * bundles, the others files), its signature, and the artifacts.
     */
    public static Path write(Path zip, KeyPair key, String version, Map<String, byte[]> artifacts)
            throws IOException, GeneralSecurityException {
        StringBuilder list = new StringBuilder();
        for (Map.Entry<String, byte[]> a : artifacts.entrySet()) {
            String sha = sha256(a.getValue());
            list.append(list.length() == 0 ? "" : ",").append("{\"path\":\"").append(a.getKey())
                    .append("\",\"sha256\":\"").append(sha).append("\",\"size\":").append(a.getValue().length)
                    .append(",\"type\":\"").append(a.getKey().startsWith("bundles/") ? "bundle" : "file").append("\"}");
        }
        byte[] manifest = ("{\"name\":\"itest\",\"version\":\"" + version + "\",\"artifacts\":[" + list + "]}").getBytes();
        byte[] signature = sign(key, manifest);
        Files.createDirectories(zip.toAbsolutePath().getParent());
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            put(out, "manifest.json", manifest);
            put(out, "manifest.json.sig", signature);
            for (Map.Entry<String, byte[]> a : artifacts.entrySet()) {
                put(out, a.getKey(), a.getValue());
            }
        }
        return zip;
    }

    /** The vendor's signature of {@code data} (SHA256withECDSA, as for manifest.json and the HTTP descriptor). */
    public static byte[] sign(KeyPair key, byte[] data) throws GeneralSecurityException {
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(key.getPrivate());
        s.update(data);
        return s.sign();
    }

    /** The SHA-256 of {@code data} in lower-case hex, as manifests and offers name it. */
    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static void put(ZipOutputStream out, String name, byte[] data) throws IOException {
        out.putNextEntry(new ZipEntry(name));
        out.write(data);
        out.closeEntry();
    }
}
