package org.ocfupdate.gateway.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's libcoap 4.3.1 command-line client ({@code coap-client-notls}, package libcoap3-bin) run as a process.
 *
 * <p>What libcoap 4.3.1 does, found by trying it against the gateway:
 * <ul>
 * <li>the exit code is 0 whatever happened (timeout, error response, dropped response): never look at it;</li>
 * <li>at {@code -v 6} every sent and received PDU is logged on <em>stdout</em> as
 * {@code v:1 t:ACK c:2.05 i:4f1a {01} [ Content-Format:10000 ] :: ...}; that line is where the response code and
 * the options are read from. At {@code -v 7} debug lines ({@code DEBG ...}) come in between, among them
 * {@code unknown critical option 2053} when libcoap drops a response;</li>
 * <li>an error response (4.xx, 5.xx) is printed on <em>stderr</em> as {@code 4.00 diagnostic text} and is
 * <em>not</em> written to the {@code -o} file; a success payload is written to the {@code -o} file (no file at all
 * when the response has no payload), and with {@code -s} (Observe) every notification's payload is appended to
 * it, back to back;</li>
 * <li>options are logged by name where libcoap knows them ({@code Content-Format:application/cbor} for 60,
 * {@code text/plain} for 0, but {@code Content-Format:10000}), unknown ones by number with escaped bytes
 * ({@code 2053:\x08\x00});</li>
 * <li>{@code -f FILE} with a missing file silently sends an empty payload, and {@code -t
 * application/vnd.ocf+cbor} silently sends no Content-Format: this helper always writes the file first and passes
 * content-formats as numbers.</li>
 * </ul>
 */
final class CoapClientCli {
    static final String BINARY = "/usr/bin/coap-client-notls";
    /** For coaps URIs: libcoap built with GnuTLS (PSK and X.509). */
    static final String SECURE_BINARY = "/usr/bin/coap-client-gnutls";
    private static final Pattern USER_INFO = Pattern.compile("^coaps://([^:@/]+):([^@/]+)@(.*)$");
    /** A logged PDU: type, code (method or response code), message id, token, options, and an optional payload. */
    static final Pattern PDU = Pattern.compile(
            "^v:1 t:(CON|NON|ACK|RST) c:(\\S+) i:([0-9a-f]+) \\{([0-9a-f]*)\\} \\[ ?(.*?) ?\\](?: :: (.*))?$");
    private static final Pattern ERROR_LINE = Pattern.compile("^([1-5]\\.\\d\\d)(?: (.*))?$");
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final Path dir;
    private final String secureBinary;

    /** @param dir a folder for request bodies, outputs and logs */
    CoapClientCli(Path dir) {
        this(dir, SECURE_BINARY);
    }

    /** @param secureBinary the client for coaps URIs, e.g. {@code /usr/bin/coap-client-openssl} */
    CoapClientCli(Path dir, String secureBinary) {
        this.dir = dir;
        this.secureBinary = secureBinary;
    }

    /** A PDU that coap-client logged. */
    record Pdu(String type, String code, String mid, String token, String options, String payloadText) {
        boolean isResponse() {
            return code.matches("\\d\\.\\d\\d");
        }

        /** The logged value of option {@code name} (a number or libcoap's name such as Observe), or null. */
        String option(String name) {
            for (String o : options.split(", ")) {
                if (o.startsWith(name + ":")) {
                    return o.substring(name.length() + 1);
                }
            }
            return null;
        }
    }

    /** The outcome of one coap-client run. */
    record Result(String code, byte[] payload, String diagnostic, List<Pdu> pdus, String stdout, String stderr) {
        /** The logged responses (for Observe: the first response and every notification, in order). */
        List<Pdu> responses() {
            return pdus.stream().filter(Pdu::isResponse).toList();
        }

        String log() {
            return "stdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    Result get(String uri, String... extraArgs) throws Exception {
        return run(null, null, "get", uri, extraArgs);
    }

    /** POST (or another method) with {@code body} written to a file and sent with {@code -f}. */
    Result send(String method, String uri, byte[] body, Integer contentFormat, String... extraArgs) throws Exception {
        return run(body, contentFormat, method, uri, extraArgs);
    }

    Result post(String uri, byte[] body) throws Exception {
        return send("post", uri, body, 10000);
    }

    private Result run(byte[] body, Integer contentFormat, String method, String uri, String... extraArgs)
            throws Exception {
        int n = SEQ.incrementAndGet();
        Path out = dir.resolve("coap-" + n + ".out");
        List<String> cmd = new ArrayList<>(List.of(BINARY, "-B", "5", "-v", "6", "-m", method, "-o", out.toString()));
        if (body != null) {
            Path file = dir.resolve("coap-" + n + ".body");
            Files.write(file, body);
            cmd.addAll(List.of("-f", file.toString()));
        }
        if (contentFormat != null) {
            cmd.addAll(List.of("-t", contentFormat.toString()));
        }
        cmd.addAll(List.of(extraArgs));
        addUri(cmd, uri);
        return finish(start(cmd, n), out, 20);
    }

    /** A coap-client started in the background (e.g. an observer with {@code -s}); {@link #await} collects it. */
    final class Running {
        private final Process process;
        private final int n;
        private final Path out;

        private Running(Process process, int n, Path out) {
            this.process = process;
            this.n = n;
            this.out = out;
        }

        /** The payload bytes received so far (Observe: every notification appended). */
        byte[] payloadSoFar() throws IOException {
            return Files.exists(out) ? Files.readAllBytes(out) : new byte[0];
        }

        /**
         * What coap-client has written to stderr so far: error responses ({@code 4.01 diagnostic}) as they arrive
         * (stdout is block-buffered when it is not a terminal, so the PDU log there comes late).
         */
        String stderrSoFar() throws IOException {
            Path f = dir.resolve("coap-" + n + ".stderr");
            return Files.exists(f) ? new String(Files.readAllBytes(f), StandardCharsets.UTF_8) : "";
        }

        Result await(int seconds) throws Exception {
            return finish(new Started(process, n), out, seconds);
        }

        void kill() {
            process.destroyForcibly();
        }
    }

    /** Starts {@code coap-client -s seconds -m get URI} in the background. */
    Running observe(String uri, int seconds, String... extraArgs) throws Exception {
        int n = SEQ.incrementAndGet();
        Path out = dir.resolve("coap-" + n + ".out");
        List<String> cmd = new ArrayList<>(List.of(BINARY, "-B", String.valueOf(seconds + 5), "-v", "6", "-s",
                String.valueOf(seconds), "-m", "get", "-o", out.toString()));
        cmd.addAll(List.of(extraArgs));
        addUri(cmd, uri);
        return new Running(start(cmd, n).process, n, out);
    }

    /** Runs coap-client with exactly {@code args} (no -o, no defaults) and returns what it logged. */
    Result raw(List<String> args) throws Exception {
        int n = SEQ.incrementAndGet();
        List<String> cmd = new ArrayList<>();
        cmd.add(BINARY);
        cmd.addAll(args);
        return finish(start(cmd, n), dir.resolve("coap-" + n + ".none"), 20);
    }

    private record Started(Process process, int n) {
    }

    /**
     * Adds the URI; a {@code coaps://IDENTITY:KEY@host:port/...} URI (see {@code GatewayProcess.uri}) runs the
     * GnuTLS client with that PSK ({@code -u}, {@code -k}) instead of the plain one.
     */
    private void addUri(List<String> cmd, String uri) {
        if (uri.startsWith("coaps://")) {
            cmd.set(0, secureBinary);
            Matcher m = USER_INFO.matcher(uri);
            if (m.matches()) {
                cmd.addAll(List.of("-u", m.group(1), "-k", m.group(2)));
                uri = "coaps://" + m.group(3);
            }
        }
        cmd.add(uri);
    }

    private Started start(List<String> cmd, int n) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(dir.resolve("coap-" + n + ".stdout").toFile())
                .redirectError(dir.resolve("coap-" + n + ".stderr").toFile()).start();
        return new Started(p, n);
    }

    private Result finish(Started s, Path out, int seconds) throws Exception {
        if (!s.process.waitFor(seconds, TimeUnit.SECONDS)) {
            s.process.destroyForcibly();
            s.process.waitFor();
        }
        // not necessarily UTF-8: libcoap prints some payload bytes as they are
        String stdout = new String(Files.readAllBytes(dir.resolve("coap-" + s.n + ".stdout")), StandardCharsets.UTF_8);
        String stderr = new String(Files.readAllBytes(dir.resolve("coap-" + s.n + ".stderr")), StandardCharsets.UTF_8);
        List<Pdu> pdus = new ArrayList<>();
        for (String line : (stdout + "\n" + stderr).split("\n")) {
            Matcher m = PDU.matcher(line.strip());
            if (m.matches()) {
                pdus.add(new Pdu(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6)));
            }
        }
        String code = null;
        for (Pdu pdu : pdus) {
            if (pdu.isResponse()) {
                code = pdu.code();
            }
        }
        String diagnostic = null;
        for (String line : stderr.split("\n")) {
            Matcher m = ERROR_LINE.matcher(line.strip());
            if (m.matches()) {
                diagnostic = m.group(2) == null ? "" : m.group(2);
            }
        }
        byte[] payload = Files.exists(out) ? Files.readAllBytes(out) : new byte[0];
        return new Result(code, payload, diagnostic, pdus, stdout, stderr);
    }
}
