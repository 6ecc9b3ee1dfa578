package org.ocfupdate.gateway.launch;

import java.io.IOException;
import java.io.InputStream;
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
     * Writes the defaults to {@code data/logging.properties} (rewritten at a start only when they
     * differ: a new gateway.jar brings its own) and names it in {@value #PROPERTY_FILE}, unless the operator named another file with
     * {@code -Dorg.ops4j.pax.logging.property.file=...}.
     */
    static void install(Path data) {
        if (System.getProperty(PROPERTY_FILE) != null) {
            return;
        }
        Path file = data.resolve("logging.properties");
        Path tmp = data.resolve("logging.properties.tmp");
        try {
            // Properties.store heads the file with a date: without that line the same defaults give the same bytes,
            // so a start writes nothing when they did not change (a full data disk must not cost the log format)
            java.io.StringWriter text = new java.io.StringWriter();
            load().store(text, null);
            String body = text.toString().lines().filter(l -> !l.startsWith("#"))
                    .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
            byte[] content = body.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            if (!Files.exists(file) || !java.util.Arrays.equals(Files.readAllBytes(file), content)) {
                Files.write(tmp, content);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            System.setProperty(PROPERTY_FILE, file.toString());
        } catch (IOException e) {
            if (Files.isRegularFile(file)) { // the defaults of an earlier start are better than none
                System.setProperty(PROPERTY_FILE, file.toString());
            }
            // the gateway still runs, and says why
            System.err.println("gateway: cannot write " + file + " (logging keeps the defaults it had): " + e);
        }
    }
}
