package org.ocfupdate.gateway.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * its outcome to the new revision, and one whose engine cannot start is rolled back and reported by the old one.
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
