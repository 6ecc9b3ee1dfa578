package org.ocfupdate.gateway.internal;

import org.ocfupdate.gateway.internal.systemd.SdNotify;
import org.ocfupdate.gateway.launch.TempFolder;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Stops the OSGi framework when the JVM is told to terminate (SIGTERM, SIGINT, System.exit): bnd's launcher
 * registers no shutdown hook of its own, so without this a SIGTERM ended the process without deactivating a
 * single component (the CoAP server was never stopped, state never closed). Once the framework has stopped in
 * order, the hook ends the JVM with {@link #exitStatus} — 0 after a SIGTERM, so that a service manager sees a
 * clean stop rather than the 143 of a JVM killed by a signal; 1 after a start-up failure.
 */
@Component(immediate = true)
public class FrameworkShutdownHook {
    private static final long STOP_TIMEOUT_MS = 20_000;
    /** The process's exit status once the framework has stopped; set by whoever decides the gateway must end. */
    static volatile int exitStatus;

    private final Thread hook;

    @Activate
    public FrameworkShutdownHook(BundleContext context) {
        Bundle system = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
        // resolved now: once the framework has stopped, this bundle can load no class of its own
        Runnable removeTemp = TempFolder::removeOwn;
        hook = new Thread(() -> stop(system, removeTemp), "ocf-shutdown-hook");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Deactivate
    void deactivate() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: this deactivation is the hook's own work
        }
    }

    private static void stop(Bundle system, Runnable removeTemp) {
        SdNotify.notify("STOPPING=1"); // systemd's Type=notify: the stop has begun
        try {
            ClassDataRecording.linkLoadedClasses(system);
            system.stop();
            if (system instanceof Framework framework) {
                framework.waitForStop(STOP_TIMEOUT_MS);
            }
            // the halt skips the JVM's own deletion of temporary files (the launcher's copies of Felix and itself)
            try {
                removeTemp.run();
            } catch (LinkageError e) { // whatever it is, the halt below must come
                System.err.println("gateway: temporary files not deleted: " + e);
            }
            // a bundle that must end the process (update-engine after a rollback it could not make healthy) says so here
            Runtime.getRuntime().halt(Math.max(exitStatus, Integer.getInteger("gateway.exitStatus", 0)));
        } catch (BundleException | RuntimeException e) {
            System.err.println("gateway: stopping the framework failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
