package org.ocfupdate.provider.usb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.ocfupdate.provider.usb.internal.TestSupport.await;
import static org.ocfupdate.provider.usb.internal.TestSupport.offerRequest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.provider.UpdateException;
import org.ocfupdate.pstat.api.provider.UpdateOffer;
import org.ocfupdate.pstat.api.provider.UpdateOutcome;
import org.ocfupdate.testsupport.TestFetchRequest;

/** The provider on real folders under temporary roots, with a fake pstat. */
class UsbProviderTest {
    @TempDir
    Path tmp;
    final List<UsbProvider> started = new ArrayList<>();
    final FakeContext pstat = new FakeContext();

    @AfterEach
    void stopProviders() {
        started.forEach(UsbProvider::stop);
    }

    UsbProvider provider(boolean checkOnInsert, Path... roots) {
        return new UsbProvider(new UsbProvider.Settings(List.of(roots), checkOnInsert, MountTable.PROC));
    }

    /** A started provider whose watcher has made its first scan of the (existing) roots. */
    UsbProvider watching(boolean checkOnInsert, Path... roots) throws Exception {
        UsbProvider p = provider(checkOnInsert, roots);
        p.attach(pstat);
        p.start();
        started.add(p);
        for (Path r : roots) {
            if (Files.isDirectory(r)) {
                await(() -> p.listing().folders().contains(real(r)), () -> "first scan of " + r);
            }
        }
        return p;
    }

    static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    Path root(String name) throws IOException {
        return Files.createDirectories(tmp.resolve(name)).toRealPath();
    }

    // ---- finding media ----

    @Test
    void aMediumAppearingAfterStartIsFoundAndStartsACheck() throws Exception {
        Path root = root("media");
        UsbProvider p = watching(true, root);
        assertEquals("no medium under " + root, p.status());

        TestPackages.write(root.resolve("USB1/update-2.0.0.zip"), "2.0.0");

        await(() -> pstat.changes.size() == 1, () -> "a check after the insertion, status " + p.status());
        assertEquals(FakeContext.NEWS, pstat.changes.get(0), "news for the engine, which decides to check");
        assertEquals("medium " + root.resolve("USB1") + " with 2.0.0", p.status());
    }

    @Test
    void aMediumInAUserFolderIsFound() throws Exception {
        Path root = root("run-media");
        UsbProvider p = watching(true, root);

        Files.createDirectories(root.resolve("alice")); // udisks: the user folder first, then the label
        Thread.sleep(100);
        TestPackages.write(root.resolve("alice/STICK/ocf-update/pkg.zip"), "2.0.0");

        await(() -> pstat.changes.size() == 1, p::status);
        assertEquals("medium " + root.resolve("alice/STICK") + " with 2.0.0", p.status());
        UpdateOffer o = p.offer(offerRequest("1.0.0")).orElseThrow();
        assertEquals(root.resolve("alice/STICK/ocf-update/pkg.zip").toUri(), o.location());
        assertEquals("medium " + root.resolve("alice/STICK") + " with 2.0.0", o.description());
    }

    @Test
    void aRootCreatedAfterStartIsWatchedOnceItExists() throws Exception {
        Path root = tmp.resolve("later");
        UsbProvider p = watching(true, root);
        assertEquals("no medium under " + root, p.status());
        Thread.sleep(600);

        TestPackages.write(root.resolve("USB/p.zip"), "2.0.0");

        await(() -> pstat.changes.size() == 1, p::status);
        assertEquals("medium " + root.toRealPath().resolve("USB") + " with 2.0.0", p.status());
    }

    @Test
    void mediaPresentAtStartCountAsInserted() throws Exception {
        Path root = root("media");
        TestPackages.write(root.resolve("USB1/p.zip"), "2.0.0");

        UsbProvider p = watching(true, root);

        await(() -> pstat.changes.size() == 1, p::status);
        assertEquals("medium " + root.resolve("USB1") + " with 2.0.0", p.status());
    }

    @Test
    void aPackageInTheMediumRootAndOneUnderOcfUpdateAreBothFound() throws Exception {
        Path root = root("media");
        Path stick = root.resolve("STICK");
        TestPackages.write(stick.resolve("a.zip"), "1.5.0");
        TestPackages.write(stick.resolve("OCF-UPDATE/B.ZIP"), "2.0.0"); // FAT media may show names upper case
        UsbProvider p = provider(true, root);

        UpdateOffer o = p.offer(offerRequest("1.0.0")).orElseThrow();
        assertEquals("2.0.0", o.version());
        assertEquals(stick.resolve("OCF-UPDATE/B.ZIP").toUri(), o.location());
        assertEquals(Files.size(stick.resolve("OCF-UPDATE/B.ZIP")), o.size());

        Files.delete(stick.resolve("OCF-UPDATE/B.ZIP"));
        o = p.offer(offerRequest("1.0.0")).orElseThrow();
        assertEquals("1.5.0", o.version());
        assertEquals(stick.resolve("a.zip").toUri(), o.location());
    }

    @Test
    void zipsDeeperOnAMediumAreNotPackages() throws Exception {
        Path root = root("media");
        TestPackages.write(root.resolve("STICK/photos/p.zip"), "2.0.0");
        TestPackages.write(root.resolve("STICK/ocf-update/old/p.zip"), "3.0.0");
        Files.writeString(root.resolve("STICK/readme.txt"), "a medium with a file in its root");

        assertEquals(Optional.empty(), provider(true, root).offer(offerRequest("1.0.0")));
    }

    // ---- choosing ----

    @Test
    void theNewestNewerVersionIsOfferedOlderEqualAndRefusedAreNot() throws Exception {
        Path root = root("media");
        TestPackages.write(root.resolve("A/old.zip"), "0.9.0");
        TestPackages.write(root.resolve("A/same.zip"), "1.0.0");
        TestPackages.write(root.resolve("B/new.zip"), "2.1.0");
        TestPackages.write(root.resolve("C/refused.zip"), "3.0.0");
        TestPackages.write(root.resolve("C/pre.zip"), "2.1.0-rc.1");
        UsbProvider p = provider(true, root);

        UpdateOffer o = p.offer(offerRequest("1.0.0", "3.0.0")).orElseThrow();
        assertEquals("2.1.0", o.version());
        assertEquals(root.resolve("B/new.zip").toUri(), o.location());
        assertEquals("medium " + root.resolve("B") + " with 2.1.0", o.description());

        assertEquals("2.1.0-rc.1", p.offer(offerRequest("1.0.0", "3.0.0", "2.1.0")).orElseThrow().version());
        assertEquals("3.0.0", p.offer(offerRequest("1.0.0")).orElseThrow().version());
        assertEquals(Optional.empty(), p.offer(offerRequest("3.0.0")));
        assertEquals(Optional.empty(), p.offer(offerRequest("1.0.0", "3.0.0", "2.1.0", "2.1.0-rc.1")));
    }

    @Test
    void betweenEqualVersionsThePathThatSortsFirstWins() throws Exception {
        Path root = root("media");
        TestPackages.write(root.resolve("ZED/p.zip"), "2.0.0");
        TestPackages.write(root.resolve("ALPHA/ocf-update/p.zip"), "2.0.0+build.7");
        TestPackages.write(root.resolve("ALPHA/p.zip"), "2.0.0");

        UpdateOffer o = provider(true, root).offer(offerRequest("1.0.0")).orElseThrow();
        assertEquals(root.resolve("ALPHA/ocf-update/p.zip").toUri(), o.location());
        assertEquals("2.0.0", o.version(), "offered in the engine's normal form, without build metadata");
    }

    @Test
    void corruptAndOddFilesAreIgnored() throws Exception {
        Path root = root("media");
        Path m = root.resolve("STICK");
        Files.createDirectories(m);
        byte[] junk = new byte[4096];
        new java.util.Random(1).nextBytes(junk);
        Files.write(m.resolve("a-random.zip"), junk);
        Files.write(m.resolve("b-empty.zip"), new byte[0]);
        Files.write(m.resolve("c-truncated.zip"),
                java.util.Arrays.copyOf(Files.readAllBytes(TestPackages.write(tmp.resolve("t.zip"), "9.0.0")), 200));
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(m.resolve("d-nomanifest.zip")))) {
            out.putNextEntry(new java.util.zip.ZipEntry("x"));
            out.closeEntry();
        }
        zipWithManifest(m.resolve("e-notjson.zip"), "{not json");
        zipWithManifest(m.resolve("f-badversion.zip"), "{\"version\":\"9\"}");
        zipWithManifest(m.resolve("g-noversion.zip"), "[]");
        TestPackages.write(m.resolve("._h-appledouble.zip"), "9.0.0");
        Files.createDirectories(m.resolve("i-folder.zip"));
        Path fifo = m.resolve("j-fifo.zip");
        TestSupport.run("mkfifo", fifo.toString()); // opening it would block forever
        TestPackages.write(m.resolve("z-good.zip"), "2.0.0");
        UsbProvider p = provider(true, root);

        UpdateOffer o = p.offer(offerRequest("1.0.0")).orElseThrow();
        assertEquals(m.resolve("z-good.zip").toUri(), o.location());
    }

    static void zipWithManifest(Path zip, String manifest) throws IOException {
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new java.util.zip.ZipEntry("manifest.json"));
            out.write(manifest.getBytes());
            out.closeEntry();
        }
    }

    @Test
    void theCheckReadsOnlyTheManifestNotThePayload() throws Exception {
        Path root = root("media");
        Path pkg = TestPackages.writeStored(root.resolve("STICK/big.zip"), "2.0.0", 50);
        long payload = 50L << 20;
        UsbProvider p = provider(true, root);
        List<String> before = TestSupport.tree(tmp);
        long rchar = TestSupport.procIo("rchar");
        long wchar = TestSupport.procIo("wchar");

        UpdateOffer o = p.offer(offerRequest("1.0.0")).orElseThrow();

        long read = p.manifestBytesRead();
        long rcharDelta = TestSupport.procIo("rchar") - rchar;
        long wcharDelta = TestSupport.procIo("wchar") - wchar;
        assertEquals(Files.size(pkg), o.size());
        assertTrue(read < 128 * 1024, "read " + read + " bytes of the package's entries and end record");
        if (rchar >= 0) {
            // every byte this JVM read through read(2) meanwhile (the central directory included)
            assertTrue(rcharDelta < payload / 10, "the JVM read " + rcharDelta + " bytes for a " + payload
                    + "-byte payload");
            assertTrue(wcharDelta < 1 << 20, "the JVM wrote " + wcharDelta + " bytes");
        }
        assertEquals(before, TestSupport.tree(tmp), "no file was written or changed");
    }

    // ---- fetching ----

    Path target() throws IOException {
        return Files.createDirectories(tmp.resolve("staging")).resolve("package.zip.part");
    }

    @Test
    void fetchCopiesWithProgressReachingTheTotal() throws Exception {
        Path root = root("media");
        Path pkg = TestPackages.write(root.resolve("STICK/p.zip"), "2.0.0", 1 << 20);
        UsbProvider p = provider(true, root);
        UpdateOffer o = p.offer(offerRequest("1.0.0")).orElseThrow();
        Path target = target();
        Files.writeString(target, "a partial earlier transfer that is longer than nothing");
        TestFetchRequest f = new TestFetchRequest(o, target);

        p.fetch(f);

        assertEquals(-1, Files.mismatch(pkg, target), "an exact copy");
        long size = Files.size(pkg);
        assertTrue(f.progress.size() >= size / PackageCopy.BUFFER, "progress at every buffer: " + f.progress.size());
        long last = 0;
        for (long[] r : f.progress) {
            assertTrue(r[0] > last, "growing");
            assertEquals(size, r[1]);
            last = r[0];
        }
        assertEquals(size, last);
    }

    @Test
    void cancellationStopsTheCopyAndDeletesThePartialFile() throws Exception {
        Path root = root("media");
        TestPackages.write(root.resolve("STICK/p.zip"), "2.0.0", 1 << 20);
        UsbProvider p = provider(true, root);
        TestFetchRequest f = new TestFetchRequest(p.offer(offerRequest("1.0.0")).orElseThrow(), target());
        f.onProgress(x -> {
            if (x.progress.size() >= 2) {
                x.cancel();
            }
        });

        UpdateException e = assertThrows(UpdateException.class, () -> p.fetch(f));

        assertEquals(UpdateResult.IDLE, e.result());
        assertEquals(2, f.progress.size(), "stopped at the next buffer");
        assertFalse(Files.exists(f.target()), "partial file deleted");
    }

    @Test
    void aMediumRemovedMidCopyIsAConnectionFailure() throws Exception {
        Path root = root("media");
        Path pkg = TestPackages.write(root.resolve("STICK/ocf-update/p.zip"), "2.0.0", 1 << 20);
        UsbProvider p = provider(true, root);
        TestFetchRequest f = new TestFetchRequest(p.offer(offerRequest("1.0.0")).orElseThrow(), target());
        f.onProgress(x -> {
            try {
                TestSupport.deleteTree(root.resolve("STICK"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        UpdateException e = assertThrows(UpdateException.class, () -> p.fetch(f));

        assertEquals(UpdateResult.CONNECTION_FAILURE, e.result());
        assertTrue(e.getMessage().contains(pkg.toString()) && e.getMessage().contains("medium removed"),
                e.getMessage());
        assertEquals(1, f.progress.size());
        assertFalse(Files.exists(f.target()), "partial file deleted");
    }

    @Test
    void aPackageGoneBeforeTheFetchIsAConnectionFailure() throws Exception {
        Path root = root("media");
        Path pkg = TestPackages.write(root.resolve("STICK/p.zip"), "2.0.0");
        UsbProvider p = provider(true, root);
        UpdateOffer o = p.offer(offerRequest("1.0.0")).orElseThrow();
        TestSupport.deleteTree(root.resolve("STICK"));

        UpdateException e = assertThrows(UpdateException.class, () -> p.fetch(new TestFetchRequest(o, target())));

        assertEquals(UpdateResult.CONNECTION_FAILURE, e.result());
        assertTrue(e.getMessage().contains(pkg.toString()), e.getMessage());
    }

    @Test
    void aFileGrowingPastTheOfferedSizeIsStopped() throws Exception {
        Path root = root("media");
        Path pkg = TestPackages.write(root.resolve("STICK/p.zip"), "2.0.0", 256 * 1024);
        UsbProvider p = provider(true, root);
        UpdateOffer o = p.offer(offerRequest("1.0.0")).orElseThrow();
        TestPackages.append(pkg, 4 << 20); // "a fake huge file": it goes on beyond what the check saw
        TestFetchRequest f = new TestFetchRequest(o, target());

        UpdateException e = assertThrows(UpdateException.class, () -> p.fetch(f));

        assertEquals(UpdateResult.VALIDATION_FAILURE, e.result());
        assertTrue(e.getMessage().contains("grew past the offered " + o.size()), e.getMessage());
        assertTrue(f.progress.get(f.progress.size() - 1)[0] <= o.size(), "never more than offered");
        assertFalse(Files.exists(f.target()));
    }

    /**
     * A read-only staging folder is result 3 (NOT_ENOUGH_FLASH) like a full one: the gateway's own storage cannot
     * take the package, which a retry from the medium would not change; the reason names the file and the cause.
     * As root, permissions do not stop writes: then the folder is a read-only tmpfs mount.
     */
    @Test
    void aReadOnlyTargetIsNotEnoughFlashWithAClearReason() throws Exception {
        Path root = root("media");
        TestPackages.write(root.resolve("STICK/p.zip"), "2.0.0");
        UsbProvider p = provider(true, root);
        UpdateOffer o = p.offer(offerRequest("1.0.0")).orElseThrow();
        Path staging = Files.createDirectories(tmp.resolve("ro-staging"));
        boolean mounted = false;
        if (TestSupport.isRoot()) {
            var r = TestSupport.run("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", staging.toString());
            assumeTrue(r.exit() == 0, "running as root, and a read-only tmpfs cannot be mounted here: " + r.output());
            mounted = true;
        } else {
            Files.setPosixFilePermissions(staging, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        try {
            TestFetchRequest f = new TestFetchRequest(o, staging.resolve("package.zip.part"));
            UpdateException e = assertThrows(UpdateException.class, () -> p.fetch(f));
            assertEquals(UpdateResult.NOT_ENOUGH_FLASH, e.result());
            assertTrue(e.getMessage().contains(f.target().toString()), e.getMessage());
            assertTrue(e.getMessage().contains(mounted ? "read-only" : "denied"), e.getMessage());
            assertFalse(Files.exists(f.target()));
        } finally {
            if (mounted) {
                TestSupport.run("umount", staging.toString());
            } else {
                Files.setPosixFilePermissions(staging, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            }
        }
    }

    @Test
    void aFullTargetIsNotEnoughFlashAndThePartialFileIsRemoved() throws Exception {
        assumeTrue(TestSupport.isRoot(), "needs root to mount a small tmpfs as a full staging folder");
        Path root = root("media");
        TestPackages.write(root.resolve("STICK/p.zip"), "2.0.0", 1 << 20);
        UsbProvider p = provider(true, root);
        UpdateOffer o = p.offer(offerRequest("1.0.0")).orElseThrow();
        Path staging = Files.createDirectories(tmp.resolve("full-staging"));
        var r = TestSupport.run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", staging.toString());
        assumeTrue(r.exit() == 0, "a small tmpfs cannot be mounted here: " + r.output());
        try {
            TestFetchRequest f = new TestFetchRequest(o, staging.resolve("package.zip.part"));
            UpdateException e = assertThrows(UpdateException.class, () -> p.fetch(f));
            assertEquals(UpdateResult.NOT_ENOUGH_FLASH, e.result());
            assertTrue(e.getMessage().contains("full") && e.getMessage().contains(f.target().toString()),
                    e.getMessage());
            assertFalse(Files.exists(f.target()), "partial file deleted");
        } finally {
            TestSupport.run("umount", staging.toString());
        }
    }

    // ---- links ----

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void symlinkLoopsOnAMediumDoNotHangAndAreNotFollowed() throws Exception {
        Path root = root("media");
        Path m = root.resolve("STICK");
        TestPackages.write(m.resolve("good.zip"), "2.0.0");
        Path elsewhere = TestPackages.write(tmp.resolve("elsewhere/newer.zip"), "5.0.0");
        Files.createSymbolicLink(m.resolve("loop"), m);
        Files.createSymbolicLink(m.resolve("ocf-update"), Path.of("."));
        Files.createSymbolicLink(m.resolve("self.zip"), Path.of("self.zip"));
        Files.createSymbolicLink(m.resolve("zero.zip"), Path.of("/dev/zero"));
        Files.createSymbolicLink(m.resolve("link.zip"), elsewhere);
        Files.createSymbolicLink(root.resolve("back-to-root"), root);
        UsbProvider p = watching(true, root);

        UpdateOffer o = p.offer(offerRequest("1.0.0")).orElseThrow();

        assertEquals(m.resolve("good.zip").toUri(), o.location());
        await(() -> pstat.changes.size() == 1, p::status);
        assertEquals("medium " + m + " with 2.0.0", p.status());
    }

    // ---- checkOnInsert ----

    @Test
    void aRefusedCheckIsIgnoredAndTheNextInsertionStillStartsOne() throws Exception {
        Path root = root("media");
        pstat.busy = true;
        UsbProvider p = watching(true, root);

        TestPackages.write(root.resolve("USB1/p.zip"), "2.0.0");
        await(() -> pstat.refusals == 1, p::status);
        pstat.busy = false;
        TestPackages.write(root.resolve("USB2/p.zip"), "2.0.1");

        await(() -> pstat.changes.size() == 1, p::status);
        assertEquals(FakeContext.NEWS, pstat.changes.get(0));
    }

    @Test
    void noCheckForAnOlderPackageOnceTheRunningVersionIsKnown() throws Exception {
        Path root = root("media");
        UsbProvider p = watching(true, root);
        assertEquals(Optional.empty(), p.offer(offerRequest("2.0.0"))); // the engine's check tells the version

        TestPackages.write(root.resolve("OLD/p.zip"), "1.5.0");
        await(() -> p.listing().media().size() == 1, p::status);
        assertEquals("medium " + root.resolve("OLD") + ", no newer package", p.status());
        TestPackages.write(root.resolve("NEW/p.zip"), "3.0.0");

        await(() -> pstat.changes.size() == 1, p::status);
        assertEquals("medium " + root.resolve("NEW") + " with 3.0.0", p.status());
        assertEquals(1, pstat.changes.size(), "the older package started nothing");
    }

    /** Issue 15 defect: the status named the medium's version as newer after that version was installed. */
    @Test
    void theStatusNoLongerNamesAVersionOnceItIsInstalled() throws Exception {
        Path root = root("media");
        UsbProvider p = watching(true, root);
        TestPackages.write(root.resolve("USB1/p.zip"), "2.0.0");
        UpdateOffer o = p.offer(offerRequest("1.0.0")).orElseThrow();
        await(() -> p.status().equals("medium " + root.resolve("USB1") + " with 2.0.0"), p::status);

        p.completed(new UpdateOutcome(UpdateOutcome.Action.INSTALL, o, UpdateResult.SUCCESS, "installed 2.0.0",
                Instant.now(), Duration.ofSeconds(3)));

        assertEquals("medium " + root.resolve("USB1") + ", no newer package", p.status());
    }

    @Test
    void aFailedInstallationLeavesTheStatusAsItWas() throws Exception {
        Path root = root("media");
        UsbProvider p = watching(true, root);
        TestPackages.write(root.resolve("USB1/p.zip"), "2.0.0");
        UpdateOffer o = p.offer(offerRequest("1.0.0")).orElseThrow();

        p.completed(new UpdateOutcome(UpdateOutcome.Action.INSTALL, o, UpdateResult.UPGRADE_FAILURE, "rolled back",
                Instant.now(), Duration.ofSeconds(3)));

        await(() -> p.status().equals("medium " + root.resolve("USB1") + " with 2.0.0"), p::status);
    }

    @Test
    void withoutCheckOnInsertNothingIsStarted() throws Exception {
        Path root = root("media");
        UsbProvider p = watching(false, root);

        TestPackages.write(root.resolve("USB1/p.zip"), "2.0.0");

        await(() -> p.status().equals("medium " + root.resolve("USB1") + " with 2.0.0"), p::status);
        Thread.sleep(MediaWatcher.MOUNT_POLL_MS);
        assertEquals(List.of(), pstat.changes);
    }

    @Test
    void aCheckWantedBeforePstatIsThereStartsWhenItArrives() throws Exception {
        Path root = root("media");
        TestPackages.write(root.resolve("USB1/p.zip"), "2.0.0");
        UsbProvider p = provider(true, root);
        p.start();
        started.add(p);
        await(() -> p.listing().media().size() == 1, p::status);

        p.attach(pstat);

        await(() -> pstat.changes.size() == 1, p::status);
    }

    @Test
    void aMediumWithoutPackagesAndARemovedMediumAreReported() throws Exception {
        Path root = root("media");
        UsbProvider p = watching(true, root);
        Files.createDirectories(root.resolve("EMPTY"));
        await(() -> p.status().equals("medium " + root.resolve("EMPTY") + ", no update package"), p::status);

        Files.delete(root.resolve("EMPTY"));

        await(() -> p.status().equals("no medium under " + root), p::status);
        assertEquals(List.of(), pstat.changes);
    }

    @Test
    void aPackageStillBeingWrittenStartsOneCheckOnceComplete() throws Exception {
        Path root = root("media");
        UsbProvider p = watching(true, root);
        byte[] whole = Files.readAllBytes(TestPackages.write(tmp.resolve("src.zip"), "2.0.0", 512 * 1024));
        Path pkg = Files.createDirectories(root.resolve("USB1")).resolve("p.zip");

        try (var out = Files.newOutputStream(pkg)) {
            for (int off = 0; off < whole.length; off += 64 * 1024) {
                out.write(whole, off, Math.min(64 * 1024, whole.length - off));
                out.flush();
                Thread.sleep(40);
            }
        }

        await(() -> pstat.changes.size() == 1, p::status);
        Thread.sleep(MediaWatcher.STABLE_MS + MediaWatcher.MOUNT_POLL_MS);
        assertEquals(1, pstat.changes.size(), "one check for one package");
    }

    // ---- configuration ----

    @Test
    void newRootsTakeEffectWithoutARestart() throws Exception {
        Path a = root("a");
        Path b = root("b");
        UsbProvider p = watching(true, a);

        p.reconfigure(new UsbProvider.Settings(List.of(b), true, MountTable.PROC));
        await(() -> p.listing().folders().contains(b), p::status);
        TestPackages.write(b.resolve("USB/p.zip"), "2.0.0");
        TestPackages.write(a.resolve("USB/p.zip"), "3.0.0");

        await(() -> pstat.changes.size() == 1, p::status);
        assertEquals("medium " + b.resolve("USB") + " with 2.0.0", p.status());
        assertEquals("2.0.0", p.offer(offerRequest("1.0.0")).orElseThrow().version());
    }

    @Test
    void stopEndsTheWatchThread() throws Exception {
        UsbProvider p = watching(true, root("media"));
        assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("ocf-usb-watch")));

        p.stop();
        started.remove(p);

        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("ocf-usb-watch")
                && t.isAlive()));
    }
}
