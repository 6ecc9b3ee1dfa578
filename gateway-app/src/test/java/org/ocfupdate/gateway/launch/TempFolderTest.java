package org.ocfupdate.gateway.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code data/tmp}: what dead processes left is deleted at start, what a running one uses is kept. */
class TempFolderTest {
    @TempDir
    Path data;
    private String tmpdirBefore;

    @BeforeEach
    void remember() {
        tmpdirBefore = System.getProperty("java.io.tmpdir");
    }

    @AfterEach
    void restore() {
        System.setProperty("java.io.tmpdir", tmpdirBefore);
        System.clearProperty(TempFolder.PROPERTY);
    }

    @Test
    void deletesWhatDeadProcessesLeftAndKeepsALiveOnesFolder() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        Process running = new ProcessBuilder("sleep", "60").start();
        try {
            Path root = Files.createDirectories(data.resolve("tmp"));
            Path deadDir = Files.createDirectories(root.resolve(Long.toString(dead.pid())).resolve("fileinstall-1"));
            Files.write(deadDir.resolve("x.jar"), new byte[1000]);
            Path liveDir = Files.createDirectories(root.resolve(Long.toString(running.pid())));
            Files.write(liveDir.resolve("resource1.jar"), new byte[1000]);
            Files.write(root.resolve("stray"), new byte[10]);
            Path outside = Files.createDirectories(data.resolve("outside"));
            Files.write(outside.resolve("precious"), new byte[10]);
            Files.createSymbolicLink(root.resolve("4000000"), outside);
            Path mine = Files.createDirectories(root.resolve(Long.toString(ProcessHandle.current().pid())));
            Files.write(mine.resolve("before-a-reboot.jar"), new byte[10]); // a process of this PID, before a reboot

            TempFolder.prepare(data);

            assertEquals(mine.toString(), System.getProperty("java.io.tmpdir"));
            assertTrue(Files.isDirectory(mine));
            try (var mineLeft = Files.list(mine)) {
                assertEquals(0, mineLeft.count(), "this process's folder starts empty");
            }
            try (var left = Files.list(root)) {
                assertEquals(List.of(liveDir.getFileName().toString(), mine.getFileName().toString()).stream().sorted()
                        .toList(), left.map(p -> p.getFileName().toString()).sorted().toList());
            }
            assertTrue(Files.exists(liveDir.resolve("resource1.jar")), "a running process's files are kept");
            assertTrue(Files.exists(outside.resolve("precious")), "a link is deleted, not followed");
            assertFalse(Files.exists(root.resolve("4000000"), LinkOption.NOFOLLOW_LINKS));
        } finally {
            running.destroyForcibly();
        }
    }

    @Test
    void aCleanStopDeletesTheProcesssFolder() throws Exception {
        TempFolder.prepare(data);
        Path mine = Path.of(System.getProperty("java.io.tmpdir"));
        Files.write(Files.createDirectories(mine.resolve("fileinstall-1")).resolve("resource1.jar"), new byte[100]);

        TempFolder.removeOwn();

        assertFalse(Files.exists(mine));
        assertTrue(Files.isDirectory(data.resolve("tmp")));
    }

    @Test
    void withoutMainNothingIsDeleted() throws Exception {
        Path other = Files.createDirectories(data.resolve("tmp/1"));

        TempFolder.removeOwn(); // the OSGi tests: the bundle runs without gateway.jar's Main

        assertTrue(Files.isDirectory(other));
    }

    @Test
    void aFolderThatCannotBeMadeLeavesTheTemporaryFolderAsItWas() throws Exception {
        Files.write(data.resolve("tmp"), new byte[1]); // a file where the folder should be

        TempFolder.prepare(data);

        assertEquals(tmpdirBefore, System.getProperty("java.io.tmpdir"));
        assertEquals(null, System.getProperty(TempFolder.PROPERTY));
    }
}
