package org.ocfupdate.gateway.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.ocfupdate.gateway.itest.UpdatePathTest.awaitIdleAfterUpgrade;
import static org.ocfupdate.gateway.itest.UpdatePathTest.bundle;
import static org.ocfupdate.gateway.itest.UpdatePathTest.bumpBundle;
import static org.ocfupdate.gateway.itest.UpdatePathTest.device;
import static org.ocfupdate.gateway.itest.UpdatePathTest.offer;
import static org.ocfupdate.gateway.itest.UpdatePathTest.operationalIdleAndNextVersion;
import static org.ocfupdate.gateway.itest.UpdatePathTest.repack;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ocfupdate.pstat.api.Dpm;
import org.ocfupdate.pstat.api.PstatChange;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.api.UpdateRecord;
import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.UpdateState;
import org.osgi.framework.Bundle;

/**
 * An update of the update core's own bundle (update-engine: the state machine, the engine and the installer that run
 * the installation) through a signed package, as {@link UpdatePathTest} updates pstat-impl: it completes and reports
 * its outcome to the new revision, and one whose engine cannot start is rolled back and reported by the old one. And
 * what the step to this layout needs: a package that brings a bundle an updated one depends on.
 */
class EngineUpdateTest {
    static final String ENGINE = "org.ocfupdate.update.engine";

    @BeforeAll
    static void provider() throws Exception {
        UpdatePathTest.trustAKeyAndRegisterAProvider();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        UpdatePathTest.cleanUp();
    }

    @Test
    void anUpdateOfTheEngineBundleItselfCompletesAndReportsItsOutcome() throws Exception {
        PstatService pstat = GatewayBundlesTest.service(PstatService.class);
        String next = operationalIdleAndNextVersion(pstat);
        Bundle engine = bundle(ENGINE);
        String version = bumpBundle(engine.getVersion().toString());
        Map<String, byte[]> artifacts = new LinkedHashMap<>();
        artifacts.put("bundles/update-engine.jar", repack(engine, version));
        offer(next, artifacts);

        pstat.update(PstatChange.tm(Dpm.ISSU), true);
        awaitIdleAfterUpgrade();

        assertEquals(version, bundle(ENGINE).getVersion().toString(), "the engine bundle was replaced");
        assertEquals(Bundle.ACTIVE, bundle(ENGINE).getState());
        PstatService now = GatewayBundlesTest.service(PstatService.class);
        assertEquals(next, device().get("sv").asText(), "sv is the installed version");
        assertEquals(UpdateState.IDLE, now.current().update());
        assertEquals(0, now.current().cm(), "cm back to idle");
        assertEquals(UpdateResult.SUCCESS, now.status().result(), "swupdateresult 1");
        List<UpdateRecord> history = now.history();
        UpdateRecord last = history.get(history.size() - 1);
        assertEquals(next, last.to(), last.toString());
        assertEquals(UpdateResult.SUCCESS, last.result(), last.toString());
    }

    @Test
    void anUpdateWhoseEngineCannotStartIsRolledBack() throws Exception {
        PstatService pstat = GatewayBundlesTest.service(PstatService.class);
        String next = operationalIdleAndNextVersion(pstat);
        String sv = device().get("sv").asText();
        Bundle engine = bundle(ENGINE);
        String before = engine.getVersion().toString();
        Map<String, byte[]> artifacts = new LinkedHashMap<>();
        artifacts.put("bundles/update-engine.jar",
                withActivator(repack(engine, bumpBundle(before)), "no.such.Activator"));
        offer(next, artifacts);

        pstat.update(PstatChange.tm(Dpm.ISSU), true);
        awaitIdleAfterUpgrade();

        assertEquals(before, bundle(ENGINE).getVersion().toString(), "the engine is back at its former version");
        assertEquals(Bundle.ACTIVE, bundle(ENGINE).getState());
        PstatService now = GatewayBundlesTest.service(PstatService.class);
        assertEquals(sv, device().get("sv").asText(), "the version is unchanged");
        assertEquals(UpdateState.IDLE, now.current().update());
        assertEquals(0, now.current().cm());
        assertEquals(UpdateResult.UPGRADE_FAILURE, now.status().result());
        List<UpdateRecord> history = now.history();
        UpdateRecord last = history.get(history.size() - 1);
        assertEquals(next, last.to(), last.toString());
        assertEquals(UpdateResult.UPGRADE_FAILURE, last.result(), last.toString());
    }

    /**
     * The step from the layout before update-engine to the split one: a package updates a bundle whose new revision
     * needs a package of a bundle the gateway does not have yet, listed after it. The installer installs the new
     * bundle and both resolve; when the installation fails, the new bundle is uninstalled and the updated one is back.
     */
    @Test
    void aPackageBringsABundleThatAnUpdatedBundleNeedsAndRemovesItOnRollback() throws Exception {
        Bundle user = GatewayBundlesTest.CONTEXT.installBundle("itest:user",
                new ByteArrayInputStream(jar("org.ocfupdate.test.user", "1.0.0", null, null)));
        try {
            user.start();
            PstatService pstat = GatewayBundlesTest.service(PstatService.class);
            String next = operationalIdleAndNextVersion(pstat);
            Map<String, byte[]> failing = new LinkedHashMap<>();
            failing.put("bundles/user.jar", jar("org.ocfupdate.test.user", "2.0.0", "org.ocfupdate.test.lib", null));
            failing.put("bundles/lib.jar", jar("org.ocfupdate.test.lib", "1.0.0", null, "org.ocfupdate.test.lib"));
            failing.put("bundles/broken.jar", withActivator(jar("org.ocfupdate.test.broken2", "1.0.0", null, null),
                    "no.such.Activator"));
            offer(next, failing);
            pstat.update(PstatChange.tm(Dpm.ISSU), true);
            awaitIdleAfterUpgrade();
            assertEquals(UpdateResult.UPGRADE_FAILURE, GatewayBundlesTest.service(PstatService.class).status().result());
            assertNull(UpdatePathTest.bundleOrNull("org.ocfupdate.test.lib"), "the new bundle was uninstalled");
            assertNull(UpdatePathTest.bundleOrNull("org.ocfupdate.test.broken2"), "the broken bundle was uninstalled");
            assertEquals("1.0.0", bundle("org.ocfupdate.test.user").getVersion().toString(), "the former revision");
            assertEquals(Bundle.ACTIVE, bundle("org.ocfupdate.test.user").getState());

            Map<String, byte[]> artifacts = new LinkedHashMap<>(failing);
            artifacts.remove("bundles/broken.jar");
            offer(next, artifacts);
            pstat = GatewayBundlesTest.service(PstatService.class);
            pstat.update(PstatChange.tm(Dpm.ISSU), true);
            awaitIdleAfterUpgrade();
            PstatService now = GatewayBundlesTest.service(PstatService.class);
            assertEquals(UpdateResult.SUCCESS, now.status().result(), now.history().toString());
            assertEquals(next, device().get("sv").asText());
            assertEquals("2.0.0", bundle("org.ocfupdate.test.user").getVersion().toString());
            assertEquals(Bundle.ACTIVE, bundle("org.ocfupdate.test.user").getState());
            assertEquals(Bundle.ACTIVE, bundle("org.ocfupdate.test.lib").getState(), "the new bundle was installed");
        } finally {
            for (String bsn : List.of("org.ocfupdate.test.user", "org.ocfupdate.test.lib")) {
                Bundle b = UpdatePathTest.bundleOrNull(bsn);
                if (b != null) {
                    b.uninstall();
                }
            }
        }
    }

    static byte[] jar(String bsn, String version, String imports, String exports) throws IOException {
        Map<String, String> headers = new java.util.HashMap<>();
        if (imports != null) {
            headers.put("Import-Package", imports);
        }
        if (exports != null) {
            headers.put("Export-Package", exports);
        }
        return UpdatePathTest.bundleJarWith(bsn, version, headers);
    }

    /** The jar with a Bundle-Activator that does not exist: the bundle fails to start. */
    static byte[] withActivator(byte[] jar, String activator) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            Manifest m = new Manifest(in.getManifest());
            m.getMainAttributes().putValue("Bundle-Activator", activator);
            try (JarOutputStream out = new JarOutputStream(bytes, m)) {
                for (JarEntry e; (e = in.getNextJarEntry()) != null;) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        return bytes.toByteArray();
    }
}
