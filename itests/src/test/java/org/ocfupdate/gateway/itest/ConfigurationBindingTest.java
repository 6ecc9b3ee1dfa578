package org.ocfupdate.gateway.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Dictionary;
import java.util.HexFormat;
import java.util.Hashtable;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.testsupport.SignedPackages;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Before issue 15 pstat-impl read the trusted keys ({@code org.ocfupdate.trust}) and the engine's settings. The Web
 * Console saves a configuration unbound, and ConfigAdmin binds it to the first bundle that reads it: on a gateway
 * configured so, the configuration stays bound to pstat-impl's location after the update to this layout, and the
 * update engine would never read it (no trusted key: every later update refused). The engine takes it over when it
 * starts.
 */
class ConfigurationBindingTest {

    @Test
    void aConfigurationBoundToPstatImplByTheEarlierLayoutReachesTheEngineWhenItStarts() throws Exception {
        ConfigurationAdmin ca = GatewayBundlesTest.service(ConfigurationAdmin.class);
        Configuration trust = ca.getConfiguration(UsbProviderTest.TRUST_PID, "?");
        Dictionary<String, Object> before = trust.getProperties();
        Path work = Files.createTempDirectory("ocf-itest-binding");
        KeyPair key = SignedPackages.ecKey();
        Bundle impl = UpdatePathTest.bundle("org.ocfupdate.pstat.impl");
        Bundle engine = UpdatePathTest.bundle("org.ocfupdate.update.engine");
        UpdatePathTest.awaitIdle(GatewayBundlesTest.service(PstatService.class));
        try {
            // what the earlier layout left: the configuration bound to pstat-impl, which read it then
            trust.setBundleLocation(impl.getLocation());
            trust.update(new Hashtable<>(Map.of("keys",
                    SignedPackages.writePublicKey(key, work.resolve("vendor.pem")).toString())));
            GatewayBundlesTest.awaitConfigurationEvents();
            String fingerprint = HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(key.getPublic().getEncoded()));
            assertFalse(GatewayBundlesTest.service(PstatService.class).trustedKeys().stream()
                    .anyMatch(k -> k.fingerprint().equals(fingerprint)), "the engine read a configuration bound to "
                            + "another bundle: this test no longer shows the earlier layout");
            // the update to this layout starts the engine's bundle
            engine.stop();
            engine.start();
            GatewayBundlesTest.awaitTrusted(key.getPublic());
            assertEquals("?", ca.getConfiguration(UsbProviderTest.TRUST_PID, "?").getBundleLocation());
        } finally {
            Configuration c = ca.getConfiguration(UsbProviderTest.TRUST_PID, "?");
            c.setBundleLocation("?");
            UsbProviderTest.restore(c, before);
        }
    }
}
