package org.ocfupdate.provider.usb.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Update packages as far as the provider looks at them: a zip with manifest.json (no signature needed here). */
final class TestPackages {
    private TestPackages() {
    }

    static Path write(Path zip, String version) throws IOException {
        return write(zip, version, 1024);
    }

    /** A package with a deflated payload of {@code payloadBytes} pseudo-random bytes. */
    static Path write(Path zip, String version, int payloadBytes) throws IOException {
        Files.createDirectories(zip.getParent());
        byte[] payload = new byte[payloadBytes];
        new java.util.Random(payloadBytes).nextBytes(payload);
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("manifest.json"));
            out.write(manifest(version).getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            out.putNextEntry(new ZipEntry("manifest.json.sig"));
            out.write(new byte[70]);
            out.closeEntry();
            out.putNextEntry(new ZipEntry("files/payload.bin"));
            out.write(payload);
            out.closeEntry();
        }
        return zip;
    }

    /** A package whose payload is one stored (uncompressed) entry of {@code megabytes} MiB, after the manifest. */
    static Path writeStored(Path zip, String version, int megabytes) throws IOException {
        Files.createDirectories(zip.getParent());
        byte[] chunk = new byte[1 << 20];
        CRC32 crc = new CRC32();
        for (int i = 0; i < megabytes; i++) {
            crc.update(chunk);
        }
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("manifest.json"));
            out.write(manifest(version).getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            ZipEntry big = new ZipEntry("files/big.bin");
            big.setMethod(ZipEntry.STORED);
            big.setSize((long) megabytes << 20);
            big.setCompressedSize((long) megabytes << 20);
            big.setCrc(crc.getValue());
            out.putNextEntry(big);
            for (int i = 0; i < megabytes; i++) {
                out.write(chunk);
            }
            out.closeEntry();
        }
        return zip;
    }

    static String manifest(String version) {
        return "{\"name\":\"unit\",\"version\":\"" + version + "\",\"artifacts\":[{\"path\":\"files/payload.bin\","
                + "\"sha256\":\"" + "0".repeat(64) + "\",\"size\":1,\"type\":\"file\"}]}";
    }

    static void append(Path file, int bytes) throws IOException {
        try (OutputStream out = Files.newOutputStream(file, java.nio.file.StandardOpenOption.APPEND)) {
            out.write(new byte[bytes]);
        }
    }
}
