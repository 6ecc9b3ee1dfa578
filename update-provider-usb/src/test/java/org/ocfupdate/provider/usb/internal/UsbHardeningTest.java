package org.ocfupdate.provider.usb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocfupdate.provider.usb.internal.TestSupport.await;
import static org.ocfupdate.provider.usb.internal.TestSupport.offerRequest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.pstat.api.provider.OfferRequest;
import org.ocfupdate.pstat.api.provider.UpdateOffer;
import org.ocfupdate.testsupport.TestOfferRequest;

/**
 * Issue 12: a medium with a hostile manifest (item 8), refusals keyed by version and digest (item 13), and a
 * restart of the provider inside a running framework, as an installation or rollback refreshes it (item 5).
 */
class UsbHardeningTest {
    @TempDir
    Path tmp;
    final List<UsbProvider> started = new ArrayList<>();
    final FakeContext pstat = new FakeContext();

    @AfterEach
    void stopProviders() {
        started.forEach(UsbProvider::stop);
    }

    UsbProvider watching(Path root, FakeContext fake, UsbProvider.Launch launch) throws Exception {
        UsbProvider p = new UsbProvider(new UsbProvider.Settings(List.of(root), true, MountTable.PROC));
        p.attach(fake);
        p.setLaunch(launch);
        fake.context = () -> p.listing().media().stream().map(m -> m.dir().getFileName().toString()).toList();
        p.start();
        started.add(p);
        await(() -> p.listing().folders().contains(root), () -> "first scan of " + root);
        return p;
    }

    UsbProvider watching(Path root) throws Exception {
        return watching(root, pstat, UsbProvider.Launch.NONE);
    }

    Path root() throws IOException {
        return Files.createDirectories(tmp.resolve("media")).toRealPath();
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    /** The engine's answers as History gives them: refusals by version and digest. */
    static OfferRequest refusing(String running, Map<String, Set<String>> refused) {
        return new TestOfferRequest(running).refusing((version, sha256) -> {
            Set<String> digests = refused.getOrDefault(version, Set.of());
            return sha256 == null ? !digests.isEmpty() : digests.contains(sha256);
        });
    }

    // ---- item 8: a hostile manifest ----

    static final String HUGE = "5.3.0-" + "a.".repeat(2047) + "a";

    @Test
    void aStickWithA4KbPreReleaseVersionPresentAtStartDoesNotStopTheWatcher() throws Exception {
        Path root = root();
        UsbProviderTest.zipWithManifest(Files.createDirectories(root.resolve("EVIL")).resolve("evil.zip"),
                "{\"version\":\"" + HUGE + "\",\"artifacts\":[]}");
        UsbProvider p = watching(root);
        await(() -> p.listing().media().size() == 1, p::status);

        TestPackages.write(root.resolve("GOOD/p.zip"), "2.0.0");

        await(() -> pstat.changes.size() == 1, () -> "a check for the later medium, status " + p.status());
        assertEquals("medium " + root.resolve("GOOD") + " with 2.0.0", p.status());
        assertEquals(root.resolve("GOOD/p.zip").toUri(), p.offer(offerRequest("1.0.0")).orElseThrow().location());
    }

    @Test
    void aThrowableFromOneItemDoesNotStopTheWatcher() throws Exception {
        Path root = root();
        UsbProvider p = watching(root);
        pstat.failNext = new StackOverflowError("thrown by the test");

        TestPackages.write(root.resolve("USB1/p.zip"), "2.0.0");
        await(() -> pstat.failNext == null, p::status);
        TestPackages.write(root.resolve("USB2/p.zip"), "2.0.1");

        await(() -> pstat.changes.size() == 1, () -> "the watcher went on, status " + p.status());
    }

    @Test
    void aRefusedManifestIsReadOnceNotAtEveryCheck() throws Exception {
        Path root = root();
        UsbProviderTest.zipWithManifest(Files.createDirectories(root.resolve("EVIL")).resolve("evil.zip"),
                "{\"version\":\"" + HUGE + "\",\"artifacts\":[]}");
        TestPackages.write(root.resolve("GOOD/p.zip"), "2.0.0");
        UsbProvider p = new UsbProvider(new UsbProvider.Settings(List.of(root), true, MountTable.PROC));

        assertEquals("2.0.0", p.offer(offerRequest("1.0.0")).orElseThrow().version());
        long read = p.manifestBytesRead();
        assertEquals("2.0.0", p.offer(offerRequest("1.0.0")).orElseThrow().version());

        assertEquals(read, p.manifestBytesRead(), "unchanged files are not read (nor reported) again");
    }

    @Test
    void unsignedManifestsAreLimitedInSizeAndShapeBeforeTheyAreParsed() throws Exception {
        ManifestReader reader = new ManifestReader();
        Path deep = tmp.resolve("deep.zip");
        UsbProviderTest.zipWithManifest(deep, "{\"version\":\"2.0.0\",\"x\":" + "[".repeat(100) + "]".repeat(100) + "}");
        Path longString = tmp.resolve("string.zip");
        UsbProviderTest.zipWithManifest(longString, "{\"version\":\"2.0.0\",\"name\":\"" + "n".repeat(100_000) + "\"}");
        Path longVersion = tmp.resolve("version.zip");
        UsbProviderTest.zipWithManifest(longVersion, "{\"version\":\"" + HUGE + "\"}");
        Path big = tmp.resolve("big.zip");
        UsbProviderTest.zipWithManifest(big, "{\"version\":\"2.0.0\",\"pad\":\"" + " ".repeat(ManifestReader.MAX_MANIFEST)
                + "\"}");

        assertTrue(refusal(reader, deep).contains("nesting depth"), refusal(reader, deep));
        assertTrue(refusal(reader, longString).contains("value length"), refusal(reader, longString));
        assertTrue(refusal(reader, longVersion).contains("longer than 256 characters"), refusal(reader, longVersion));
        assertTrue(refusal(reader, big).contains("larger than " + ManifestReader.MAX_MANIFEST), refusal(reader, big));
        assertTrue(refusal(reader, longVersion).length() < 300, "the reason does not quote the input");
    }

    static String refusal(ManifestReader reader, Path zip) {
        return assertThrows(ManifestReader.NotAPackage.class, () -> reader.version(zip)).getMessage();
    }

    // ---- item 13: refusals by version and digest ----

    @Test
    void aRefusedForgeryDoesNotHideTheGenuinePackageOfTheSameVersion() throws Exception {
        Path root = root();
        Path rogue = TestPackages.write(root.resolve("ROGUE/update.zip"), "1.0.50", 1000);
        UsbProvider p = new UsbProvider(new UsbProvider.Settings(List.of(root), true, MountTable.PROC));
        OfferRequest afterTheRefusal = refusing("1.0.0", Map.of("1.0.50", Set.of(sha256(rogue))));

        UpdateOffer first = p.offer(refusing("1.0.0", Map.of())).orElseThrow();
        assertNull(first.sha256(), "no refusal of 1.0.50: the package is not hashed");
        assertEquals(Optional.empty(), p.offer(afterTheRefusal), "the refused forgery is not offered again");

        Path genuine = TestPackages.write(root.resolve("VENDOR/update.zip"), "1.0.50", 3000);
        UpdateOffer o = p.offer(afterTheRefusal).orElseThrow();

        assertEquals(genuine.toUri(), o.location());
        assertEquals(sha256(genuine), o.sha256(), "offered with its digest, which the engine checks after the copy");
        assertEquals("medium " + root.resolve("VENDOR") + " with 1.0.50", o.description());
    }

    @Test
    void theGenuinePackageInsertedAfterARefusedForgeryStartsACheck() throws Exception {
        Path root = root();
        Path rogue = TestPackages.write(root.resolve("ROGUE/update.zip"), "1.0.50", 1000);
        UsbProvider p = watching(root);
        await(() -> pstat.changes.size() == 1, p::status); // present at start: inserted
        assertEquals(Optional.empty(), p.offer(refusing("1.0.0", Map.of("1.0.50", Set.of(sha256(rogue))))));

        TestPackages.write(root.resolve("VENDOR/update.zip"), "1.0.50", 3000);

        await(() -> pstat.changes.size() == 2, () -> "a check for the genuine 1.0.50, status " + p.status());
        assertEquals("medium " + root.resolve("VENDOR") + " with 1.0.50", p.status());
    }

    // ---- item 5: a restart inside the running framework is not an insertion ----

    @Test
    void mediaPresentWhenTheProviderRestartsInTheSameFrameworkAreNotInserted() throws Exception {
        Path root = root();
        Path seen = tmp.resolve("bundle-data/media-seen.json");
        TestPackages.write(root.resolve("STICK/update.zip"), "2.0.0");
        UsbProvider first = watching(root, pstat, new UsbProvider.Launch("framework-1", seen));
        await(() -> pstat.changes.size() == 1, first::status);
        first.stop(); // an installation or a rollback refreshes the bundle
        started.remove(first);

        FakeContext afterRestart = new FakeContext();
        UsbProvider second = watching(root, afterRestart, new UsbProvider.Launch("framework-1", seen));
        await(() -> second.status().equals("medium " + root.resolve("STICK") + " with 2.0.0"), second::status);
        TestPackages.write(root.resolve("LATER/update.zip"), "2.1.0");

        await(() -> !afterRestart.changes.isEmpty(), second::status);
        assertEquals(List.of("[LATER, STICK]"), afterRestart.contexts, "only the medium inserted after the restart "
                + "started a check, not the one that was there before");
        second.stop();
        started.remove(second);

        FakeContext nextLaunch = new FakeContext();
        UsbProvider third = watching(root, nextLaunch, new UsbProvider.Launch("framework-2", seen));
        await(() -> nextLaunch.changes.size() == 1, () -> "media present at a gateway start count as inserted, "
                + third.status());
    }
}
