import java.io.File;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Start-up time and memory of gateway.jar, JDK only.
 *
 * <pre>
 * java bench/src/StartupProbe.java [--jar JAR] [--runs 5] [--rss-after 10] [--restart] [--appcds] [--timeline]
 *                                  [--max-foreign-ms 300] [--keep] [-- JVM options for the gateway...]
 * java bench/src/StartupProbe.java --variants FILE [--runs 5] [--rss-after 10] [--max-foreign-ms 300]
 * </pre>
 *
 * <p>Each run starts {@code java -Djava.io.tmpdir=HOME/tmp [JVM options] -Dgateway.home=HOME
 * -Dorg.osgi.service.http.port=FREE -jar JAR} in a fresh temporary home whose {@code etc/org.ocfupdate.coap.cfg}
 * says 127.0.0.1, port 0, no multicast; reads the chosen CoAP port from the log as soon as it appears, and polls
 * {@code GET /oic/res} (a confirmable CoAP request every 10 ms, raw UDP) until the first 2.05 answer. Measured: the
 * wall time from starting the process to that answer; the gateway's own "Gateway ready ... (N ms after JVM start)";
 * the CPU time the JVM used until the answer; VmRSS and VmHWM from /proc/PID/status {@code --rss-after} seconds
 * after the start. Then SIGTERM, and the home is deleted (unless {@code --keep}). bnd's launcher unpacks 1.2 MB
 * into the temporary folder at every start: today's gateway.jar into HOME/data/tmp/PID, older ones into
 * java.io.tmpdir, hence HOME/tmp.
 *
 * <p>{@code --restart}: every measured start is a restart (the home is prepared by one unmeasured start/stop, so the
 * framework storage and SVR state exist, as on a gateway after its first boot). {@code --appcds}: a dynamic AppCDS
 * archive is recorded once first ({@code -XX:ArchiveClassesAtExit}, one unmeasured start stopped with SIGTERM after
 * the first answer) and every measured start uses it ({@code -XX:SharedArchiveFile}). {@code --timeline}: prints
 * when the milestones of each start appeared in the log and, with {@code -Dlaunch.trace=true}, how long each
 * bundle's start took.
 *
 * <p>Shared machines: from /proc/stat the probe computes the CPU time that other processes used while the gateway
 * was starting ("foreign CPU"). A run with more than {@code --max-foreign-ms} is repeated (up to 3 times, then kept
 * and marked {@code *}) and left out of the medians, so a build running next to the benchmark does not end up in
 * the figures.
 *
 * <p>{@code --variants FILE}: one variant per line, {@code name: options}, where options are JVM options plus the
 * words {@code jar=PATH}, {@code restart}, {@code appcds} and {@code record:OPTION} (an option of the recording start
 * only); # starts a comment. The variants are measured
 * interleaved (round 1 of every variant, then round 2, ...), so that slow drifts of the machine hit all alike, and a
 * table of medians ends the output.
 */
public final class StartupProbe {
    /** 127.0.0.1 as configured; any address if etc/ was not applied (the probe then warns). */
    private static final Pattern PORT = Pattern.compile("CoAP server listening on udp /\\S*:(\\d+) \\(");
    private static final Pattern READY = Pattern.compile("Gateway ready: coap \\S+, coaps \\S+ \\((\\d+) ms after JVM start\\)");
    private static final long HZ = 100; // USER_HZ on Linux
    private static final String[] COLUMNS = {"first_answer_ms", "ready_log_ms", "cpu_ms", "rss_mb", "hwm_mb"};

    /** every gateway process started, for the shutdown hook. */
    static final List<Process> STARTED = new java.util.concurrent.CopyOnWriteArrayList<>();
    static int rssAfter = 10;
    static long maxForeignMs = 300;
    static boolean keep;
    static boolean timeline;

    public static void main(String[] args) throws Exception {
        Path jar = Paths.get("gateway-app/target/gateway.jar");
        int runs = 5;
        Path variantsFile = null;
        boolean restart = false;
        boolean appcds = false;
        List<String> jvm = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--jar" -> jar = Paths.get(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--rss-after" -> rssAfter = Integer.parseInt(args[++i]);
                case "--max-foreign-ms" -> maxForeignMs = Long.parseLong(args[++i]);
                case "--restart" -> restart = true;
                case "--appcds" -> appcds = true;
                case "--timeline" -> timeline = true;
                case "--keep" -> keep = true;
                case "--variants" -> variantsFile = Paths.get(args[++i]);
                case "--" -> {
                    jvm.addAll(Arrays.asList(args).subList(i + 1, args.length));
                    i = args.length;
                }
                default -> {
                    System.err.println("usage: java bench/src/StartupProbe.java [--jar JAR] [--runs N] [--rss-after S]"
                            + " [--restart] [--appcds] [--timeline] [--max-foreign-ms MS] [--keep] [-- JVM options]\n"
                            + "       java bench/src/StartupProbe.java --variants FILE [--runs N] [--rss-after S]");
                    System.exit(2);
                }
            }
        }
        List<Variant> variants = new ArrayList<>();
        if (variantsFile != null) {
            for (String line : Files.readAllLines(variantsFile)) {
                String l = line.replaceFirst("#.*", "").trim();
                if (l.isEmpty()) {
                    continue;
                }
                int colon = l.indexOf(':');
                Variant v = new Variant(l.substring(0, colon).trim(), jar); // jar= overrides --jar
                for (String w : l.substring(colon + 1).trim().split("\\s+")) {
                    if (w.isEmpty()) {
                        continue;
                    } else if (w.startsWith("jar=")) {
                        v.jar = Paths.get(w.substring(4));
                    } else if (w.equals("restart")) {
                        v.restart = true;
                    } else if (w.equals("appcds")) {
                        v.appcds = true;
                    } else if (w.startsWith("record:")) {
                        v.recordOnly.add(w.substring(7));
                    } else {
                        v.jvm.add(w);
                    }
                }
                variants.add(v);
            }
        } else {
            Variant v = new Variant("run", jar);
            v.restart = restart;
            v.appcds = appcds;
            v.jvm.addAll(jvm);
            variants.add(v);
        }
        for (Variant v : variants) {
            if (!Files.isRegularFile(v.jar)) {
                System.err.println("startup-probe: " + v.jar + " not found (build with: mvn -q install -DskipTests)");
                System.exit(2);
            }
        }
        System.out.println("# runs=" + runs + " rss-after=" + rssAfter + "s cores="
                + Runtime.getRuntime().availableProcessors() + " loadavg=" + loadavg() + " max-foreign-ms="
                + maxForeignMs);
        Path work = Files.createTempDirectory("gw-startup-");
        // stopped early (timeout, Ctrl-C): stop the gateway being measured and remove the temporary homes
        Thread cleanup = new Thread(() -> {
            for (Process p : STARTED) {
                p.destroyForcibly();
            }
            try {
                deleteTree(work);
            } catch (IOException e) {
                // best effort
            }
        });
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            for (Variant v : variants) {
                System.out.println("# variant " + v.name + ": jar=" + v.jar + (v.restart ? " restart" : "")
                        + (v.appcds ? " appcds" : "") + " jvm-options="
                        + (v.jvm.isEmpty() ? "(none)" : String.join(" ", v.jvm)));
                if (v.appcds) {
                    v.archive = work.resolve(v.name.replaceAll("\\W", "_") + ".jsa");
                    List<String> rec = new ArrayList<>(v.jvm);
                    rec.addAll(v.recordOnly);
                    rec.add("-XX:ArchiveClassesAtExit=" + v.archive);
                    Path home = newHome(work, "appcds-" + v.name);
                    Run r = start(v.jar, home, rec, "record");
                    r.firstAnswer(90);
                    Thread.sleep(2000);
                    r.stop();
                    deleteTree(home);
                    if (!Files.isRegularFile(v.archive)) {
                        throw new IllegalStateException("no AppCDS archive written for " + v.name);
                    }
                    System.out.printf(Locale.ROOT, "# %s: AppCDS archive %.1f MB%n", v.name,
                            Files.size(v.archive) / 1048576.0);
                }
            }
            for (int round = 1; round <= runs; round++) {
                for (Variant v : variants) {
                    double[] result = null;
                    boolean disturbed = true;
                    for (int attempt = 0; attempt < 4 && disturbed; attempt++) {
                        result = measure(v, work, round);
                        disturbed = result[5] > maxForeignMs;
                        System.out.printf(Locale.ROOT,
                                "%s run %d: first /oic/res answer %.0f ms after process start; ready log %.0f ms after"
                                        + " JVM start; CPU %.0f ms; VmRSS %.1f MB, VmHWM %.1f MB at %d s; foreign CPU"
                                        + " %.0f ms%s%n",
                                v.name, round, result[0], result[1], result[2], result[3], result[4], rssAfter,
                                result[5], disturbed ? (attempt < 3 ? " (disturbed: repeated)" : " * (kept)") : "");
                    }
                    v.results.add(result);
                }
            }
        } finally {
            deleteTree(work);
        }
        // the figures: runs that nothing else disturbed; all runs only when every run was disturbed
        for (Variant v : variants) {
            List<double[]> clean = v.clean();
            System.out.println("SUMMARY " + (variants.size() > 1 ? v.name + " " : "") + "runs=" + clean.size()
                    + (clean.size() < v.results.size() ? " (of " + v.results.size() + "; disturbed runs left out)" : "")
                    + summary(clean));
        }
        if (variants.size() > 1) {
            System.out.println();
            System.out.printf(Locale.ROOT, "%-16s %4s %9s %6s %6s %7s %7s %7s%n", "variant", "runs", "answer ms", "min",
                    "max", "CPU ms", "RSS MB", "HWM MB");
            for (Variant v : variants) {
                List<double[]> clean = v.clean();
                double[] a = column(clean, 0);
                System.out.printf(Locale.ROOT, "%-16s %4s %9.0f %6.0f %6.0f %7.0f %7.1f %7.1f%n", v.name,
                        clean.size() + (clean.size() < v.results.size() ? "*" : ""), median(a), a[0],
                        a[a.length - 1], median(column(clean, 2)), median(column(clean, 3)),
                        median(column(clean, 4)));
            }
            System.out.println("# medians; answer = first 2.05 to GET /oic/res after process start; CPU = CPU time of"
                    + " the JVM until then; RSS/HWM at " + rssAfter + " s; runs* = disturbed runs left out");
        }
        System.out.println("# loadavg after: " + loadavg());
    }

    static final class Variant {
        final String name;
        Path jar;
        boolean restart;
        boolean appcds;
        Path archive;
        final List<String> jvm = new ArrayList<>();
        /** options of the recording start only (appcds), e.g. the launchers' --add-opens and -Dgateway.cds.recording */
        final List<String> recordOnly = new ArrayList<>();
        final List<double[]> results = new ArrayList<>();

        /** runs with at most --max-foreign-ms of other processes' CPU; all runs if there is none. */
        List<double[]> clean() {
            List<double[]> c = results.stream().filter(r -> r[5] <= maxForeignMs).toList();
            return c.isEmpty() ? results : c;
        }

        Variant(String name, Path jar) {
            this.name = name;
            this.jar = jar;
        }
    }

    /** {answer ms, ready-log ms, JVM CPU ms until the answer, RSS MB, HWM MB, foreign CPU ms}. */
    static double[] measure(Variant v, Path work, int round) throws Exception {
        Path home = newHome(work, v.name.replaceAll("\\W", "_") + "-" + round);
        try {
            List<String> jvm = new ArrayList<>(v.jvm);
            if (v.archive != null) {
                jvm.add("-XX:SharedArchiveFile=" + v.archive);
            }
            if (v.restart) {
                Run warm = start(v.jar, home, jvm, "warm");
                warm.firstAnswer(90);
                warm.stop();
            }
            long busy0 = systemBusyTicks();
            long self0 = selfTicks();
            Run run = start(v.jar, home, jvm, "run");
            double answerMs = run.firstAnswer(90);
            long busy1 = systemBusyTicks();
            long self1 = selfTicks();
            long gw = run.cpuTicks();
            double foreignMs = Math.max(0, (busy1 - busy0) - (self1 - self0) - gw) * 1000.0 / HZ;
            double readyMs = run.readyMs();
            long sleep = run.t0 + TimeUnit.SECONDS.toNanos(rssAfter) - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            }
            long[] mem = run.memoryKb();
            String cfg = Files.readString(home.resolve("etc/org.ocfupdate.coap.cfg"));
            run.stop();
            if (!cfg.contains("port=0")) {
                System.out.println("# WARNING " + v.name + " run " + round + ": etc/org.ocfupdate.coap.cfg was "
                        + "rewritten while the gateway ran: [" + cfg.replace("\n", "\\n") + "]");
            }
            if (timeline) {
                run.printTimeline();
            }
            return new double[] {answerMs, readyMs, gw * 1000.0 / HZ, mem[0] / 1024.0, mem[1] / 1024.0, foreignMs};
        } finally {
            if (!keep) {
                deleteTree(home);
            } else {
                System.out.println("# kept " + home);
            }
        }
    }

    static Path newHome(Path work, String name) throws IOException {
        Path home = Files.createDirectories(work.resolve(name + "-" + System.nanoTime()));
        Files.createDirectories(home.resolve("etc"));
        Files.createDirectories(home.resolve("tmp"));
        Files.writeString(home.resolve("etc/org.ocfupdate.coap.cfg"), "host=127.0.0.1\nport=0\nsecurePort=0\nmulticast=false\n");
        return home;
    }

    static String summary(List<double[]> results) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < COLUMNS.length; k++) {
            double[] v = column(results, k);
            sb.append(String.format(Locale.ROOT, " %s=median:%.1f,min:%.1f,max:%.1f", COLUMNS[k], median(v), v[0],
                    v[v.length - 1]));
        }
        return sb.toString();
    }

    static double[] column(List<double[]> results, int k) {
        return results.stream().mapToDouble(a -> a[k]).sorted().toArray();
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static Run start(Path jar, Path home, List<String> jvmOptions, String name) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Djava.io.tmpdir=" + home.resolve("tmp"));
        cmd.addAll(jvmOptions);
        cmd.add("-Dgateway.home=" + home);
        cmd.add("-Dorg.osgi.service.http.port=" + freeTcpPort());
        cmd.add("-jar");
        cmd.add(jar.toAbsolutePath().toString());
        Path log = home.resolve("gateway-" + name + ".log");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectOutput(log.toFile())
                .start();
        STARTED.add(p);
        return new Run(p, log, t0);
    }

    static final class Run {
        final Process process;
        final Path log;
        final long t0;
        /** line → ms after t0 at which it was first seen (only with --timeline). */
        final Map<String, Double> seen = new LinkedHashMap<>();
        private int seenChars;

        Run(Process process, Path log, long t0) {
            this.process = process;
            this.log = log;
            this.t0 = t0;
        }

        /** Milliseconds from process start to the first 2.05 answer to GET /oic/res. */
        double firstAnswer(int timeoutSeconds) throws Exception {
            long end = t0 + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            int port;
            while (true) {
                Matcher m = PORT.matcher(output());
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                    break;
                }
                check(end);
                Thread.sleep(2);
            }
            try (DatagramSocket s = new DatagramSocket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                byte[] buf = new byte[2048];
                while (true) {
                    int mid = ThreadLocalRandom.current().nextInt(65536);
                    byte[] req = {0x41, 0x01, (byte) (mid >> 8), (byte) mid, 0x2a, (byte) 0xb3, 'o', 'i', 'c', 0x03,
                            'r', 'e', 's'};
                    s.send(new DatagramPacket(req, req.length));
                    long wait = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
                    while (System.nanoTime() < wait) {
                        s.setSoTimeout((int) Math.max(1, (wait - System.nanoTime()) / 1_000_000));
                        DatagramPacket in = new DatagramPacket(buf, buf.length);
                        try {
                            s.receive(in);
                        } catch (SocketTimeoutException | java.net.PortUnreachableException e) {
                            break;
                        }
                        int rmid = ((buf[2] & 0xff) << 8) | (buf[3] & 0xff);
                        if (in.getLength() >= 5 && rmid == mid && (buf[1] & 0xff) == 0x45) { // 2.05
                            double ms = (System.nanoTime() - t0) / 1e6;
                            output();
                            seen.put("<first 2.05 answer to GET /oic/res>", ms);
                            return ms;
                        }
                    }
                    check(end);
                }
            }
        }

        double readyMs() throws Exception {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < end) {
                Matcher m = READY.matcher(output());
                if (m.find()) {
                    return Double.parseDouble(m.group(1));
                }
                Thread.sleep(5);
            }
            return Double.NaN;
        }

        long cpuTicks() throws IOException {
            return ticks(Paths.get("/proc", String.valueOf(process.pid()), "stat"));
        }

        long[] memoryKb() throws IOException {
            long rss = -1;
            long hwm = -1;
            for (String line : Files.readAllLines(Paths.get("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", ""));
                } else if (line.startsWith("VmHWM:")) {
                    hwm = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            return new long[] {rss, hwm};
        }

        void stop() throws Exception {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }

        private void check(long end) throws Exception {
            if (!process.isAlive()) {
                throw new IllegalStateException("gateway exited with " + process.exitValue() + ":\n" + output());
            }
            if (System.nanoTime() > end) {
                stop();
                throw new IllegalStateException("no answer to GET /oic/res in time:\n" + output());
            }
        }

        String output() throws IOException {
            String out = Files.readString(log, StandardCharsets.UTF_8);
            if (timeline && out.length() > seenChars) {
                double ms = (System.nanoTime() - t0) / 1e6;
                int lastNl = out.lastIndexOf('\n');
                if (lastNl >= seenChars) {
                    for (String line : out.substring(seenChars, lastNl).split("\n")) {
                        seen.putIfAbsent(line, ms);
                    }
                    seenChars = lastNl + 1;
                }
            }
            return out;
        }

        void printTimeline() {
            String[] milestones = {"[EmbeddedLauncher] looking", "# inited runbundles", "# installing",
                "# system bundle started ok", "# Will start bundles", "Creating configuration",
                "CoAP server listening", "Gateway ready", "<first 2.05"};
            System.out.println("# timeline (ms after process start; lines as first seen in the log, +-2 ms):");
            for (String m : milestones) {
                seen.entrySet().stream().filter(e -> e.getKey().contains(m)).findFirst()
                        .ifPresent(e -> System.out.printf(Locale.ROOT, "#   %6.0f  %s%n", e.getValue(),
                                e.getKey().length() > 110 ? e.getKey().substring(0, 110) + "..." : e.getKey()));
            }
            Map<String, Double> starting = new LinkedHashMap<>();
            List<String[]> costs = new ArrayList<>();
            for (Map.Entry<String, Double> e : seen.entrySet()) {
                String line = e.getKey();
                if (line.startsWith("# starting ")) {
                    starting.put(line.substring(11).trim(), e.getValue());
                } else if (line.startsWith("# started ")) {
                    String b = line.substring(10).trim();
                    Double s = starting.get(b);
                    if (s != null) {
                        costs.add(new String[] {String.format(Locale.ROOT, "%6.0f", e.getValue() - s), b});
                    }
                }
            }
            if (!costs.isEmpty()) {
                costs.sort(Comparator.comparing((String[] c) -> Double.parseDouble(c[0].trim())).reversed());
                System.out.println("# bundle start (launch.trace 'starting' to 'started'), slowest first:");
                for (String[] c : costs.subList(0, Math.min(10, costs.size()))) {
                    System.out.println("#   " + c[0] + " ms  " + c[1]);
                }
            }
        }
    }

    static long systemBusyTicks() throws IOException {
        String[] f = Files.readAllLines(Paths.get("/proc/stat")).get(0).trim().split("\\s+");
        // cpu user nice system idle iowait irq softirq steal ...
        return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                + Long.parseLong(f[7]) + Long.parseLong(f[8]);
    }

    static long selfTicks() throws IOException {
        return ticks(Paths.get("/proc/self/stat"));
    }

    /** utime + stime of a /proc/PID/stat file. */
    static long ticks(Path stat) throws IOException {
        String s = Files.readString(stat);
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static String loadavg() {
        try {
            String[] f = Files.readString(Paths.get("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
