package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's log as an operator (and journald) reads it: the line format, a quiet normal start, the syslog
 * priority prefix under systemd, a level changed at runtime through etc/org.ops4j.pax.logging.cfg, and secrets only
 * in the told-once blocks on stdout.
 */
class LoggingIT {
    /** [priority] ISO-8601 time with milliseconds and offset, level, [thread], short logger - message. */
    static final Pattern LINE = Pattern.compile("^(<[0-7]>)?(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}"
            + "(?:Z|[+-]\\d\\d:\\d\\d)) (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) \\[([^\\]]+)\\] (\\S+) - (.*)$");
    /** What the gateway prints on stdout itself, once (credentials), and the launcher's notices. */
    static final List<String> TOLD_ONCE = List.of("Web Console credentials generated", "Owner credential of this device",
            "  identity ", "  read pstat with: ", "gateway: ");

    @TempDir
    Path tmp;
    GatewayProcess gateway;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void normalStartPrintsFormattedLinesOfOursOnlyAndTheSecretsOnce() throws Exception {
        gateway = new GatewayProcess(tmp.resolve("home")).start();
        String startup = gateway.output();
        assertEquals(0, gateway.stop());
        String all = gateway.output();

        Matcher ready = LINE.matcher(all.lines().filter(l -> l.contains("Gateway ready")).findFirst().orElseThrow());
        assertTrue(ready.matches(), all);
        assertEquals(null, ready.group(1), "no priority prefix outside systemd");
        assertEquals("INFO ", ready.group(3));
        assertEquals("ocf-readiness", ready.group(4), "the thread");
        assertEquals("o.o.g.i.Readiness", ready.group(5), "the logger, packages abbreviated");

        int logLines = 0;
        for (String line : all.lines().toList()) {
            if (TOLD_ONCE.stream().anyMatch(line::startsWith)) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches(), "not a log line: '" + line + "' in\n" + all);
            logLines++;
            boolean ours = m.group(5).startsWith("o.o.") || m.group(5).equals("o.a.f.fileinstall");
            assertTrue(ours || m.group(3).startsWith("WARN") || m.group(3).startsWith("ERROR"),
                    "a third-party library's " + m.group(3).trim() + " line: " + line);
        }
        System.out.printf("normal start: %d lines until ready, %d lines start to stop (%d log lines)%n",
                startup.lines().count(), all.lines().count(), logLines);

        // the secrets are on stdout once, in the told-once blocks, and in no log line
        String ownerKey = gateway.owner().key();
        assertEquals(1, count(all, ownerKey), all);
        assertTrue(all.lines().filter(l -> l.contains(ownerKey)).allMatch(l -> l.startsWith("  read pstat with: ")));
        Matcher told = Pattern.compile("Web Console credentials generated .* password (\\S+)").matcher(all);
        assertTrue(told.find(), all);
        assertEquals(1, count(all, told.group(1)), "the console password once:\n" + all);
    }

    @Test
    void underSystemdEveryLineStartsWithItsSyslogPriority() throws Exception {
        gateway = new GatewayProcess(tmp.resolve("home"));
        gateway.environment.put("JOURNAL_STREAM", "8:4242");
        gateway.start();
        gateway.stop();
        String all = gateway.output();
        String ready = all.lines().filter(l -> l.contains("Gateway ready")).findFirst().orElseThrow();
        assertTrue(ready.startsWith("<6>"), ready);
        // every fresh home has no signing key yet: a warning
        String noKey = all.lines().filter(l -> l.contains("No trusted signing key")).findFirst().orElseThrow();
        assertTrue(noKey.startsWith("<4>"), noKey);
        for (String line : all.lines().toList()) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                String expected = switch (m.group(3).trim()) {
                    case "ERROR" -> "<3>";
                    case "WARN" -> "<4>";
                    case "INFO" -> "<6>";
                    default -> "<7>";
                };
                assertEquals(expected, m.group(1), line);
            } else {
                assertTrue(TOLD_ONCE.stream().anyMatch(line::startsWith), "not a log line: '" + line + "' in\n" + all);
            }
        }
    }

    @Test
    void aLevelWrittenToEtcTakesEffectWithoutRestart() throws Exception {
        gateway = new GatewayProcess(tmp.resolve("home")).start();
        CoapClientCli coap = new CoapClientCli(Files.createDirectories(tmp.resolve("coap")));
        // pstat over plain CoAP is refused; the refusal is a DEBUG line of org.ocfupdate.pstat
        String refused = "DEBUG [";
        coap.get(gateway.plainUri("/oic/sec/pstat"));
        assertFalse(gateway.output().contains(refused), "INFO by default:\n" + gateway.output());

        Files.writeString(gateway.home.resolve("etc/org.ops4j.pax.logging.cfg"),
                "log4j2.logger.pstat.name = org.ocfupdate.pstat\nlog4j2.logger.pstat.level = DEBUG\n");
        // FileInstall polls etc/ every second; ask until the line appears (at most 30 s)
        for (int i = 0; i < 60 && !gateway.output().contains(refused); i++) {
            coap.get(gateway.plainUri("/oic/sec/pstat"));
            Thread.sleep(500);
        }
        String debug = gateway.output().lines().filter(l -> l.contains(refused)).findFirst()
                .orElseThrow(() -> new AssertionError("no DEBUG line after the change:\n" + safeOutput()));
        Matcher m = LINE.matcher(debug);
        assertTrue(m.matches(), "the operator's two lines keep the gateway's format: " + debug);
        assertTrue(debug.contains("Refused GET /oic/sec/pstat"), debug);
        assertTrue(m.group(5).startsWith("o.o.p."), debug);

    }

    private String safeOutput() {
        try {
            return gateway.output();
        } catch (Exception e) {
            return e.toString();
        }
    }

    static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
            n++;
        }
        return n;
    }
}
