package org.ocfupdate.gateway.itest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.ocfupdate.testsupport.SignedPackages;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;

/**
 * The tests' restore of a configuration that did not exist before deletes it; the next test sets it again at once.
 * Felix SCR 2.2 then loses the new configuration when ConfigAdmin's events lag: it handles the deletion's event by
 * reading the configuration that exists by then, whose change count is not above the deleted one's, and ignores it
 * and its own update event as already seen. A clean-clone CI run failed so (the engine never trusted the next test's
 * key). {@link UsbProviderTest#restore} therefore waits until ConfigAdmin delivered the deletion; this test makes the
 * events lag for certain and fails with a restore that does not wait.
 */
class ConfigurationRestoreTest {
    static final String SLOW_PID = "org.ocfupdate.itest.slow";

    @Test
    void aConfigurationDeletedByRestoreAndSetAgainAtOnceReachesItsComponent() throws Exception {
        ConfigurationAdmin ca = GatewayBundlesTest.service(ConfigurationAdmin.class);
        Configuration trust = ca.getConfiguration(UsbProviderTest.TRUST_PID, "?");
        Dictionary<String, Object> before = trust.getProperties();
        Path work = Files.createTempDirectory("ocf-itest-restore");
        KeyPair a = SignedPackages.ecKey();
        KeyPair b = SignedPackages.ecKey();
        trust.update(new Hashtable<>(Map.of("keys", SignedPackages.writePublicKey(a, work.resolve("a.pem")).toString())));
        GatewayBundlesTest.awaitTrusted(a.getPublic());
        // ConfigAdmin's event thread, which delivers every configuration's events in order, is held for a second
        ServiceRegistration<ConfigurationListener> slow = GatewayBundlesTest.CONTEXT.registerService(
                ConfigurationListener.class, e -> {
                    if (SLOW_PID.equals(e.getPid()) && e.getType() == ConfigurationEvent.CM_UPDATED) {
                        try {
                            Thread.sleep(1000);
                        } catch (InterruptedException interrupted) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }, null);
        try {
            ca.getConfiguration(SLOW_PID, "?").update(new Hashtable<>(Map.of("hold", System.nanoTime())));
            long t0 = System.nanoTime();
            UsbProviderTest.restore(trust, null);
            ca.getConfiguration(UsbProviderTest.TRUST_PID, "?").update(new Hashtable<>(
                    Map.of("keys", SignedPackages.writePublicKey(b, work.resolve("b.pem")).toString())));
            GatewayBundlesTest.awaitTrusted(b.getPublic());
            System.out.printf("ConfigurationRestoreTest: restored and set again, trusted after %d ms%n",
                    (System.nanoTime() - t0) / 1_000_000);
        } finally {
            slow.unregister();
            ca.getConfiguration(SLOW_PID, "?").delete();
            UsbProviderTest.restore(ca.getConfiguration(UsbProviderTest.TRUST_PID, "?"), before);
        }
    }
}
