package org.ocfupdate.gateway.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ocfupdate.pstat.api.DeviceOnboardingState;
import org.ocfupdate.pstat.api.Dpm;
import org.ocfupdate.pstat.api.ProviderInfo;
import org.ocfupdate.pstat.api.PstatChange;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.api.UpdateRecord;
import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.pstat.api.provider.FetchRequest;
import org.ocfupdate.pstat.api.provider.OfferRequest;
import org.ocfupdate.pstat.api.provider.UpdateOffer;
import org.ocfupdate.pstat.api.provider.UpdateProvider;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Hot-swapping update providers in the running gateway: rankings changed through ConfigAdmin (as the console's
 * configuration page or its "Use" button do), provider bundles stopped, started, uninstalled and installed again,
 * and a provider that goes away in the middle of a transfer.
 */
class ProviderHotSwapTest {
    static final String HTTP_PID = "org.ocfupdate.provider.http";
    static final String USB_PID = "org.ocfupdate.provider.usb";
    static final String ENGINE_PID = "org.ocfupdate.pstat";
    static Dictionary<String, Object> httpBefore;
    static Dictionary<String, Object> usbBefore;
    static Path root;
    static PstatService pstat;

    @BeforeAll
    static void givenTheUsbAndTheHttpProvider() throws Exception {
        GatewayBundlesTest.ephemeralPortWithoutMulticast();
        pstat = GatewayBundlesTest.service(PstatService.class);
        root = Files.createTempDirectory("ocf-itest-swap").toRealPath();
        ConfigurationAdmin ca = GatewayBundlesTest.service(ConfigurationAdmin.class);
        // the HTTP provider gets a descriptor nobody serves: it registers, and no test here checks through it
        usbBefore = ca.getConfiguration(USB_PID, "?").getProperties();
        httpBefore = ca.getConfiguration(HTTP_PID, "?").getProperties();
    }

    /** Above every provider other test classes register (they use up to 1000). */
    static final int BASE = 20_000;

    /** usb ranked BASE + 1, http BASE + 2: http in use. */
    @BeforeEach
    void givenHttpInUseAndUsbNext() throws Exception {
        ConfigurationAdmin ca = GatewayBundlesTest.service(ConfigurationAdmin.class);
        ca.getConfiguration(USB_PID, "?").update(new Hashtable<>(Map.of("roots", root.toString(),
                "checkOnInsert", false, "service.ranking", BASE + 1)));
        ca.getConfiguration(HTTP_PID, "?").update(new Hashtable<>(Map.of("url", "http://127.0.0.1:9/release.json",
                "service.ranking", BASE + 2)));
        await(() -> names().equals(List.of("http", "usb")) && pstat.providers().get(0).ranking() == BASE + 2,
                "http in use before usb");
    }

    @AfterAll
    static void restoreTheConfiguration() throws Exception {
        ConfigurationAdmin ca = GatewayBundlesTest.service(ConfigurationAdmin.class);
        UsbProviderTest.restore(ca.getConfiguration(HTTP_PID, "?"), httpBefore);
        UsbProviderTest.restore(ca.getConfiguration(USB_PID, "?"), usbBefore);
        await(() -> !names().contains("http") || httpBefore != null, "the HTTP provider gone again");
        Files.deleteIfExists(root);
    }

    static List<String> names() {
        return pstat.providers().stream().map(ProviderInfo::name).filter(n -> n.equals("usb") || n.equals("http"))
                .toList();
    }

    static String inUse() {
        return pstat.providers().stream().filter(ProviderInfo::inUse).map(ProviderInfo::name).findFirst().orElse("");
    }

    @Test
    void aRankingChangedInConfigAdminSwitchesTheProviderInUseAtOnce() throws Exception {
        Configuration usb = GatewayBundlesTest.service(ConfigurationAdmin.class).getConfiguration(USB_PID, "?");
        Dictionary<String, Object> props = usb.getProperties();
        props.put("service.ranking", BASE + 5);
        usb.update(props);
        await(() -> inUse().equals("usb"), "usb in use after its ranking went above http's");

        // the console's "Use" and the shell's ocf:providers NAME store the choice as the engine's preferredProvider:
        // the chosen one is used above all the others, whose configurations (service.ranking) stay as they were
        Configuration engine = GatewayBundlesTest.service(ConfigurationAdmin.class).getConfiguration(ENGINE_PID, "?");
        try {
            String said = gogo("ocf:providers http");
            assertTrue(said.contains("http will be used: preferredProvider http in " + ENGINE_PID), said);
            await(() -> inUse().equals("http"), "http in use after ocf:providers http");
            assertEquals(BASE + 2, pstat.providers().get(0).ranking());
            assertEquals(BASE + 5, usb.getProperties().get("service.ranking"));
            assertTrue(gogo("ocf:providers").matches("(?s).*\\*\\s+http\\s+" + (BASE + 2) + "\\s+.*"),
                    gogo("ocf:providers"));
        } finally {
            Dictionary<String, Object> chosen = engine.getProperties();
            if (chosen != null) {
                chosen.remove("preferredProvider");
                engine.update(chosen); // other test classes choose by ranking
            }
        }
        await(() -> inUse().equals("usb"), "usb in use again by its ranking once no provider is preferred");
    }

    @Test
    void urlAndRootsChangedInConfigAdminTakeEffectWithoutRestart() throws Exception {
        ConfigurationAdmin ca = GatewayBundlesTest.service(ConfigurationAdmin.class);
        long httpId = pstat.providers().get(0).serviceId();
        Path other = Files.createDirectories(root.resolve("other-root/USB2"));
        Files.writeString(other.resolve("notes.txt"), "not an update package");
        ca.getConfiguration(USB_PID, "?").update(new Hashtable<>(Map.of("roots", other.getParent().toString(),
                "checkOnInsert", false, "service.ranking", BASE + 1)));
        await(() -> status("usb").contains("medium " + other), "the USB provider watching the new root");
        ca.getConfiguration(HTTP_PID, "?").update(new Hashtable<>(Map.of("url", "http://127.0.0.1:9/other.json",
                "service.ranking", BASE + 2)));
        await(() -> "http://127.0.0.1:9/other.json".equals(GatewayBundlesTest.CONTEXT.getServiceReferences(
                UpdateProvider.class, "(provider.name=http)").iterator().next().getProperty("provider.url")),
                "the HTTP provider on the new url");
        assertEquals(httpId, pstat.providers().get(0).serviceId(), "the same service, reconfigured in place");
        Files.delete(other.resolve("notes.txt"));
        Files.delete(other);
        Files.delete(other.getParent());
    }

    static String status(String name) {
        return pstat.providers().stream().filter(p -> p.name().equals(name)).map(ProviderInfo::status).findFirst()
                .orElse("");
    }

    @Test
    void stoppingAProviderBundleSwitchesToTheNextAndStartingItSwitchesBack() throws Exception {
        Bundle http = UpdatePathTest.bundle("org.ocfupdate.update.provider.http");
        http.stop();
        try {
            await(() -> names().equals(List.of("usb")), "only usb while the http bundle is stopped");
            assertEquals("usb", inUse());
        } finally {
            http.start();
        }
        await(() -> inUse().equals("http"), "http in use again once its bundle started");
    }

    @Test
    void uninstallingAProviderBundleSwitchesToTheNextAndInstallingItAgainSwitchesBack() throws Exception {
        Bundle http = UpdatePathTest.bundle("org.ocfupdate.update.provider.http");
        String location = http.getLocation();
        byte[] jar = Files.exists(Path.of(location)) ? Files.readAllBytes(Path.of(location))
                : new URI(location.replaceFirst("^reference:", "")).toURL().openStream().readAllBytes();
        http.uninstall();
        await(() -> names().equals(List.of("usb")), "only usb once the http bundle is uninstalled");
        Bundle again = GatewayBundlesTest.CONTEXT.installBundle(location, new java.io.ByteArrayInputStream(jar));
        again.start();
        await(() -> inUse().equals("http"), "http in use again once installed (its configuration was kept)");
    }

    @Test
    void aProviderThatGoesAwayInTheMiddleOfATransferFailsTheActionCleanly() throws Exception {
        ensureReadyForUpdates();
        String running = pstat.status().runningVersion();
        String[] v = running.split("[.-]");
        String newer = v[0] + "." + v[1] + "." + (Integer.parseInt(v[2]) + 1);
        CountDownLatch fetching = new CountDownLatch(1);
        AtomicLong stoppedAt = new AtomicLong();
        UpdateProvider slow = new UpdateProvider() {
            @Override
            public Optional<UpdateOffer> offer(OfferRequest request) {
                return Optional.of(UpdateOffer.builder(newer, URI.create("file:/nowhere/" + newer + ".zip"))
                        .size(1 << 20).build());
            }

            @Override
            public void fetch(FetchRequest request) {
                fetching.countDown();
                // a transfer that only ends when the engine says stop, as a slow network would (30 s at most)
                for (long n = 1; n < 600 && !request.isCancelled(); n++) {
                    request.progress(n * 1024, 1 << 20);
                    sleep(50);
                }
                stoppedAt.set(System.nanoTime());
            }

            @Override
            public String status() {
                return "slow provider offering " + newer;
            }
        };
        int before = pstat.history().size();
        Path staging = Path.of(GatewayBundlesTest.CONTEXT.getProperty("gateway.home"), "data", "staging");
        ServiceRegistration<UpdateProvider> registration = GatewayBundlesTest.CONTEXT.registerService(
                UpdateProvider.class, slow, new Hashtable<>(Map.of("service.ranking", BASE + 100,
                        "provider.name", "slow")));
        long unregisteredAt;
        try {
            await(() -> "slow".equals(pstat.providers().get(0).name()), "the slow one in use");
            pstat.start(Dpm.ISVV, null);
            assertTrue(fetching.await(20, TimeUnit.SECONDS), "the transfer started");
            await(() -> pstat.status().bytes() > 0, "progress reported");
            assertEquals(UpdateState.VERSION_VALIDATION, pstat.current().update());
            assertEquals("fetching " + newer + " from slow", pstat.status().step());
        } finally {
            unregisteredAt = System.nanoTime();
            registration.unregister(); // as when its bundle stops or is uninstalled
        }
        UpdatePathTest.awaitIdle(pstat);
        long stoppedAfterMs = TimeUnit.NANOSECONDS.toMillis(stoppedAt.get() - unregisteredAt);
        assertTrue(stoppedAt.get() != 0 && stoppedAfterMs < 2000,
                "the provider was told to stop at once, not after the whole transfer: " + stoppedAfterMs + " ms");
        assertEquals(UpdateResult.CONNECTION_FAILURE, pstat.status().result());
        UpdateRecord last = pstat.history().get(pstat.history().size() - 1);
        assertEquals(before + 1, pstat.history().size());
        assertEquals(List.of(running, newer, "slow", UpdateResult.CONNECTION_FAILURE),
                List.of(last.from(), last.to(), last.provider(), last.result()));
        assertTrue(last.reason().contains("went away"), last.reason());
        // nothing else lost: same version, same onboarding state, nothing half-fetched left, and the next action runs
        assertEquals(running, pstat.status().runningVersion());
        assertEquals(DeviceOnboardingState.RFNOP, pstat.current().dos());
        assertFalse(Files.exists(staging.resolve("package.zip.part")), "the partial download is deleted");
        assertFalse(names().isEmpty(), "the other providers are still there");
        pstat.start(Dpm.ISAC, null);
        UpdatePathTest.awaitIdle(pstat);
    }

    @Test
    void theGogoCommandsShowStateAndRefuseReadably() throws Exception {
        ensureReadyForUpdates();
        String state = gogo("ocf:pstat");
        assertTrue(state.contains("state       idle") && state.contains("dos         RFNOP"), state);
        assertEquals("refused: no check or validation is running (idle)", gogo("ocf:cancel").trim());
        for (String action : List.of("check", "validate", "update")) {
            // the HTTP provider in use has no server: each action starts and fails at once
            assertTrue(gogo("ocf:" + action).contains("started"), action);
            UpdatePathTest.awaitIdle(pstat);
        }
        String history = gogo("ocf:history");
        assertTrue(history.lines().findFirst().orElse("").contains("connection_failure"), history);
        assertTrue(gogo("ocf:providers").contains("http"), gogo("ocf:providers"));
    }

    private static void ensureReadyForUpdates() throws Exception {
        if (pstat.current().dos() != DeviceOnboardingState.RFNOP) {
            pstat.update(new PstatChange(DeviceOnboardingState.RFPRO, null, null, null), true);
            pstat.update(new PstatChange(DeviceOnboardingState.RFNOP, null, null, null), true);
        }
        UpdatePathTest.awaitIdle(pstat);
    }

    /** Runs a Gogo command line as the shell would; returns what it printed and returned. */
    static String gogo(String line) throws Exception {
        CommandProcessor processor = GatewayBundlesTest.service(CommandProcessor.class);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        CommandSession session = processor.createSession(new java.io.ByteArrayInputStream(new byte[0]), print, print);
        try {
            Object result = session.execute(line);
            if (result != null) {
                print.println(session.format(result, org.apache.felix.service.command.Converter.INSPECT));
            }
        } finally {
            session.close();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    static void await(Condition condition, String what) throws Exception {
        for (int i = 0; i < 400; i++) {
            if (condition.holds()) {
                return;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("not reached within 10 s: " + what + "; providers " + pstat.providers());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
