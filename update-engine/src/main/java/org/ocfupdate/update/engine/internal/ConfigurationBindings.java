package org.ocfupdate.update.engine.internal;

import java.io.IOException;
import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the engine's configurations reach the engine after an update that moved them here. Until issue 15 the
 * pstat-impl bundle read {@code org.ocfupdate.trust} and {@code org.ocfupdate.pstat}; a configuration the Web Console
 * saved then (it creates configurations unbound, and ConfigAdmin binds them to the first bundle that reads them) stays
 * bound to pstat-impl's location when pstat-impl is updated, and would never reach this bundle: no trusted key, and
 * every later update refused. Such a configuration is bound to {@code ?} (any bundle, as FileInstall's are).
 */
@Component(immediate = true, service = {})
public class ConfigurationBindings {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigurationBindings.class);
    static final List<String> PIDS = List.of("org.ocfupdate.trust", UpdateEngine.PID);

    @Activate
    public ConfigurationBindings(BundleContext context, @Reference ConfigurationAdmin admin)
            throws IOException, InvalidSyntaxException {
        String own = context.getBundle().getLocation();
        for (String pid : PIDS) {
            Configuration[] found = admin.listConfigurations("(service.pid=" + pid + ")");
            for (Configuration c : found == null ? new Configuration[0] : found) {
                String location = c.getBundleLocation();
                if (location != null && !location.startsWith("?") && !location.equals(own)) {
                    LOG.warn("Configuration {} was bound to {}, which no longer reads it: the update engine reads it "
                            + "now", pid, location);
                    c.setBundleLocation("?");
                }
            }
        }
    }
}
