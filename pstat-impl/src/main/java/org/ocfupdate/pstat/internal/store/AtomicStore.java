package org.ocfupdate.pstat.internal.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small document stored in numbered generations ({@code NAME.000042}): each save writes a new generation to a
 * temporary file, fsyncs it, renames it into place and fsyncs the folder, then drops all but the two newest.
 * Each file starts with a header line holding the CRC-32 and length of the body, so a torn or corrupted newest
 * generation is detected and the previous good one is used (with an error log) — never a silent reset.
 */
public final class AtomicStore {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicStore.class);
    private static final String MAGIC = "ocf-store 1";
    private static final int KEEP = 2;

    private final Path dir;
    private final String name;
    private long generation;

    public AtomicStore(Path dir, String name) throws IOException {
        this.dir = dir;
        this.name = name;
        Files.createDirectories(dir);
        this.generation = generations().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /**
     * The newest intact generation, or empty when nothing was ever saved.
     *
     * @throws IOException when generations exist but none is intact: the caller must not start afresh
     */
    public synchronized Optional<byte[]> load() throws IOException {
        List<Long> gens = generations();
        gens.sort(Comparator.reverseOrder());
        List<Path> corrupt = new ArrayList<>();
        for (long gen : gens) {
            Path file = file(gen);
            try {
                byte[] body = read(file);
                for (Path bad : corrupt) {
                    // out of the rotation, kept for the operator to inspect
                    Files.move(bad, bad.resolveSibling(bad.getFileName() + ".corrupt"), StandardCopyOption.REPLACE_EXISTING);
                    LOG.error("{} was corrupt (kept as {}.corrupt); using the previous generation {}", bad,
                            bad.getFileName(), file);
                }
                return Optional.of(body);
            } catch (IOException e) {
                LOG.error("Cannot use {}: {}", file, e.getMessage());
                corrupt.add(file);
            }
        }
        if (!gens.isEmpty()) {
            throw new IOException("no intact generation of " + dir.resolve(name) + " (" + gens.size()
                    + " corrupt); restore one or delete them to start afresh");
        }
        return Optional.empty();
    }

    /** Writes {@code body} as a new generation, durably, then removes the generations before the previous one. */
    public synchronized void save(byte[] body) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(body);
        byte[] header = String.format("%s %08x %d%n", MAGIC, crc.getValue(), body.length)
                .getBytes(StandardCharsets.US_ASCII);
        long next = generation + 1;
        Path tmp = dir.resolve(name + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.allocate(header.length + body.length).put(header).put(body).flip();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, file(next), StandardCopyOption.ATOMIC_MOVE);
        fsyncDir();
        generation = next;
        for (long old : generations()) {
            if (old <= next - KEEP) {
                Files.deleteIfExists(file(old));
            }
        }
    }

    private void fsyncDir() throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static byte[] read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int nl = -1;
        for (int i = 0; i < Math.min(all.length, 64); i++) {
            if (all[i] == '\n') {
                nl = i;
                break;
            }
        }
        if (nl < 0) {
            throw new IOException("no header");
        }
        String[] header = new String(all, 0, nl, StandardCharsets.US_ASCII).trim().split(" ");
        if (header.length != 4 || !(header[0] + " " + header[1]).equals(MAGIC)) {
            throw new IOException("bad header");
        }
        int length = Integer.parseInt(header[3]);
        if (all.length - nl - 1 != length) {
            throw new IOException("truncated: " + (all.length - nl - 1) + " of " + length + " bytes");
        }
        CRC32 crc = new CRC32();
        crc.update(all, nl + 1, length);
        if (crc.getValue() != Long.parseLong(header[2], 16)) {
            throw new IOException("checksum mismatch");
        }
        byte[] body = new byte[length];
        System.arraycopy(all, nl + 1, body, 0, length);
        return body;
    }

    private Path file(long gen) {
        return dir.resolve(String.format("%s.%06d", name, gen));
    }

    private List<Long> generations() throws IOException {
        List<Long> gens = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, name + ".*")) {
            for (Path f : files) {
                String suffix = f.getFileName().toString().substring(name.length() + 1);
                if (suffix.matches("\\d+")) {
                    gens.add(Long.parseLong(suffix));
                }
            }
        }
        return gens;
    }
}
