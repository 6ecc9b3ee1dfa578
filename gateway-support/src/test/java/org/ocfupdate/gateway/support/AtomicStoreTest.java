package org.ocfupdate.gateway.support;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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

    /**
     * One damaged byte anywhere in the newest generation — a header field, a separator, the line end, the body —
     * with any of a range of replacements: the generation is set aside and the previous one is used. Before the
     * strict header, a non-digit in the length or a non-hex digit in the CRC escaped as NumberFormatException.
     */
    @Test
    void everyDamagedCharacterOfTheNewestGenerationFallsBackToThePreviousOne() throws IOException {
        AtomicStore store = new AtomicStore(dir, "s");
        store.save("{\"good\": 1}".getBytes(UTF_8));
        store.save("{\"newer\": 12345, \"text\": \"abc\"}".getBytes(UTF_8));
        Path newest = dir.resolve("s.000002");
        byte[] intact = Files.readAllBytes(newest);
        byte[] replacements = "019afgAF +-x\n\r".getBytes(UTF_8);
        int cases = 0;
        for (int i = 0; i < intact.length; i++) {
            byte[] candidates = Arrays.copyOf(replacements, replacements.length + 4);
            candidates[replacements.length] = (byte) (intact[i] ^ 0x01);
            candidates[replacements.length + 1] = (byte) (intact[i] ^ 0x20);
            candidates[replacements.length + 2] = 0;
            candidates[replacements.length + 3] = (byte) 0xff;
            for (byte b : candidates) {
                if (b == intact[i]) {
                    continue;
                }
                byte[] damaged = intact.clone();
                damaged[i] = b;
                Files.write(newest, damaged);
                String what = "byte " + i + " ('" + (char) intact[i] + "') replaced by 0x" + Integer.toHexString(b & 0xff);
                byte[] loaded = new AtomicStore(dir, "s").load().orElseThrow();
                assertEquals("{\"good\": 1}", new String(loaded, UTF_8), what);
                assertTrue(Files.exists(dir.resolve("s.000002.corrupt")), what + ": set aside");
                assertFalse(Files.exists(newest), what);
                cases++;
            }
        }
        assertTrue(cases > 500, cases + " cases");
    }

    @Test
    void everyShortenedOrLengthenedNewestGenerationFallsBackToThePreviousOne() throws IOException {
        AtomicStore store = new AtomicStore(dir, "s");
        store.save("good".getBytes(UTF_8));
        store.save("newer".getBytes(UTF_8));
        Path newest = dir.resolve("s.000002");
        byte[] intact = Files.readAllBytes(newest);
        for (int n = 0; n <= intact.length + 1; n++) {
            if (n == intact.length) {
                continue;
            }
            Files.write(newest, Arrays.copyOf(intact, n)); // n > length: a zero byte appended
            assertArrayEquals("good".getBytes(UTF_8), new AtomicStore(dir, "s").load().orElseThrow(), n + " bytes");
        }
    }

    @Test
    void aNewestGenerationTheReaderRejectsIsCorruptToo() throws IOException {
        AtomicStore store = new AtomicStore(dir, "s");
        store.save("1".getBytes(UTF_8));
        store.save("x".getBytes(UTF_8)); // intact on disk, but not what the reader accepts
        AtomicStore again = new AtomicStore(dir, "s");
        assertEquals(1, again.load(b -> Integer.parseInt(new String(b, UTF_8))).orElseThrow());
        assertEquals(List.of("s.000001", "s.000002.corrupt"), files());
        IOException e = assertThrows(IOException.class, () -> again.load(b -> {
            throw new IOException("never valid");
        }));
        assertTrue(e.getMessage().contains("s.000001"), e.getMessage());
    }

    @Test
    void theErrorLogNamesTheDamagedFile() throws IOException {
        AtomicStore store = new AtomicStore(dir, "s");
        store.save("good".getBytes(UTF_8));
        store.save("newer".getBytes(UTF_8));
        Path newest = dir.resolve("s.000002");
        Files.writeString(newest, Files.readString(newest).replaceFirst(" 5\n", " 5x\n"));
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, UTF_8));
        try {
            new AtomicStore(dir, "s").load();
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(UTF_8);
        assertTrue(log.contains("ERROR") && log.contains(newest.toString()) && log.contains("s.000002.corrupt"), log);
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
