package org.ocfupdate.provider.usb.internal;

import org.ocfupdate.pstat.api.provider.SemanticVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads the version from a package's {@code manifest.json} and nothing else: the zip's end record, its central
 * directory (which {@link ZipFile} reads) and the manifest entry, bounded. Whether the package is genuine is the
 * engine's business after the fetch; this only decides what to offer. Nothing here is signed yet (a medium is anyone's),
 * so sizes and shape are bounded before anything is parsed: the file's end record, the central directory, the
 * manifest's size, its JSON nesting, string and number lengths, and the version's length.
 */
final class ManifestReader {
    static final String MANIFEST = "manifest.json";
    /** As the engine's limit: a larger manifest is not a package. */
    static final int MAX_MANIFEST = 1 << 20;
    /** A central directory larger than this is not an update package (the JDK would load it whole). */
    static final long MAX_CENTRAL_DIRECTORY = 4L << 20;
    private static final int END_SIZE = 22;
    private static final int END_SEARCH = END_SIZE + 0xFFFF;
    /** A manifest nests 3 deep (object, artifacts, artifact): anything far deeper is not one. */
    static final int MAX_DEPTH = 32;
    /** Longer than any path or digest of a manifest. */
    static final int MAX_STRING = 16 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(MAX_STRING).maxNumberLength(32).maxDocumentLength(MAX_MANIFEST).build())
            .build());

    /** Not an update package, with the reason. */
    static final class NotAPackage extends Exception {
        private static final long serialVersionUID = 1L;

        NotAPackage(String reason) {
            super(reason);
        }
    }

    /** Bytes read from package files so far, by every reader (what the "metadata only" promise is measured by). */
    private final AtomicLong bytesRead = new AtomicLong();

    long bytesRead() {
        return bytesRead.get();
    }

    SemanticVersion version(Path zip) throws IOException, NotAPackage {
        checkCentralDirectory(zip);
        try (ZipFile z = new ZipFile(zip.toFile())) {
            ZipEntry e = z.getEntry(MANIFEST);
            if (e == null || e.isDirectory()) {
                throw new NotAPackage("no " + MANIFEST);
            }
            if (e.getSize() > MAX_MANIFEST) {
                throw new NotAPackage(MANIFEST + " is larger than " + MAX_MANIFEST + " bytes");
            }
            byte[] bytes;
            try (InputStream in = z.getInputStream(e)) {
                bytes = in.readNBytes(MAX_MANIFEST + 1);
            }
            bytesRead.addAndGet(bytes.length);
            if (bytes.length > MAX_MANIFEST) {
                throw new NotAPackage(MANIFEST + " is larger than " + MAX_MANIFEST + " bytes");
            }
            JsonNode root;
            try {
                root = JSON.readTree(bytes);
            } catch (StreamConstraintsException x) {
                throw new NotAPackage(MANIFEST + " is not shaped like a manifest: " + x.getOriginalMessage());
            } catch (IOException x) {
                throw new NotAPackage(MANIFEST + " is not JSON");
            }
            if (root == null || !root.path("version").isTextual()) {
                throw new NotAPackage(MANIFEST + " has no version");
            }
            try {
                return SemanticVersion.parse(root.get("version").textValue());
            } catch (IllegalArgumentException x) {
                throw new NotAPackage(MANIFEST + ": " + x.getMessage());
            }
        } catch (java.util.zip.ZipException e) {
            throw new NotAPackage("not a zip file: " + e.getMessage());
        }
    }

    /**
     * Reads the end-of-central-directory record from the file's last 64 KiB and refuses a central directory beyond
     * {@link #MAX_CENTRAL_DIRECTORY} (a ZIP64 package, whose sizes are elsewhere, is left to {@link ZipFile}).
     */
    private void checkCentralDirectory(Path zip) throws IOException, NotAPackage {
        try (RandomAccessFile f = new RandomAccessFile(zip.toFile(), "r")) {
            long length = f.length();
            int n = (int) Math.min(length, END_SEARCH);
            if (n < END_SIZE) {
                throw new NotAPackage("not a zip file: " + length + " bytes");
            }
            byte[] tail = new byte[n];
            f.seek(length - n);
            f.readFully(tail);
            bytesRead.addAndGet(n);
            ByteBuffer b = ByteBuffer.wrap(tail).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = n - END_SIZE; i >= 0; i--) {
                if (b.getInt(i) == 0x06054b50) {
                    long size = Integer.toUnsignedLong(b.getInt(i + 12));
                    if (size != 0xFFFFFFFFL && size > MAX_CENTRAL_DIRECTORY) {
                        throw new NotAPackage("its central directory has " + size + " bytes");
                    }
                    return;
                }
            }
            throw new NotAPackage("not a zip file: no end record");
        }
    }
}
