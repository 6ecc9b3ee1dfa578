package org.ocfupdate.gateway.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ocfupdate.pstat.api.DeviceOnboardingState;
import org.ocfupdate.pstat.api.Pstat;
import org.ocfupdate.pstat.api.PstatChange;
import org.ocfupdate.pstat.api.PstatListener;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.pstat.api.provider.FetchRequest;
import org.ocfupdate.pstat.api.provider.OfferRequest;
import org.ocfupdate.pstat.api.provider.ProviderContext;
import org.ocfupdate.pstat.api.provider.UpdateException;
import org.ocfupdate.pstat.api.provider.UpdateOffer;
import org.ocfupdate.pstat.api.provider.UpdateOutcome;
import org.ocfupdate.pstat.api.provider.UpdateProvider;
import org.ocfupdate.testsupport.SignedPackages;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Issue 15 in the running gateway: periodic checks ({@code checkIntervalSeconds}) and an install window that opens
 * during the test, and a provider of SPI 2 (attached, news, forced offers, outcomes after the commit).
 */
class AutonomousUpdateTest {
    static final String PSTAT_PID = "org.ocfupdate.pstat";
    static KeyPair key;
    static Path work;
    static Configuration trust;
    static Dictionary<String, Object> trustBefore;
    static Dictionary<String, Object> pstatBefore;
    static ServiceRegistration<UpdateProvider> registration;
    static final Spi2Provider provider = new Spi2Provider();

    /** A provider of SPI 2 offering a signed package from a folder, recording what the engine tells it. */
    static final class Spi2Provider implements UpdateProvider {
        volatile ProviderContext context;
        volatile Path offered;
        volatile String version;
        volatile boolean forceInstall;
        volatile boolean installAllowed = true;
        /** While set, a fetch waits for it to be cleared (an action that runs while the test changes things). */
        volatile boolean holdFetch;
        final AtomicInteger checks = new AtomicInteger();
        final AtomicInteger fetches = new AtomicInteger();
        final List<UpdateOutcome> told = new CopyOnWriteArrayList<>();

        @Override
        public void attach(ProviderContext c) {
            context = c;
        }

        @Override
        public void completed(UpdateOutcome outcome) {
            told.add(outcome);
        }

        @Override
        public Optional<UpdateOffer> offer(OfferRequest request) {
            checks.incrementAndGet();
            Path p = offered;
            if (p == null) {
                return Optional.empty();
            }
            try {
                String sha = java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
                return Optional.of(UpdateOffer.builder(version, p.toUri()).sha256(sha).reference("action-" + version)
                        .forceInstall(forceInstall).installAllowed(installAllowed).build());
            } catch (IOException | java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void fetch(FetchRequest request) throws UpdateException {
            fetches.incrementAndGet();
            while (holdFetch && !request.isCancelled()) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (request.isCancelled()) {
                throw new UpdateException(UpdateResult.IDLE, "cancelled");
            }
            try {
                Files.copy(Path.of(request.offer().location()), request.target(),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UpdateException(UpdateResult.CONNECTION_FAILURE, e.getMessage());
            }
        }

        @Override
        public String status() {
            return "itest folder " + offered;
        }

        /** The outcomes of {@code action} told so far. */
        List<UpdateOutcome> told(UpdateOutcome.Action action) {
            return told.stream().filter(o -> o.action() == action).toList();
        }
    }

    @BeforeAll
    static void givenATrustedKeyAndTheProviderInUse() throws Exception {
        GatewayBundlesTest.ephemeralPortWithoutMulticast();
        work = Files.createTempDirectory("ocf-itest-autonomous");
        key = SignedPackages.ecKey();
        Path pub = SignedPackages.writePublicKey(key, work.resolve("vendor.pem"));
        ConfigurationAdmin ca = GatewayBundlesTest.service(ConfigurationAdmin.class);
        trust = ca.getConfiguration("org.ocfupdate.trust", "?");
        trustBefore = trust.getProperties();
        trust.update(new Hashtable<>(Map.of("keys", pub.toString())));
        GatewayBundlesTest.awaitTrusted(key.getPublic());
        pstatBefore = ca.getConfiguration(PSTAT_PID, "?").getProperties();
        registration = GatewayBundlesTest.CONTEXT.registerService(UpdateProvider.class, provider,
                new Hashtable<>(Map.of("provider.name", "itest-spi2", "service.ranking", 40_000)));
        PstatService pstat = GatewayBundlesTest.service(PstatService.class);
        if (pstat.current().dos() != DeviceOnboardingState.RFNOP) {
            pstat.update(new PstatChange(DeviceOnboardingState.RFPRO, null, null, null), true);
            pstat.update(new PstatChange(DeviceOnboardingState.RFNOP, null, null, null), true);
        }
        await(() -> provider.context != null, "the engine attached the provider");
    }

    @AfterEach
    void noOffer() throws Exception {
        provider.offered = null;
        configure(Map.of("checkIntervalSeconds", 0, "autoInstall", false, "installWindow", ""));
        UpdatePathTest.awaitIdle(GatewayBundlesTest.service(PstatService.class));
    }

    @AfterAll
    static void restore() throws Exception {
        registration.unregister();
        ConfigurationAdmin ca = GatewayBundlesTest.service(ConfigurationAdmin.class);
        UsbProviderTest.restore(ca.getConfiguration(PSTAT_PID, "?"), pstatBefore);
        UsbProviderTest.restore(trust, trustBefore);
    }

    static void configure(Map<String, Object> props) throws Exception {
        GatewayBundlesTest.service(ConfigurationAdmin.class).getConfiguration(PSTAT_PID, "?")
                .update(new Hashtable<>(props));
    }

    static void offer(String version) throws Exception {
        provider.offered = SignedPackages.write(work.resolve("pkg-" + version + ".zip"), key, version,
                Map.of("files/autonomous-" + version + ".txt", version.getBytes()));
        provider.version = version;
    }

    @Test
    void periodicChecksRunAndAPackageWaitsForTheInstallWindowThenInstalls() throws Exception {
        PstatService pstat = GatewayBundlesTest.service(PstatService.class);
        UpdatePathTest.awaitIdle(pstat);
        List<Pstat> seen = new CopyOnWriteArrayList<>();
        PstatListener listener = seen::add;
        pstat.addListener(listener);
        int fetched = provider.fetches.get();
        try {
            // a window opening at the next minute (or the one after, to validate before it opens), local time
            LocalTime now = LocalTime.now();
            LocalTime opens = now.withSecond(0).withNano(0).plusMinutes(now.getSecond() > 40 ? 2 : 1);
            DateTimeFormatter hm = DateTimeFormatter.ofPattern("HH:mm");
            String window = opens.format(hm) + "-" + opens.plusMinutes(5).format(hm);
            int before = provider.checks.get();
            configure(Map.of("checkIntervalSeconds", 2, "autoInstall", true, "installWindow", window));

            await(() -> provider.checks.get() >= before + 2, "two periodic checks");
            assertTrue(seen.stream().anyMatch(p -> p.tm() == 256), "observers saw the device's tm 256");

            String next = UpdatePathTest.bump(pstat.status().runningVersion());
            offer(next);
            await(() -> pstat.current().update() == UpdateState.VERSION_AVAILABLE,
                    "validated by a periodic check");
            assertTrue(LocalTime.now().isBefore(opens), "validated before the window " + window + " opened");
            int checked = provider.checks.get();
            await(() -> provider.checks.get() > checked, "periodic checks go on while it waits");
            // the provider counts the check while the device is in new_version_check: that check ends in
            // version_available again (its offer is the staged package), which must then still wait for the window
            await(() -> pstat.current().update() != UpdateState.NEW_VERSION_CHECK, "the periodic check ended");
            assertEquals(UpdateState.VERSION_AVAILABLE, pstat.current().update(), "waits for the window " + window);

            await(() -> next.equals(pstat.status().runningVersion())
                    && pstat.current().update() == UpdateState.IDLE, "installed once the window " + window + " opened");
            assertTrue(!LocalTime.now().isBefore(opens), "not before the window");
            assertEquals(1, provider.fetches.get() - fetched, "fetched once, not at each check");
            await(() -> provider.told(UpdateOutcome.Action.INSTALL).stream()
                    .anyMatch(o -> next.equals(o.offer().version())), "the provider hears the installation's outcome");
            UpdateOutcome installed = provider.told(UpdateOutcome.Action.INSTALL).stream()
                    .filter(o -> next.equals(o.offer().version())).findFirst().orElseThrow();
            assertEquals(List.of(UpdateResult.SUCCESS, "action-" + next), List.of(installed.result(),
                    installed.offer().reference()));
        } finally {
            pstat.removeListener(listener);
        }
    }

    /** Waits up to 3 minutes (an install window opens at a minute's start); polls every 25 ms. */
    static void await(ProviderHotSwapTest.Condition condition, String what) throws Exception {
        for (int i = 0; i < 7200; i++) {
            if (condition.holds()) {
                return;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("not reached: " + what);
    }

    /** Before issue 15 a change of org.ocfupdate.pstat rebuilt the state machine, which cancelled the action. */
    @Test
    void changingTheSettingsDoesNotCancelARunningAction() throws Exception {
        PstatService pstat = GatewayBundlesTest.service(PstatService.class);
        UpdatePathTest.awaitIdle(pstat);
        offer(UpdatePathTest.bump(pstat.status().runningVersion()));
        provider.holdFetch = true;
        int fetched = provider.fetches.get();
        try {
            pstat.update(PstatChange.tm(org.ocfupdate.pstat.api.Dpm.ISVV), true);
            await(() -> provider.fetches.get() > fetched, "the validation fetches");
            configure(Map.of("checkIntervalSeconds", 3600, "autoInstall", false, "installWindow", "Sun 03:00-04:00"));
            Thread.sleep(2000); // what a rebuilt component would have done (cancel) has happened by now
            assertEquals(UpdateState.VERSION_VALIDATION, GatewayBundlesTest.service(PstatService.class).current()
                    .update(), "the validation still runs");
        } finally {
            provider.holdFetch = false;
        }
        await(() -> GatewayBundlesTest.service(PstatService.class).current().update() == UpdateState.VERSION_AVAILABLE,
                "validated, not cancelled");
        String next = provider.version;
        GatewayBundlesTest.service(PstatService.class).update(PstatChange.tm(org.ocfupdate.pstat.api.Dpm.ISSU), true);
        await(() -> next.equals(pstat.status().runningVersion()) && GatewayBundlesTest.service(PstatService.class)
                .current().update() == UpdateState.IDLE, "installed (the next test starts from idle)");
    }

    @Test
    void newsFromTheProviderInUseStartsACheck() throws Exception {
        PstatService pstat = GatewayBundlesTest.service(PstatService.class);
        UpdatePathTest.awaitIdle(pstat);
        int before = provider.checks.get();
        provider.context.offerMayHaveChanged();
        await(() -> provider.checks.get() == before + 1, "a check for the news");
        await(() -> provider.told(UpdateOutcome.Action.CHECK).size() > 0, "the check's outcome");
    }

    @Test
    void aForcedOfferWaitsUntilTheSourceAllowsItAndThenInstallsWithoutFetchingAgain() throws Exception {
        PstatService pstat = GatewayBundlesTest.service(PstatService.class);
        UpdatePathTest.awaitIdle(pstat);
        String next = UpdatePathTest.bump(pstat.status().runningVersion());
        offer(next);
        provider.forceInstall = true;
        provider.installAllowed = false;
        int fetched = provider.fetches.get();
        try {
            provider.context.offerMayHaveChanged();
            await(() -> pstat.current().update() == UpdateState.VERSION_AVAILABLE,
                    "validated at once (forced), waiting for the source to allow the installation");
            assertEquals(fetched + 1, provider.fetches.get());

            provider.installAllowed = true;
            provider.context.offerMayHaveChanged();
            await(() -> next.equals(pstat.status().runningVersion())
                    && pstat.current().update() == UpdateState.IDLE, "installed once allowed");
            assertEquals(fetched + 1, provider.fetches.get(), "the staged package was not fetched again");
            await(() -> provider.told(UpdateOutcome.Action.INSTALL).stream()
                    .anyMatch(o -> o.offer().version().equals(next) && o.succeeded()), "told after the commit");
        } finally {
            provider.forceInstall = false;
            provider.installAllowed = true;
        }
    }
}
