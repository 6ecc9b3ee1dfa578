package org.ocfupdate.gateway.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * The gateway's default logging configuration (log4j2 properties under the prefix {@code log4j2.}, as
 * pax-logging-log4j2 reads them), shipped as the resource {@code logging.properties} of this package.
 *
 * <p>Used twice: {@link Main} writes it to {@code data/logging.properties} and names that file in
 * {@value #PROPERTY_FILE}, so that pax-logging-log4j2 starts with it before the first line is logged and falls back
 * to it whenever the PID {@code org.ops4j.pax.logging} has no configuration; inside the framework the gateway's
 * {@code ConfigurationPlugin} lays the operator's keys of that PID over it, so that a file of a few level lines
 * does not lose the appender.
 */
public final class LoggingDefaults {
    /** pax-logging's framework/system property: the configuration to use while ConfigAdmin has none. */
    public static final String PROPERTY_FILE = "org.ops4j.pax.logging.property.file";
    /** A log4j2 property of the defaults, used at the head of the pattern. */
    static final String SYSLOG_PREFIX = "log4j2.property.syslogPrefix";
    /** sd-daemon(3) priority prefixes; journald reads them from the start of each line of a service's output. */
    static final String PRIORITIES = "%level{FATAL=<2>, ERROR=<3>, WARN=<4>, INFO=<6>, DEBUG=<7>, TRACE=<7>}";

    private LoggingDefaults() {
    }

    /**
     * The defaults; under systemd (which sets {@code JOURNAL_STREAM} when a service's output goes to the journal)
     * every line starts with its syslog priority, so that {@code journalctl -p warning} works.
     */
    public static Properties load() {
        Properties p = new Properties();
        try (InputStream in = LoggingDefaults.class.getResourceAsStream("logging.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String journal = System.getenv("JOURNAL_STREAM");
        if (journal != null && !journal.isEmpty()) {
            p.setProperty(SYSLOG_PREFIX, PRIORITIES);
        }
        return p;
    }

    /**
     * Writes the defaults to {@code data/logging.properties} (replaced at every start: a new gateway.jar brings its
     * own) and names it in {@value #PROPERTY_FILE}, unless the operator named another file with
     * {@code -Dorg.ops4j.pax.logging.property.file=...}.
     */
    static void install(Path data) {
        if (System.getProperty(PROPERTY_FILE) != null) {
            return;
        }
        Path file = data.resolve("logging.properties");
        Path tmp = data.resolve("logging.properties.tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                load().store(out, "written by gateway.jar at every start from its defaults; edit etc/org.ops4j.pax.logging.cfg instead");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            System.setProperty(PROPERTY_FILE, file.toString());
        } catch (IOException e) {
            // the gateway still runs, with pax-logging's own default format, and says why
            System.err.println("gateway: cannot write " + file + " (logging keeps its built-in defaults): " + e);
        }
    }
}
