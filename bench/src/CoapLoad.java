import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A closed-loop CoAP load generator on plain JDK UDP sockets (no CoAP library, so it costs the same against any
 * server). N clients, each with its own socket, send a confirmable GET, wait for the matching answer, and send the
 * next one, for D seconds after a warm-up.
 *
 * <pre>
 * java bench/src/CoapLoad.java coap://127.0.0.1:5683/oic/d [--clients N] [--duration S] [--warmup S]
 *                              [--timeout-ms MS] [--mid sequential|random]
 * </pre>
 *
 * <p>Message ids: by default each client starts at a random message id and counts up (RFC 7252 4.4); when it has
 * used all 65536 ids it opens a new socket (a new source port, so a new peer for the server), so that no
 * (peer, message id) pair repeats within EXCHANGE_LIFETIME (247 s) and the server never answers from its
 * deduplication cache. {@code --mid random} draws every id at random instead (a server then sees "duplicates").
 * Tokens are 8 random bytes; an answer counts when it is the piggybacked ACK with our id and token, or a separate
 * response with our token (a confirmable one is acknowledged). There is no retransmission: a request not answered
 * within the timeout counts as a timeout, and the client goes on with a new one.
 *
 * <p>Prints one line {@code RESULT key=value ...}: requests completed in the measured window, throughput
 * (req/s), latency p50/p90/p99/max (ms) of the answered requests, errors (answers that are not 2.xx), timeouts,
 * and the CPU time the generator itself used (warm-up included).
 */
public final class CoapLoad {
    private static final int CON = 0;
    private static final int NON = 1;
    private static final int ACK = 2;
    private static final int RST = 3;

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].startsWith("-")) {
            usage("missing URI");
        }
        URI uri = URI.create(args[0]);
        if (!"coap".equals(uri.getScheme()) || uri.getHost() == null) {
            usage("URI must be coap://HOST:PORT/PATH");
        }
        int clients = 1;
        double duration = 10;
        double warmup = 2;
        int timeoutMs = 2000;
        boolean randomMid = false;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--clients" -> clients = Integer.parseInt(need(a, v));
                case "--duration" -> duration = Double.parseDouble(need(a, v));
                case "--warmup" -> warmup = Double.parseDouble(need(a, v));
                case "--timeout-ms" -> timeoutMs = Integer.parseInt(need(a, v));
                case "--mid" -> randomMid = "random".equals(need(a, v));
                default -> usage("unknown option " + a);
            }
            i++;
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        InetSocketAddress server = new InetSocketAddress(host, uri.getPort() < 0 ? 5683 : uri.getPort());
        byte[] options = options(uri.getRawPath(), uri.getRawQuery());

        long start = System.nanoTime();
        long measureFrom = start + (long) (warmup * 1e9);
        long end = measureFrom + (long) (duration * 1e9);
        Client[] all = new Client[clients];
        CountDownLatch done = new CountDownLatch(clients);
        for (int c = 0; c < clients; c++) {
            all[c] = new Client(server, options, timeoutMs, randomMid, measureFrom, end);
            all[c].done = done;
            Thread t = new Thread(all[c]::runSafely, "coap-load-" + c);
            t.setDaemon(true);
            t.start();
        }
        if (!done.await((long) (warmup + duration) + timeoutMs / 1000 + 30, java.util.concurrent.TimeUnit.SECONDS)) {
            System.err.println("coap-load: clients did not finish");
        }
        long requests = 0;
        long errors = 0;
        long timeouts = 0;
        long sockets = 0;
        int payload = -1;
        List<long[]> lat = new ArrayList<>();
        int total = 0;
        for (Client c : all) {
            requests += c.ok + c.errors;
            errors += c.errors;
            timeouts += c.timeouts;
            sockets += c.sockets;
            payload = Math.max(payload, c.payloadSize);
            lat.add(Arrays.copyOf(c.latencies, c.count));
            total += c.count;
            if (c.failure != null) {
                System.err.println("coap-load: client failed: " + c.failure);
            }
        }
        long[] merged = new long[total];
        int k = 0;
        for (long[] l : lat) {
            System.arraycopy(l, 0, merged, k, l.length);
            k += l.length;
        }
        Arrays.sort(merged);
        double seconds = duration;
        System.out.printf(Locale.ROOT,
                "RESULT uri=%s clients=%d seconds=%.1f requests=%d throughput=%.1f p50_ms=%.3f p90_ms=%.3f "
                        + "p99_ms=%.3f max_ms=%.3f errors=%d timeouts=%d payload_bytes=%d sockets=%d "
                        + "loadgen_cpu_s=%.1f%n",
                uri, clients, seconds, requests, requests / seconds, pct(merged, 50), pct(merged, 90),
                pct(merged, 99), merged.length == 0 ? Double.NaN : merged[merged.length - 1] / 1e6, errors, timeouts,
                payload, sockets, cpuSeconds());
    }

    /** CPU time of this JVM (the load generator itself), to tell what else ran on the machine. */
    private static double cpuSeconds() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean b ? b.getProcessCpuTime() / 1e9 : Double.NaN;
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    private static String need(String option, String value) {
        if (value == null) {
            usage(option + " needs a value");
        }
        return value;
    }

    private static void usage(String why) {
        System.err.println("coap-load: " + why);
        System.err.println("usage: java bench/src/CoapLoad.java coap://HOST:PORT/PATH [--clients N] [--duration S]"
                + " [--warmup S] [--timeout-ms MS] [--mid sequential|random]");
        System.exit(2);
    }

    /** Uri-Path (11) and Uri-Query (15) options, in order, with delta encoding. */
    static byte[] options(String path, String query) {
        List<int[]> numbers = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        if (path != null) {
            for (String seg : path.split("/")) {
                if (!seg.isEmpty()) {
                    numbers.add(new int[] {11});
                    values.add(decode(seg));
                }
            }
        }
        if (query != null) {
            for (String q : query.split("&")) {
                numbers.add(new int[] {15});
                values.add(decode(q));
            }
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int last = 0;
        for (int i = 0; i < numbers.size(); i++) {
            int delta = numbers.get(i)[0] - last;
            last = numbers.get(i)[0];
            byte[] v = values.get(i);
            int dn = nibble(delta);
            int ln = nibble(v.length);
            out.write(dn << 4 | ln);
            ext(out, delta);
            ext(out, v.length);
            out.writeBytes(v);
        }
        return out.toByteArray();
    }

    private static byte[] decode(String s) {
        return java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8)
                .getBytes(StandardCharsets.UTF_8);
    }

    private static int nibble(int v) {
        return v < 13 ? v : v < 269 ? 13 : 14;
    }

    private static void ext(java.io.ByteArrayOutputStream out, int v) {
        if (v >= 269) {
            out.write((v - 269) >> 8);
            out.write((v - 269) & 0xff);
        } else if (v >= 13) {
            out.write(v - 13);
        }
    }

    static final class Client {
        final InetSocketAddress server;
        final byte[] options;
        final int timeoutMs;
        final boolean randomMid;
        final long measureFrom;
        final long end;
        CountDownLatch done;
        long[] latencies = new long[1 << 14];
        int count;
        long ok;
        long errors;
        long timeouts;
        long sockets;
        int payloadSize = -1;
        Throwable failure;

        Client(InetSocketAddress server, byte[] options, int timeoutMs, boolean randomMid, long measureFrom,
                long end) {
            this.server = server;
            this.options = options;
            this.timeoutMs = timeoutMs;
            this.randomMid = randomMid;
            this.measureFrom = measureFrom;
            this.end = end;
        }

        void runSafely() {
            try {
                run();
            } catch (Throwable t) {
                failure = t;
            } finally {
                done.countDown();
            }
        }

        private void run() throws IOException {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            byte[] req = new byte[4 + 8 + options.length];
            byte[] buf = new byte[2048];
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            DatagramSocket socket = null;
            int mid = 0;
            int used = 65536; // forces a socket at the start
            try {
                while (System.nanoTime() < end) {
                    if (used >= 65536) {
                        if (socket != null) {
                            socket.close();
                        }
                        socket = new DatagramSocket();
                        socket.connect(server);
                        sockets++;
                        mid = rnd.nextInt(65536);
                        used = 0;
                    }
                    mid = randomMid ? rnd.nextInt(65536) : (mid + 1) & 0xffff;
                    used++;
                    req[0] = (byte) (0x40 | (CON << 4) | 8); // version 1, CON, token length 8
                    req[1] = 0x01; // GET
                    req[2] = (byte) (mid >> 8);
                    req[3] = (byte) mid;
                    long token = rnd.nextLong();
                    for (int i = 0; i < 8; i++) {
                        req[4 + i] = (byte) (token >>> (56 - 8 * i));
                    }
                    System.arraycopy(options, 0, req, 12, options.length);
                    long t0 = System.nanoTime();
                    socket.send(new DatagramPacket(req, req.length));
                    int code = await(socket, in, mid, token, t0);
                    long t1 = System.nanoTime();
                    boolean measured = t0 >= measureFrom && t1 <= end;
                    if (code < 0) {
                        if (measured) {
                            timeouts++;
                        }
                        continue;
                    }
                    if (!measured) {
                        continue;
                    }
                    if (code >> 5 == 2) {
                        ok++;
                    } else {
                        errors++;
                    }
                    if (count == latencies.length) {
                        latencies = Arrays.copyOf(latencies, count * 2);
                    }
                    latencies[count++] = t1 - t0;
                }
            } finally {
                if (socket != null) {
                    socket.close();
                }
            }
        }

        /** The answer's code, or -1 on timeout. */
        private int await(DatagramSocket socket, DatagramPacket in, int mid, long token, long t0) throws IOException {
            long deadline = t0 + timeoutMs * 1_000_000L;
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return -1;
                }
                socket.setSoTimeout((int) Math.max(1, left));
                try {
                    in.setLength(in.getData().length);
                    socket.receive(in);
                } catch (SocketTimeoutException e) {
                    return -1;
                }
                byte[] b = in.getData();
                int len = in.getLength();
                if (len < 4 || (b[0] & 0xc0) != 0x40) {
                    continue;
                }
                int type = (b[0] >> 4) & 3;
                int tkl = b[0] & 0x0f;
                int code = b[1] & 0xff;
                int rmid = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
                boolean ourToken = tkl == 8 && len >= 12 && tokenOf(b) == token;
                if (type == ACK && rmid == mid) {
                    if (code == 0) {
                        continue; // empty ACK: the response comes separately
                    }
                    if (!ourToken) {
                        continue;
                    }
                    payloadSize = payloadLength(b, len, tkl);
                    return code;
                }
                if (type == RST && rmid == mid) {
                    return 0xa0; // 5.00-class: counted as an error
                }
                if ((type == CON || type == NON) && ourToken && code != 0) {
                    if (type == CON) {
                        byte[] ack = {(byte) (0x40 | (ACK << 4)), 0, b[2], b[3]};
                        socket.send(new DatagramPacket(ack, ack.length));
                    }
                    payloadSize = payloadLength(b, len, tkl);
                    return code;
                }
                // a late answer to an earlier request that timed out: ignore
            }
        }

        private static long tokenOf(byte[] b) {
            long t = 0;
            for (int i = 0; i < 8; i++) {
                t = (t << 8) | (b[4 + i] & 0xff);
            }
            return t;
        }

        private static int payloadLength(byte[] b, int len, int tkl) {
            for (int i = 4 + tkl; i < len; i++) {
                if ((b[i] & 0xff) == 0xff) {
                    return len - i - 1;
                }
                // skip an option: delta and length nibbles with extensions
                int d = (b[i] >> 4) & 0xf;
                int l = b[i] & 0xf;
                int p = i + 1;
                p += d == 13 ? 1 : d == 14 ? 2 : 0;
                int length = l;
                if (l == 13) {
                    length = (b[p] & 0xff) + 13;
                    p += 1;
                } else if (l == 14) {
                    length = ((b[p] & 0xff) << 8 | (b[p + 1] & 0xff)) + 269;
                    p += 2;
                }
                i = p + length - 1;
            }
            return 0;
        }
    }
}
