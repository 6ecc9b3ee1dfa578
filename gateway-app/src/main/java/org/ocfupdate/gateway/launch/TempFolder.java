package org.ocfupdate.gateway.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The gateway's temporary files: {@code data/tmp/PID/}, the process's {@code java.io.tmpdir}. bnd's launcher copies
 * Felix and itself (1.2 MB) into the temporary folder at every start, FileInstall makes a folder there, and both
 * ask the JVM to delete them at exit; but the shutdown hook ends the JVM with {@code Runtime.halt} (for its exit
 * status), which skips that deletion, and a kill -9 skips it anyway. In /tmp every start left them behind for good
 * (RAM where /tmp is a tmpfs). Here a clean stop deletes its folder ({@link #removeOwn}) and a start deletes those
 * of processes that ended without (see {@link #prepare}).
 */
public final class TempFolder {
    /** The folder {@link #prepare} made for this process; unset when the gateway did not start through Main. */
    static final String PROPERTY = "gateway.tmp";
    /** Free space {@code data/tmp} needs: the launcher's two copies (1.2 MB) with room to spare. */
    static final long NEEDED = 8L << 20;

    private TempFolder() {
    }

    /**
     * Deletes what ended processes left in {@code data/tmp/} and points {@code java.io.tmpdir} at a new
     * {@code data/tmp/PID/}, before anything has made a temporary file. A folder per process, so that a second
     * start by mistake in the same home (refused later by the framework's lock) leaves the running gateway's files
     * alone. When {@code data/tmp/} cannot be used or has less than {@link #NEEDED} free, the temporary folder stays
     * what it was.
     */
    static void prepare(Path data) {
        Path root = data.resolve("tmp");
        try {
            Files.createDirectories(root);
            long self = ProcessHandle.current().pid();
            try (var left = Files.list(root)) {
                for (Path p : left.toList()) {
                    // ours too: a folder of this PID is from a process before a reboot
                    if (!alive(p.getFileName().toString(), self)) {
                        try {
                            deleteTree(p);
                        } catch (IOException e) {
                            System.err.println("gateway: cannot delete " + p + ": " + e);
                        }
                    }
                }
            }
            long free = root.toFile().getUsableSpace(); // one statvfs, where a FileStore reads the mount table
            if (free < NEEDED) { // a full data disk: the gateway still starts, and serves what it has
                System.err.println("gateway: temporary files stay in " + System.getProperty("java.io.tmpdir")
                        + ": " + (free >> 20) + " MB free in " + root);
                return;
            }
            Path mine = root.resolve(Long.toString(self));
            Files.createDirectory(mine);
            System.setProperty("java.io.tmpdir", mine.toString());
            System.setProperty(PROPERTY, mine.toString());
        } catch (IOException | RuntimeException e) {
            System.err.println("gateway: temporary files stay in " + System.getProperty("java.io.tmpdir")
                    + ": cannot use " + root + ": " + e);
        }
    }

    /**
     * Deletes this process's folder, once the framework has stopped and right before the JVM ends; the launcher's
     * copies are still open, which Linux allows. Failures are only reported: the next start deletes what is left.
     */
    public static void removeOwn() {
        String own = System.getProperty(PROPERTY);
        if (own == null) {
            return;
        }
        try {
            deleteTree(Paths.get(own));
        } catch (IOException | RuntimeException e) {
            System.err.println("gateway: cannot delete " + own + ": " + e);
        }
    }

    private static boolean alive(String name, long self) {
        try {
            long pid = Long.parseLong(name);
            return pid != self && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return false; // not a process's folder: nothing of ours to keep
        }
    }

    /**
     * Deletes a file or a folder with its contents; a symbolic link is deleted, not followed. No class of this bundle
     * but this one: {@link #removeOwn} runs after the framework has stopped, when the bundle can load none.
     */
    static void deleteTree(Path top) throws IOException {
        if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> walk = Files.walk(top)) {
            all = walk.sorted(Comparator.reverseOrder()).toList(); // a folder's contents before the folder
        }
        for (Path p : all) {
            Files.delete(p);
        }
    }
}
