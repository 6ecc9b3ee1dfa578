package org.ocfupdate.provider.usb.internal;

import org.ocfupdate.pstat.api.provider.SemanticVersion;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What counts as a medium, mount points as /proc/self/mountinfo lists them, and version order. */
class ScannerTest {
    @TempDir
    Path tmp;

    List<Path> media(Path root, Set<Path> mounts) {
        return MediaScanner.scan(List.of(root), mounts).media().stream().map(MediaScanner.Medium::dir).toList();
    }

    @Test
    void mediaAtDepthOneAndTwo() throws Exception {
        Path root = tmp.toRealPath();
        Files.createDirectories(root.resolve("LABEL"));
        Files.writeString(Files.createDirectories(root.resolve("FILES")).resolve("a.txt"), "x");
        Files.createDirectories(root.resolve("alice/STICK/photos"));
        Files.createDirectories(root.resolve("bob/ocf-update"));

        assertEquals(List.of(root.resolve("FILES"), root.resolve("LABEL"), root.resolve("alice/STICK"),
                root.resolve("bob")), media(root, Set.of()), "plain folders: a folder of folders is a user folder");
    }

    @Test
    void mountPointsDecide() throws Exception {
        Path root = tmp.toRealPath();
        Files.createDirectories(root.resolve("usb/photos")); // a mounted medium holding only folders
        Files.createDirectories(root.resolve("carol/STICK"));
        Files.createDirectories(root.resolve("carol/notyet"));

        assertEquals(List.of(root.resolve("carol/STICK"), root.resolve("carol/notyet"), root.resolve("usb")),
                media(root, Set.of(root.resolve("usb"), root.resolve("carol/STICK"))));
    }

    @Test
    void mountinfoFieldsAndEscapes() {
        String text = "36 35 98:0 / /mnt1 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n"
                + "41 27 7:0 / /media/alice/MY\\040STICK rw,nosuid - vfat /dev/loop0 rw\n";
        assertEquals(Set.of(Path.of("/mnt1"), Path.of("/media/alice/MY STICK")), MountTable.mountPoints(text));
        assertEquals(Set.of(), MountTable.mountPoints(""));
    }

    @Test
    void versionsOrderAsSemanticVersioningSays() {
        List<String> ordered = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0", "10.0.0");
        for (int i = 0; i + 1 < ordered.size(); i++) {
            assertTrue(SemanticVersion.parse(ordered.get(i + 1)).isNewerThan(SemanticVersion.parse(ordered.get(i))), ordered.get(i + 1));
        }
        assertEquals(0, SemanticVersion.parse("1.2.3+build.9").compareTo(SemanticVersion.parse("1.2.3")));
        assertEquals("1.2.3-rc.1", SemanticVersion.parse("1.2.3-rc.1+b").toString());
        for (String bad : new String[] {"1.0", "01.0.0", "1.0.0-", "v1.0.0", "1.0.0-01", "1234567890.0.0", ""}) {
            assertThrows(IllegalArgumentException.class, () -> SemanticVersion.parse(bad), bad);
        }
    }
}
