package org.ocfupdate.gateway.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Collection;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ocfupdate.pstat.api.PstatRefusedException;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.pstat.api.provider.UpdateProvider;
import org.ocfupdate.testsupport.MiniDdiServer;
import org.ocfupdate.testsupport.SignedPackages;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The hawkBit provider in the real gateway, the forced path: a DDI server ({@link MiniDdiServer}) assigns a signed
 * package with {@code forced} download and update; with {@code org.ocfupdate.provider.hawkbit} configured, the gateway
 * downloads, validates and installs it without any {@code tm}, and the server gets {@code closed} {@code success} only
 * after the installation committed ({@code /oic/d} {@code sv} is the new version when it arrives).
 */
class HawkbitProviderTest {
    static final String PID = "org.ocfupdate.provider.hawkbit";
    static final String TRUST_PID = "org.ocfupdate.trust";
    static final int RANKING = 200;
    static Path work;
    static MiniDdiServer server;
    static volatile String svWhenClosed;
    static Dictionary<String, Object> trustBefore;
    static boolean trustSaved;

    @BeforeAll
    static void setUp() throws Exception {
        GatewayBundlesTest.ephemeralPortWithoutMulticast();
        work = Files.createTempDirectory("ocf-itest-hawkbit");
    }

    @AfterAll
    static void restore() throws Exception {
        ConfigurationAdmin ca = GatewayBundlesTest.service(ConfigurationAdmin.class);
        ca.getConfiguration(PID, "?").delete();
        UsbProviderTest.restore(ca.getConfiguration(TRUST_PID, "?"), trustBefore);
        // ConfigAdmin applies changes asynchronously: the next test class must not find this class's key still
        // trusted, nor its own trust change overtaken by this restore
        PstatService pstat = GatewayBundlesTest.service(PstatService.class);
        for (int i = 0; i < 200 && (pstat.trustedKeys().stream().anyMatch(k -> k.path().startsWith(work.toString()))
                || !GatewayBundlesTest.CONTEXT.getServiceReferences(UpdateProvider.class, "(provider.name=hawkbit)")
                        .isEmpty()); i++) {
            Thread.sleep(50);
        }
        if (server != null) {
            server.close();
        }
        if (work != null) {
            try (Stream<Path> s = Files.walk(work)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void aForcedDeploymentIsInstalledAndClosedWithSuccessAfterTheCommit() throws Exception {
        PstatService pstat = GatewayBundlesTest.service(PstatService.class);
        String next = UpdatePathTest.operationalIdleAndNextVersion(pstat);
        Path pkg = signedPackage(next);
        server = new MiniDdiServer(next, Files.readAllBytes(pkg), closed -> {
            try {
                svWhenClosed = UpdatePathTest.device().get("sv").asText();
            } catch (Exception e) {
                svWhenClosed = e.toString();
            }
        });

        // when the gateway becomes a target of the server, the forced action runs without any tm
        connect(server);
        awaitProvider();
        // until the action is closed and the state machine is back in idle (an installation of one file can be over
        // between two polls, so waiting to see "upgrading" would miss it)
        for (int i = 0; i < 1200 && !(server.closed() && pstat.current().update() == UpdateState.IDLE); i++) {
            Thread.sleep(50);
        }
        assertEquals(UpdateState.IDLE, pstat.current().update(), "back in idle; feedback: " + server.feedback);

        assertEquals(next, UpdatePathTest.device().get("sv").asText(), "/oic/d sv is the installed version");
        Path home = Path.of(GatewayBundlesTest.CONTEXT.getProperty("gateway.home"));
        assertEquals("installed from hawkBit, " + next + "\n",
                Files.readString(home.resolve("data/files/files/hawkbit-itest.txt")));
        assertTrue(server.closed(), "closed sent: " + server.feedback);
        JsonNode last = server.feedback.get(server.feedback.size() - 1);
        assertEquals("success", last.path("status").path("result").path("finished").asText(),
                server.feedback.toString());
        assertEquals(next, svWhenClosed, "closed success only once the new version runs (after the commit)");
        List<String> executions = server.executions();
        assertEquals("proceeding", executions.get(0), executions.toString());
        assertTrue(executions.contains("download") && executions.contains("downloaded"), executions.toString());
    }

    /**
     * Download only (forced download, update skipped): the package waits validated in version_available; the operator
     * then cancels the action on the server. The gateway withdraws the package (idle, "withdrawn by hawkbit" in the
     * history) and confirms the cancel, and a client's tm 128 afterwards installs nothing. Before, the cancel was
     * confirmed while the package stayed staged, and that tm 128 installed the cancelled action.
     */
    @Test
    void aCancelWhileThePackageWaitsValidatedWithdrawsIt() throws Exception {
        PstatService pstat = GatewayBundlesTest.service(PstatService.class);
        String next = UpdatePathTest.operationalIdleAndNextVersion(pstat);
        String running = UpdatePathTest.device().get("sv").asText();
        Path pkg = signedPackage(next);
        try (MiniDdiServer ddi = new MiniDdiServer(next, Files.readAllBytes(pkg), "skip", closed -> { })) {
            connect(ddi);
            for (int i = 0; i < 1200 && pstat.current().update() != UpdateState.VERSION_AVAILABLE; i++) {
                Thread.sleep(50);
            }
            assertEquals(UpdateState.VERSION_AVAILABLE, pstat.current().update(), "validated; feedback: "
                    + ddi.feedback);

            ddi.cancel();
            for (int i = 0; i < 400 && (ddi.cancelFeedback.isEmpty() || pstat.current().update() != UpdateState.IDLE);
                    i++) {
                Thread.sleep(50);
            }
            assertEquals(UpdateState.IDLE, pstat.current().update(), "the package was withdrawn");
            assertTrue(pstat.history().stream().anyMatch(r -> r.reason().startsWith("withdrawn by hawkbit: ")),
                    pstat.history().toString());
            JsonNode answer = ddi.cancelFeedback.get(0);
            assertEquals("closed", answer.path("status").path("execution").asText(), ddi.cancelFeedback.toString());
            assertEquals("success", answer.path("status").path("result").path("finished").asText());

            // a client's tm 128: nothing is staged, and the server offers nothing any more. The provider asked for a
            // check after the cancel, which may still run: then the request is refused, and tried again once idle
            for (int i = 0; ; i++) {
                try {
                    pstat.start(128, null);
                    break;
                } catch (PstatRefusedException e) {
                    if (i == 20) {
                        throw e;
                    }
                    UpdatePathTest.awaitIdle(pstat);
                }
            }
            UpdatePathTest.awaitIdle(pstat);
            assertEquals(running, UpdatePathTest.device().get("sv").asText(), "the cancelled version never ran");
        }
    }

    /** Makes the gateway a target of {@code ddi}: the hawkBit provider, ranked above the others, polls it. */
    private static void connect(MiniDdiServer ddi) throws Exception {
        GatewayBundlesTest.service(ConfigurationAdmin.class).getConfiguration(PID, "?").update(new Hashtable<>(
                Map.of("url", ddi.url(), "controllerId", MiniDdiServer.CONTROLLER, "gatewayToken", MiniDdiServer.TOKEN,
                        "service.ranking", RANKING, "minSleepMillis", "100")));
    }

    /** A signed package of {@code version}, its key trusted by the engine (the configuration before is restored). */
    private static Path signedPackage(String version) throws Exception {
        KeyPair key = SignedPackages.ecKey();
        Path pub = SignedPackages.writePublicKey(key, work.resolve("vendor-" + version + ".pem"));
        var trust = GatewayBundlesTest.service(ConfigurationAdmin.class).getConfiguration(TRUST_PID, "?");
        if (!trustSaved) {
            // the state before the class's first test, also when it is "none" (null)
            trustBefore = trust.getProperties();
            trustSaved = true;
        }
        trust.update(new Hashtable<>(Map.of("keys", pub.toString())));
        GatewayBundlesTest.awaitTrusted(key.getPublic());
        return SignedPackages.write(work.resolve("gateway-" + version + ".zip"), key, version,
                Map.of("files/hawkbit-itest.txt", ("installed from hawkBit, " + version + "\n").getBytes()));
    }

    static UpdateProvider awaitProvider() throws Exception {
        for (int i = 0; i < 400; i++) {
            Collection<ServiceReference<UpdateProvider>> refs = GatewayBundlesTest.CONTEXT
                    .getServiceReferences(UpdateProvider.class, "(provider.name=hawkbit)");
            if (!refs.isEmpty()) {
                return GatewayBundlesTest.CONTEXT.getService(refs.iterator().next());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no hawkBit provider");
    }
}
