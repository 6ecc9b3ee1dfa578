package org.ocfupdate.gateway.internal.logging;

import java.util.Dictionary;
import java.util.Map;
import java.util.Properties;

import org.ocfupdate.gateway.launch.LoggingDefaults;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationPlugin;

/**
 * Lays the operator's configuration of the PID {@code org.ops4j.pax.logging} over the gateway's logging defaults
 * before ConfigAdmin hands it to pax-logging-log4j2, which otherwise takes it as the whole log4j2 configuration:
 * an {@code etc/org.ops4j.pax.logging.cfg} of two level lines would leave log4j2 without an appender, and the
 * gateway silent. A configuration naming its own file ({@value #CONFIG_FILE}) is left as it is: the operator took
 * over completely.
 */
public final class LoggingDefaultsPlugin implements ConfigurationPlugin {
    public static final String PID = "org.ops4j.pax.logging";
    static final String CONFIG_FILE = "org.ops4j.pax.logging.log4j2.config.file";

    private final Properties defaults;

    public LoggingDefaultsPlugin(Properties defaults) {
        this.defaults = defaults;
    }

    public LoggingDefaultsPlugin() {
        this(LoggingDefaults.load());
    }

    @Override
    public void modifyConfiguration(ServiceReference<?> reference, Dictionary<String, Object> properties) {
        if (!PID.equals(properties.get("service.pid")) || properties.get(CONFIG_FILE) != null) {
            return;
        }
        for (Map.Entry<Object, Object> d : defaults.entrySet()) {
            if (properties.get(d.getKey()) == null) {
                properties.put((String) d.getKey(), d.getValue());
            }
        }
    }
}
