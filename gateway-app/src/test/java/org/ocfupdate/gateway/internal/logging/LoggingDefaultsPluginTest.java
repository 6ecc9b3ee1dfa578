package org.ocfupdate.gateway.internal.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Hashtable;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class LoggingDefaultsPluginTest {
    // the resource itself, not LoggingDefaults: the test classes also form the OSGi test bundle, which must not
    // import the gateway bundle's private launch package
    final Properties defaults = resource();
    final LoggingDefaultsPlugin plugin = new LoggingDefaultsPlugin(defaults);

    static Properties resource() {
        Properties p = new Properties();
        try (InputStream in = LoggingDefaultsPluginTest.class
                .getResourceAsStream("/org/ocfupdate/gateway/launch/logging.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return p;
    }

    @Test
    void theOperatorsKeysAreLaidOverTheDefaults() {
        Hashtable<String, Object> cfg = new Hashtable<>();
        cfg.put("service.pid", "org.ops4j.pax.logging");
        cfg.put("log4j2.logger.pstat.name", "org.ocfupdate.pstat");
        cfg.put("log4j2.logger.pstat.level", "DEBUG");
        cfg.put("log4j2.rootLogger.level", "ERROR");
        plugin.modifyConfiguration(null, cfg);

        assertEquals("DEBUG", cfg.get("log4j2.logger.pstat.level"));
        assertEquals("ERROR", cfg.get("log4j2.rootLogger.level"), "the operator's value wins");
        assertEquals("console", cfg.get("log4j2.rootLogger.appenderRef.console.ref"), "the appender stays");
        assertEquals(defaults.getProperty("log4j2.appender.console.layout.pattern"),
                cfg.get("log4j2.appender.console.layout.pattern"));
        assertEquals("INFO", cfg.get("log4j2.logger.ocfupdate.level"));
    }

    @Test
    void aConfigurationNamingItsOwnFileIsLeftAlone() {
        Hashtable<String, Object> cfg = new Hashtable<>();
        cfg.put("service.pid", "org.ops4j.pax.logging");
        cfg.put("org.ops4j.pax.logging.log4j2.config.file", "/etc/ocf-gw/log4j2.xml");
        plugin.modifyConfiguration(null, cfg);
        assertEquals(2, cfg.size(), cfg.toString());
    }

    @Test
    void otherPidsAreLeftAlone() {
        Hashtable<String, Object> cfg = new Hashtable<>();
        cfg.put("service.pid", "org.ocfupdate.coap");
        plugin.modifyConfiguration(null, cfg);
        assertNull(cfg.get("log4j2.rootLogger.level"));
    }

    @Test
    void defaultsHaveTheOperatorsFormatAndLevels() {
        assertEquals("WARN", defaults.getProperty("log4j2.rootLogger.level"), "third-party libraries");
        assertEquals("org.ocfupdate", defaults.getProperty("log4j2.logger.ocfupdate.name"));
        assertEquals("INFO", defaults.getProperty("log4j2.logger.ocfupdate.level"));
        assertTrue(defaults.getProperty("log4j2.appender.console.layout.pattern")
                .startsWith("${syslogPrefix}%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%t] %c{1.} - %msg%n"));
    }
}
