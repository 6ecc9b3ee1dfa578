package org.ocfupdate.gateway.support;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small document stored in numbered generations ({@code NAME.000042}): each save writes a new generation to a
 * temporary file, fsyncs it, renames it into place and fsyncs the folder, then drops all but the two newest.
 * Each file starts with a header line holding the CRC-32 and length of the body, so a torn or corrupted newest
 * generation is detected and the previous good one is used (with an error log) — never a silent reset. A
 * generation is corrupt when anything about it is wrong: header (its exact form, the numbers in it), length, CRC,
 * or a body that the caller's {@link Reader} rejects.
 */
public final class AtomicStore {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicStore.class);
    private static final String MAGIC = "ocf-store 1";
    private static final int KEEP = 2;
    /**
     * The header exactly as {@link #save} writes it: one flipped character anywhere in it either breaks this form
     * or changes a number, which the length or CRC check then catches.
     */
    private static final Pattern HEADER = Pattern.compile("ocf-store 1 ([0-9a-f]{8}) (0|[1-9][0-9]{0,9})");

    /** Turns a generation's body into what the caller keeps; an exception marks the generation as corrupt. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(byte[] body) throws IOException;
    }

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
    public Optional<byte[]> load() throws IOException {
        return load(body -> body);
    }

    /**
     * The newest generation that is intact and that {@code reader} accepts, as it read it; empty when nothing was
     * ever saved. Newer generations that are not usable are set aside as {@code *.corrupt}, with an error log
     * naming each file.
     *
     * @throws IOException when generations exist but none is usable: the caller must not start afresh
     */
    public synchronized <T> Optional<T> load(Reader<T> reader) throws IOException {
        List<Long> gens = generations();
        gens.sort(Comparator.reverseOrder());
        List<Path> corrupt = new ArrayList<>();
        for (long gen : gens) {
            Path file = file(gen);
            T value;
            try {
                value = reader.read(read(file));
                if (value == null) {
                    throw new IOException("no content");
                }
            } catch (IOException | RuntimeException e) {
                // whatever is wrong with it (a NumberFormatException from a damaged field, an unreadable
                // document), this generation is corrupt: never a reason to stop while an older one is intact
                LOG.error("Corrupt {}: {}", file, e.getMessage() != null ? e.getMessage() : e.toString());
                corrupt.add(file);
                continue;
            }
            for (Path bad : corrupt) {
                setAside(bad, file);
            }
            return Optional.of(value);
        }
        if (!gens.isEmpty()) {
            throw new IOException("no intact generation of " + dir.resolve(name) + " (" + gens.size()
                    + " corrupt: " + corrupt.stream().map(p -> p.getFileName().toString()).toList()
                    + "); restore one or delete them to start afresh");
        }
        return Optional.empty();
    }

    /** Out of the rotation, kept for the operator to inspect; a failure to rename is logged, not fatal. */
    private static void setAside(Path bad, Path used) {
        Path kept = bad.resolveSibling(bad.getFileName() + ".corrupt");
        try {
            Files.move(bad, kept, StandardCopyOption.REPLACE_EXISTING);
            LOG.error("{} was corrupt (kept as {}); using the previous generation {}", bad, kept.getFileName(), used);
        } catch (IOException e) {
            LOG.error("{} was corrupt and cannot be set aside ({}); using the previous generation {}", bad,
                    e.getMessage(), used);
        }
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
        } catch (IOException e) {
            // a full disk: the generations on disk are untouched; leave no half-written file behind either
            Files.deleteIfExists(tmp);
            throw e;
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
        Matcher header = HEADER.matcher(new String(all, 0, nl, StandardCharsets.US_ASCII));
        if (!header.matches()) {
            throw new IOException("bad header");
        }
        long length = Long.parseLong(header.group(2));
        if (all.length - nl - 1 != length) {
            throw new IOException("length " + (all.length - nl - 1) + " bytes, the header says " + length);
        }
        CRC32 crc = new CRC32();
        crc.update(all, nl + 1, (int) length);
        if (crc.getValue() != Long.parseLong(header.group(1), 16)) {
            throw new IOException("checksum mismatch");
        }
        return java.util.Arrays.copyOfRange(all, nl + 1, all.length);
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
