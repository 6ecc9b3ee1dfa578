package org.ocfupdate.gateway.internal.logging;

import java.util.Hashtable;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationPlugin;

/**
 * Registers the {@link LoggingDefaultsPlugin} while the bundle starts, not as a DS component: this bundle starts at
 * start level 1 with the logging bundles, before ConfigAdmin and FileInstall (level 2), so that the plugin is there
 * when ConfigAdmin first delivers {@code etc/org.ops4j.pax.logging.cfg}; SCR, which would register a component, is
 * itself at level 2.
 */
public final class Activator implements BundleActivator {
    private ServiceRegistration<ConfigurationPlugin> plugin;

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(ConfigurationPlugin.CM_TARGET, new String[] {LoggingDefaultsPlugin.PID});
        plugin = context.registerService(ConfigurationPlugin.class, new LoggingDefaultsPlugin(), props);
    }

    @Override
    public void stop(BundleContext context) {
        if (plugin != null) {
            plugin.unregister();
        }
    }
}
