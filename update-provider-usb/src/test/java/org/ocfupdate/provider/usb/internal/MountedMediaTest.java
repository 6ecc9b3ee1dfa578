package org.ocfupdate.provider.usb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.ocfupdate.provider.usb.internal.TestSupport.await;
import static org.ocfupdate.provider.usb.internal.TestSupport.offerRequest;
import static org.ocfupdate.provider.usb.internal.TestSupport.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.pstat.api.provider.UpdateOffer;
import org.ocfupdate.testsupport.TestFetchRequest;

/**
 * Real filesystems mounted onto a folder that already exists in a root, as an fstab entry for {@code /mnt/usb}
 * does: no inotify event reports such a mount, only {@code /proc/self/mountinfo} changes. These need root and
 * mount(8); where the machine does not allow them they are skipped with the reason, never passed.
 */
class MountedMediaTest {
    @TempDir
    Path tmp;

    @Test
    void aVfatImageMountedWithLoopOntoAnExistingFolderIsSeen() throws Exception {
        mountedImageIsSeen("vfat", "mkfs.vfat");
    }

    /** The same with ext4, which kernels without vfat (such as some VM kernels) still mount. */
    @Test
    void anExt4ImageMountedWithLoopOntoAnExistingFolderIsSeen() throws Exception {
        mountedImageIsSeen("ext4", "mkfs.ext4");
    }

    private void mountedImageIsSeen(String type, String mkfs) throws Exception {
        assumeTrue(TestSupport.isRoot(), "mounting a " + type + " image needs root; running as "
                + System.getProperty("user.name"));
        var tool = run("sh", "-c", "command -v " + mkfs + " || ls /usr/sbin/" + mkfs + " /sbin/" + mkfs);
        assumeTrue(tool.exit() == 0, mkfs + " is not installed (Debian: " + ("vfat".equals(type) ? "dosfstools"
                : "e2fsprogs") + ")");
        Path image = tmp.resolve("stick.img");
        try (var f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(32L << 20);
        }
        var made = run("sh", "-c", tool.output().lines().findFirst().orElse(mkfs) + " " + ("ext4".equals(type)
                ? "-q -F " : "") + image);
        assertEquals(0, made.exit(), made.output());
        Path staging = Files.createDirectories(tmp.resolve("prepare"));
        var m = run("mount", "-t", type, "-o", "loop", image.toString(), staging.toString());
        assumeTrue(m.exit() == 0, "cannot mount a " + type + " image with -o loop here: " + m.output());
        try {
            TestPackages.write(staging.resolve("ocf-update/update.zip"), "2.0.0", 300 * 1024);
        } finally {
            assertEquals(0, run("umount", staging.toString()).exit());
        }

        Path root = Files.createDirectories(tmp.resolve("mnt")).toRealPath();
        Path usb = Files.createDirectories(root.resolve("usb"));
        FakeContext pstat = new FakeContext();
        UsbProvider p = new UsbProvider(new UsbProvider.Settings(List.of(root), true, MountTable.PROC));
        p.attach(pstat);
        p.start();
        try {
            await(() -> p.status().equals("medium " + usb + ", no update package"), p::status);

            var mounted = run("mount", "-t", type, "-o", "loop,ro", image.toString(), usb.toString());
            assertEquals(0, mounted.exit(), mounted.output());
            try {
                await(() -> pstat.changes.size() == 1, p::status);
                assertEquals("medium " + usb + " with 2.0.0", p.status());
                UpdateOffer o = p.offer(offerRequest("1.0.0")).orElseThrow();
                assertEquals(usb.resolve("ocf-update/update.zip").toUri(), o.location());
                TestFetchRequest f = new TestFetchRequest(o, tmp.resolve("package.zip.part"));
                p.fetch(f);
                assertEquals(-1, Files.mismatch(usb.resolve("ocf-update/update.zip"), f.target()));
            } finally {
                assertEquals(0, run("umount", usb.toString()).exit());
            }
            await(() -> p.status().equals("medium " + usb + ", no update package"), p::status);
        } finally {
            p.stop();
            run("umount", usb.toString()); // in case an assertion above failed before unmounting
        }
    }

    /**
     * After a mount onto a watched folder the old watch sees only the folder below the mount: the watcher renews
     * its watches, so a package written onto the mounted filesystem afterwards is still seen at once.
     */
    @Test
    void aPackageWrittenOntoAFilesystemMountedOverAWatchedFolderIsSeen() throws Exception {
        assumeTrue(TestSupport.isRoot(), "mounting a tmpfs needs root; running as " + System.getProperty("user.name"));
        Path root = Files.createDirectories(tmp.resolve("mnt")).toRealPath();
        Path usb = Files.createDirectories(root.resolve("usb"));
        FakeContext pstat = new FakeContext();
        UsbProvider p = new UsbProvider(new UsbProvider.Settings(List.of(root), true, MountTable.PROC));
        p.attach(pstat);
        p.start();
        try {
            await(() -> p.status().equals("medium " + usb + ", no update package"), p::status);
            var m = run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", usb.toString());
            assumeTrue(m.exit() == 0, "cannot mount a tmpfs here: " + m.output());
            try {
                Thread.sleep(MediaWatcher.MOUNT_POLL_MS + MediaWatcher.STABLE_MS + 200); // the mount is noticed
                TestPackages.write(usb.resolve("update.zip"), "2.0.0");
                await(() -> pstat.changes.size() == 1, p::status);
                assertTrue(p.status().endsWith(" with 2.0.0"), p.status());
            } finally {
                assertEquals(0, run("umount", usb.toString()).exit());
            }
        } finally {
            p.stop();
            run("umount", usb.toString());
        }
    }
}
