package org.ocfupdate.pstat.internal.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicStoreTest {
    @TempDir
    Path dir;

    @Test
    void nothingSavedMeansEmpty() throws IOException {
        assertTrue(new AtomicStore(dir, "s").load().isEmpty());
    }

    @Test
    void savesAndLoadsAcrossInstances() throws IOException {
        new AtomicStore(dir, "s").save("one".getBytes(UTF_8));
        AtomicStore again = new AtomicStore(dir, "s");
        assertArrayEquals("one".getBytes(UTF_8), again.load().orElseThrow());
        again.save("two".getBytes(UTF_8));
        assertArrayEquals("two".getBytes(UTF_8), new AtomicStore(dir, "s").load().orElseThrow());
    }

    @Test
    void keepsOnlyTheTwoNewestGenerationsAndNoTemporaryFile() throws IOException {
        AtomicStore store = new AtomicStore(dir, "s");
        for (int i = 0; i < 5; i++) {
            store.save(("v" + i).getBytes(UTF_8));
        }
        assertEquals(List.of("s.000004", "s.000005"), files());
    }

    @Test
    void aTruncatedNewestGenerationFallsBackToThePreviousOne() throws IOException {
        AtomicStore store = new AtomicStore(dir, "s");
        store.save("good".getBytes(UTF_8));
        store.save("newer and longer".getBytes(UTF_8));
        Path newest = dir.resolve("s.000002");
        byte[] all = Files.readAllBytes(newest);
        Files.write(newest, java.util.Arrays.copyOf(all, all.length - 3));
        assertArrayEquals("good".getBytes(UTF_8), new AtomicStore(dir, "s").load().orElseThrow());
    }

    @Test
    void aFlippedByteIsCaughtByTheChecksum() throws IOException {
        AtomicStore store = new AtomicStore(dir, "s");
        store.save("good".getBytes(UTF_8));
        store.save("bad!".getBytes(UTF_8));
        Path newest = dir.resolve("s.000002");
        byte[] all = Files.readAllBytes(newest);
        all[all.length - 1] ^= 0x01;
        Files.write(newest, all);
        assertArrayEquals("good".getBytes(UTF_8), new AtomicStore(dir, "s").load().orElseThrow());
    }

    @Test
    void aSaveAfterFallbackDoesNotReuseTheCorruptGenerationNumber() throws IOException {
        AtomicStore store = new AtomicStore(dir, "s");
        store.save("good".getBytes(UTF_8));
        Files.writeString(dir.resolve("s.000002"), "garbage");
        AtomicStore again = new AtomicStore(dir, "s");
        again.load();
        again.save("next".getBytes(UTF_8));
        assertArrayEquals("next".getBytes(UTF_8), new AtomicStore(dir, "s").load().orElseThrow());
        assertEquals(List.of("s.000002.corrupt", "s.000003"), files());
    }

    @Test
    void noIntactGenerationIsAnErrorNotAFreshStart() throws IOException {
        Files.writeString(dir.resolve("s.000001"), "garbage");
        Files.writeString(dir.resolve("s.000002"), "ocf-store 1 00000000 3\nabc");
        IOException e = assertThrows(IOException.class, () -> new AtomicStore(dir, "s").load());
        assertTrue(e.getMessage().contains("no intact generation"), e.getMessage());
        assertFalse(files().isEmpty(), "corrupt files are kept for the operator");
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
