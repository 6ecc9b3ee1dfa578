package org.ocfupdate.update.engine.internal;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.ocfupdate.pstat.api.provider.UpdateOutcome;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/**
 * The installation running in this JVM, visible to every revision of this bundle: an installation may update the
 * very bundle that started it, and its outcome must reach the revision active when it ends (which must wait for it
 * instead of rolling the journal back).
 * <p>
 * Why a service of the system bundle: a service registered through this bundle's context would go away when the
 * installation stops this revision; the system bundle's context outlives every revision. Its type is the JDK's
 * {@link CompletionStage}, completed with the typed {@link UpdateOutcome} of pstat-api: both classes are shared by
 * the old and the new revision of this bundle (pstat-api is a bundle of its own). Should an update replace pstat-api
 * too, the new revision cannot read the old class; it then takes the outcome from the installer's journal on disk
 * ({@link Engine#committedInstallation()}), which a restart needs anyway.
 */
public interface Handover {
    /** The service property marking the running installation. */
    String PROPERTY = "org.ocfupdate.installation";

    /** The outcome of the installation running in this JVM, when one runs. */
    Optional<CompletionStage<?>> running();

    /** An installation starts: complete the future through {@link #end}. */
    CompletableFuture<UpdateOutcome> begin();

    /** The installation ended: it is no longer visible as running, then its outcome is delivered. */
    void end(CompletableFuture<UpdateOutcome> installation, UpdateOutcome outcome);

    /** Through the system bundle's service registry. */
    static Handover of(BundleContext context) {
        BundleContext system = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).getBundleContext();
        return new Handover() {
            /** The registrations this instance made, until their installation ends. */
            private final Map<CompletableFuture<UpdateOutcome>, ServiceRegistration<?>> registrations =
                    new IdentityHashMap<>();

            @Override
            public Optional<CompletionStage<?>> running() {
                try {
                    ServiceReference<?>[] refs = system.getServiceReferences(CompletionStage.class.getName(),
                            "(" + PROPERTY + "=running)");
                    for (ServiceReference<?> r : refs == null ? new ServiceReference<?>[0] : refs) {
                        Object s = system.getService(r);
                        system.ungetService(r); // the future stays usable; no use count is left behind
                        if (s instanceof CompletionStage<?> c) {
                            return Optional.of(c);
                        }
                    }
                } catch (InvalidSyntaxException e) {
                    throw new IllegalStateException(e); // a constant filter
                }
                return Optional.empty();
            }

            @Override
            public synchronized CompletableFuture<UpdateOutcome> begin() {
                CompletableFuture<UpdateOutcome> f = new CompletableFuture<>();
                Dictionary<String, Object> props = new Hashtable<>();
                props.put(PROPERTY, "running");
                registrations.put(f, system.registerService(CompletionStage.class.getName(), f, props));
                return f;
            }

            @Override
            public void end(CompletableFuture<UpdateOutcome> installation, UpdateOutcome outcome) {
                ServiceRegistration<?> r;
                synchronized (this) {
                    r = registrations.remove(installation);
                }
                try {
                    if (r != null) {
                        r.unregister();
                    }
                } catch (IllegalStateException e) {
                    // already unregistered: the framework stops
                }
                installation.complete(outcome);
            }
        };
    }

    /** Within one object graph (unit tests): one instance is one JVM. */
    static Handover inMemory() {
        return new Handover() {
            private volatile CompletableFuture<UpdateOutcome> running;

            @Override
            public Optional<CompletionStage<?>> running() {
                return Optional.ofNullable(running);
            }

            @Override
            public CompletableFuture<UpdateOutcome> begin() {
                CompletableFuture<UpdateOutcome> f = new CompletableFuture<>();
                running = f;
                return f;
            }

            @Override
            public void end(CompletableFuture<UpdateOutcome> installation, UpdateOutcome outcome) {
                if (running == installation) {
                    running = null;
                }
                installation.complete(outcome);
            }
        };
    }
}
