package org.ocfupdate.gateway.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ocfupdate.pstat.api.Dpm;
import org.ocfupdate.pstat.api.Pstat;
import org.ocfupdate.pstat.api.PstatChange;
import org.ocfupdate.pstat.api.PstatListener;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.pstat.api.provider.UpdateProvider;
import org.ocfupdate.testsupport.SignedPackages;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The USB provider in the real gateway: a "medium" (a folder with a signed package) plugged into a configured root
 * starts the availability check by itself (tm 256, then cm 256 while it validates), the package is validated and
 * staged, tm 128 installs it and {@code /oic/d} {@code sv} changes.
 */
class UsbProviderTest {
    static final String USB_PID = "org.ocfupdate.provider.usb";
    static final String TRUST_PID = "org.ocfupdate.trust";
    static final int RANKING = 1000; // above every provider the other tests register
    static Path work;
    static Path root;
    static KeyPair key;
    static Dictionary<String, Object> trustBefore;
    static Dictionary<String, Object> usbBefore;

    @BeforeAll
    static void givenATrustedKeyAndAUsbRootAndTheUsbProviderInUse() throws Exception {
        GatewayBundlesTest.ephemeralPortWithoutMulticast();
        work = Files.createTempDirectory("ocf-itest-usb");
        root = Files.createDirectories(work.resolve("media")).toRealPath();
        key = SignedPackages.ecKey();
        Path pub = SignedPackages.writePublicKey(key, work.resolve("vendor.pem"));
        ConfigurationAdmin ca = GatewayBundlesTest.service(ConfigurationAdmin.class);
        Configuration trust = ca.getConfiguration(TRUST_PID, "?");
        trustBefore = trust.getProperties();
        trust.update(new Hashtable<>(Map.of("keys", pub.toString())));
        GatewayBundlesTest.awaitTrusted(key.getPublic());
        Configuration usb = ca.getConfiguration(USB_PID, "?");
        usbBefore = usb.getProperties();
        usb.update(new Hashtable<>(Map.of("roots", root.toString(), "checkOnInsert", true,
                "service.ranking", RANKING)));
        awaitUsbProvider("(service.ranking=" + RANKING + ")");
        // The engine reads service.ranking when it binds a provider and ignores later property changes: register the
        // provider anew with the configured ranking, as a gateway started with etc/org.ocfupdate.provider.usb.cfg has.
        var bundle = UpdatePathTest.bundle("org.ocfupdate.update.provider.usb");
        bundle.stop();
        bundle.start();
        awaitUsbProvider("(service.ranking=" + RANKING + ")");
    }

    @AfterAll
    static void restoreTheConfiguration() throws Exception {
        ConfigurationAdmin ca = GatewayBundlesTest.service(ConfigurationAdmin.class);
        restore(ca.getConfiguration(USB_PID, "?"), usbBefore);
        restore(ca.getConfiguration(TRUST_PID, "?"), trustBefore);
        awaitUsbProvider("(!(service.ranking=" + RANKING + "))");
        var bundle = UpdatePathTest.bundle("org.ocfupdate.update.provider.usb");
        bundle.stop(); // and the engine forgets the ranking of this test
        bundle.start();
        awaitUsbProvider("(!(service.ranking=" + RANKING + "))");
        if (work != null) {
            try (Stream<Path> s = Files.walk(work)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * Puts a configuration back as it was; one that did not exist is deleted, and this waits until ConfigAdmin
     * delivered the deletion: the next test may set the same PID at once, and Felix SCR 2.2 ignores a configuration
     * created again before it handled the deletion (ConfigurationRestoreTest).
     */
    static void restore(Configuration c, Dictionary<String, Object> before) throws Exception {
        if (before == null) {
            c.delete();
            GatewayBundlesTest.awaitConfigurationEvents();
        } else {
            c.update(before);
        }
    }

    static UpdateProvider awaitUsbProvider(String filter) throws Exception {
        return GatewayBundlesTest.awaitProvider("usb", filter);
    }

    @Test
    void aMediumPluggedInIsCheckedValidatedAndInstalledWithTm128() throws Exception {
        PstatService pstat = GatewayBundlesTest.service(PstatService.class);
        String next = UpdatePathTest.operationalIdleAndNextVersion(pstat);
        Path pkg = SignedPackages.write(work.resolve("update-" + next + ".zip"), key, next,
                Map.of("files/usb-itest.txt", ("installed from a USB medium, " + next + "\n").getBytes()));
        List<Pstat> seen = new CopyOnWriteArrayList<>();
        PstatListener listener = seen::add;
        pstat.addListener(listener);
        try {
            // when a medium is plugged in: the automounter's folder appears, then the files on it
            Path medium = Files.createDirectories(root.resolve("ITEST-USB"));
            Files.copy(pkg, Files.createDirectories(medium.resolve("ocf-update")).resolve(pkg.getFileName()));

            // then the check starts by itself, as if a client had written tm 256, and validation follows
            await(() -> seen.stream().anyMatch(p -> p.tm() == Dpm.ISAC), "tm 256 after the insertion", seen);
            await(() -> pstat.current().update() == UpdateState.VERSION_AVAILABLE, "validated and staged", seen);
            assertTrue(seen.stream().anyMatch(p -> p.update() == UpdateState.VERSION_VALIDATION
                    && (p.cm() & Dpm.ISAC) != 0), "cm 256 while validating: " + seen);
            assertEquals(Dpm.ISAC | Dpm.ISVV, pstat.current().cm());
            assertEquals("medium " + medium + " with " + next, awaitUsbProvider("").status());
        } finally {
            pstat.removeListener(listener);
        }

        pstat.update(PstatChange.tm(Dpm.ISSU), true);
        UpdatePathTest.awaitIdleAfterUpgrade();

        assertEquals(next, UpdatePathTest.device().get("sv").asText(), "/oic/d sv is the installed version");
        Path home = Path.of(GatewayBundlesTest.CONTEXT.getProperty("gateway.home"));
        assertEquals("installed from a USB medium, " + next + "\n",
                Files.readString(home.resolve("data/files/files/usb-itest.txt")));

        // and when the medium is pulled, the provider says so
        try (Stream<Path> s = Files.walk(root.resolve("ITEST-USB"))) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        UpdateProvider usb = awaitUsbProvider("");
        await(() -> usb.status().equals("no medium under " + root), "the removal noticed: " + usb.status(), seen);
    }

    /**
     * Issue 12 item 5: an installation or a rollback refreshes the provider's bundle; a medium that was already there
     * must not look newly inserted then (a failing package was installed and rolled back in a loop).
     */
    @Test
    void restartingTheProviderBundleWithAKnownMediumPresentStartsNoCheck() throws Exception {
        PstatService pstat = GatewayBundlesTest.service(PstatService.class);
        UpdatePathTest.awaitIdle(pstat);
        String[] sv = UpdatePathTest.device().get("sv").asText().split("[.-]");
        String next = (Integer.parseInt(sv[0]) + 50) + ".0.0";
        // signed by a key the gateway does not trust: the check it starts ends with the package refused
        Path pkg = SignedPackages.write(work.resolve("forged-" + next + ".zip"), SignedPackages.ecKey(), next,
                Map.of("files/forged.txt", "forged\n".getBytes()));
        List<Pstat> seen = new CopyOnWriteArrayList<>();
        PstatListener listener = seen::add;
        pstat.addListener(listener);
        Path medium = root.resolve("ITEST-KNOWN");
        try {
            Files.copy(pkg, Files.createDirectories(medium).resolve(pkg.getFileName()));
            await(() -> seen.stream().anyMatch(p -> p.tm() == Dpm.ISAC), "tm 256 after the insertion", seen);
            UpdatePathTest.awaitIdle(pstat);
            seen.clear();

            var bundle = UpdatePathTest.bundle("org.ocfupdate.update.provider.usb");
            bundle.stop(); // as a refresh does
            bundle.start();
            UpdateProvider usb = awaitUsbProvider("(service.ranking=" + RANKING + ")");
            await(() -> usb.status().startsWith("medium " + medium), "the restarted provider sees the medium: "
                    + usb.status(), seen);
            Thread.sleep(1000); // a check would follow the listing at once; none may come

            assertTrue(seen.stream().noneMatch(p -> p.tm() == Dpm.ISAC), "no check after the restart: " + seen);
        } finally {
            pstat.removeListener(listener);
            try (Stream<Path> s = Files.walk(medium)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    static void await(BooleanSupplier condition, String what, List<Pstat> seen) throws InterruptedException {
        for (int i = 0; i < 600 && !condition.getAsBoolean(); i++) {
            Thread.sleep(50);
        }
        assertTrue(condition.getAsBoolean(), what + "; pstat went through " + seen);
    }
}
