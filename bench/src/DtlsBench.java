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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.MessageCallback;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;

/**
 * DTLS benchmarks against the gateway's coaps endpoint (Scandium 3.14 clients), run by {@code bench/dtls.sh}:
 *
 * <pre>
 * java -cp JARS bench/src/DtlsBench.java handshake coaps://H:P --identity ID --key KEY [--clients N] [--duration S]
 * java -cp JARS bench/src/DtlsBench.java get coap://H:P/oic/d|coaps://H:P/oic/d [--identity ID --key KEY]
 *                                        [--clients N] [--duration S] [--warmup S]
 * java -cp JARS bench/src/DtlsBench.java flood coaps://H:P/oic/d --identity ID --key KEY [--duration S] [--rotate]
 *                                        (the flooder uses ID with a wrong key)
 * java -cp JARS bench/src/DtlsBench.java reconnect coaps://H:P/oic/d --identity ID --key KEY [--interval-ms 100]
 *                                        [--duration 60]
 * </pre>
 *
 * <ul>
 * <li>{@code handshake}: N threads, each in a loop: a new client DTLSConnector on a new ephemeral port, a full PSK
 * handshake (with the server's HelloVerifyRequest cookie exchange), then the connector is destroyed, without
 * close_notify or with it ({@code --close}). Timed: the first send to the established context. Prints handshakes/s and latency.</li>
 * <li>{@code get}: closed loop of CON GET requests, N clients, each its own UDP socket (coap) or its own DTLS
 * connector and session (coaps; the handshake is made before the measured window). The same CoAP bytes and
 * matching both ways (like CoapLoad.java). A client that has used 60 000 message ids takes a new socket/session, so
 * the server's deduplication never answers from its cache.</li>
 * <li>{@code flood}: one good client (own port, one session) does GETs for S s alone, then S s while a flooder
 * makes handshakes with the owner identity and a wrong key as fast as it can, then S s after; the flooder uses one fixed UDP
 * port, or with {@code --rotate} a new port for every attempt ({@code --flooders} 4 such in parallel).</li>
 * <li>{@code reconnect}: every interval a new connector (new port), full handshake and one GET; counts failures.</li>
 * </ul>
 * Lines starting with {@code RESULT} carry the figures.
 */
public final class DtlsBench {
    static String identity;
    static byte[] key;
    static InetSocketAddress server;
    static byte[] options;

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            usage("missing mode or URI");
        }
        String mode = args[0];
        URI uri = URI.create(args[1]);
        int clients = 1;
        double duration = 10;
        double warmup = 2;
        int intervalMs = 100;
        boolean rotate = false;
        boolean close = false;
        int flooders = 4;
        String keyText = null;
        for (int i = 2; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--clients" -> clients = Integer.parseInt(need(a, v));
                case "--duration" -> duration = Double.parseDouble(need(a, v));
                case "--warmup" -> warmup = Double.parseDouble(need(a, v));
                case "--identity" -> identity = need(a, v);
                case "--key" -> keyText = need(a, v);
                case "--interval-ms" -> intervalMs = Integer.parseInt(need(a, v));
                case "--flooders" -> flooders = Integer.parseInt(need(a, v));
                case "--rotate" -> {
                    rotate = true;
                    i--;
                }
                case "--close" -> {
                    close = true;
                    i--;
                }
                default -> usage("unknown option " + a);
            }
            i++;
        }
        key = keyText == null ? null : keyText.getBytes(StandardCharsets.US_ASCII);
        server = new InetSocketAddress(uri.getHost(), uri.getPort());
        options = options(uri.getRawPath());
        boolean secure = "coaps".equals(uri.getScheme());
        if (secure && (identity == null || key == null)) {
            usage("coaps needs --identity and --key");
        }
        CoapConfig.register();
        UdpConfig.register();
        DtlsConfig.register();
        switch (mode) {
            case "handshake" -> handshakes(clients, duration, close);
            case "get" -> printGet(uri.toString(), get(secure, clients, warmup, duration, null));
            case "flood" -> flood(uri.toString(), duration, rotate, flooders);
            case "reconnect" -> reconnect(intervalMs, duration);
            default -> usage("unknown mode " + mode);
        }
        System.exit(0);
    }

    // ---------------------------------------------------------------- DTLS client connectors

    static final ExecutorService EXECUTOR = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "dtls-client");
        t.setDaemon(true);
        return t;
    });

    static final java.util.concurrent.ScheduledExecutorService LATER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "later");
        t.setDaemon(true);
        return t;
    });

    static DTLSConnector connector(byte[] pskKey, InetSocketAddress bind, int retransmitMs, int retransmissions,
            BlockingQueue<byte[]> inbox) throws IOException {
        Configuration cfg = Configuration.createStandardWithoutFile();
        cfg.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        cfg.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
        if (retransmitMs > 0) {
            cfg.set(DtlsConfig.DTLS_RETRANSMISSION_TIMEOUT, retransmitMs, TimeUnit.MILLISECONDS);
            cfg.set(DtlsConfig.DTLS_MAX_RETRANSMISSIONS, retransmissions);
        }
        DtlsConnectorConfig c = DtlsConnectorConfig.builder(cfg)
                .setAddress(bind == null ? new InetSocketAddress("127.0.0.1", 0) : bind)
                .set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY)
                .setAdvancedPskStore(new AdvancedSinglePskStore(identity, pskKey))
                .build();
        DTLSConnector d = new DTLSConnector(c);
        d.setExecutor(EXECUTOR);
        d.setRawDataReceiver(raw -> {
            if (inbox != null) {
                inbox.offer(raw.getBytes());
            }
        });
        d.start();
        return d;
    }

    /** Sends bytes; the future completes with the handshake time (ns) once the DTLS context is established. */
    static CompletableFuture<Long> send(DTLSConnector d, byte[] data) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        long t0 = System.nanoTime();
        d.send(RawData.outbound(data, new AddressEndpointContext(server), new MessageCallback() {
            @Override
            public void onConnecting() {
            }

            @Override
            public void onDtlsRetransmission(int flight) {
            }

            @Override
            public void onContextEstablished(EndpointContext context) {
                f.complete(System.nanoTime() - t0);
            }

            @Override
            public void onSent() {
                f.complete(-1L); // no handshake was needed
            }

            @Override
            public void onError(Throwable error) {
                f.completeExceptionally(error);
            }
        }, false));
        return f;
    }

    static final byte[] PING = {0x40, 0x00, 0x00, 0x01}; // CON, empty: a CoAP ping (answered with RST)

    // ---------------------------------------------------------------- (a) handshakes per second

    static void handshakes(int clients, double duration, boolean close) throws Exception {
        long end = System.nanoTime() + (long) (duration * 1e9);
        List<long[]> lats = new ArrayList<>();
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<String> errors = new ArrayList<>();
        Thread[] threads = new Thread[clients];
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            long[][] mine = {new long[1024]};
            int[] n = {0};
            threads[c] = new Thread(() -> {
                while (System.nanoTime() < end) {
                    DTLSConnector d = null;
                    try {
                        d = connector(key, null, 0, 0, null);
                        long ns = send(d, PING).get(30, TimeUnit.SECONDS);
                        ok.incrementAndGet();
                        if (n[0] == mine[0].length) {
                            mine[0] = Arrays.copyOf(mine[0], n[0] * 2);
                        }
                        mine[0][n[0]++] = ns;
                        if (close) {
                            d.close(server); // close_notify; destroyed 100 ms later, when it has surely been sent
                            DTLSConnector closing = d;
                            d = null;
                            LATER.schedule(closing::destroy, 100, TimeUnit.MILLISECONDS);
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        synchronized (errors) {
                            if (errors.size() < 3) {
                                errors.add(String.valueOf(e.getCause() != null ? e.getCause() : e));
                            }
                        }
                    } finally {
                        if (d != null) {
                            d.destroy();
                        }
                    }
                }
                synchronized (lats) {
                    lats.add(Arrays.copyOf(mine[0], n[0]));
                }
            });
            threads[c].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] all = merge(lats);
        System.out.printf(Locale.ROOT,
                "RESULT mode=handshake clients=%d close_notify=%b seconds=%.1f handshakes=%d failed=%d per_s=%.1f p50_ms=%.2f "
                        + "p99_ms=%.2f max_ms=%.2f loadgen_cpu_s=%.1f%n",
                clients, close, seconds, ok.get(), failed.get(), ok.get() / seconds, pct(all, 50), pct(all, 99),
                all.length == 0 ? Double.NaN : all[all.length - 1] / 1e6, cpuSeconds());
        for (String e : errors) {
            System.out.println("# handshake error: " + e);
        }
    }

    // ---------------------------------------------------------------- (b) GET throughput and latency

    /** One request/answer channel: a plain UDP socket or a DTLS session. */
    interface Channel extends AutoCloseable {
        void send(byte[] b) throws IOException;

        /** The next datagram, or null after timeoutMs. */
        byte[] receive(long timeoutMs) throws IOException, InterruptedException;

        @Override
        void close();
    }

    static Channel open(boolean secure) throws Exception {
        if (!secure) {
            DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            s.connect(server);
            byte[] buf = new byte[2048];
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            return new Channel() {
                @Override
                public void send(byte[] b) throws IOException {
                    s.send(new DatagramPacket(b, b.length));
                }

                @Override
                public byte[] receive(long timeoutMs) throws IOException {
                    s.setSoTimeout((int) Math.max(1, timeoutMs));
                    try {
                        in.setLength(buf.length);
                        s.receive(in);
                        return Arrays.copyOf(buf, in.getLength());
                    } catch (SocketTimeoutException e) {
                        return null;
                    }
                }

                @Override
                public void close() {
                    s.close();
                }
            };
        }
        BlockingQueue<byte[]> inbox = new ArrayBlockingQueue<>(64);
        DTLSConnector d = connector(key, null, 0, 0, inbox);
        send(d, PING).get(30, TimeUnit.SECONDS); // the handshake, outside the measured requests
        inbox.poll(2, TimeUnit.SECONDS); // the RST answering the ping
        return new Channel() {
            @Override
            public void send(byte[] b) {
                d.send(RawData.outbound(b, new AddressEndpointContext(server), null, false));
            }

            @Override
            public byte[] receive(long timeoutMs) throws InterruptedException {
                return inbox.poll(timeoutMs, TimeUnit.MILLISECONDS);
            }

            @Override
            public void close() {
                d.destroy();
            }
        };
    }

    static final class GetStats {
        long ok;
        long errors;
        long timeouts;
        long sessions;
        double seconds;
        long[] lat = new long[0];
        final List<String> failures = new ArrayList<>();
    }

    /** Closed-loop GETs by `clients` clients; stops early when `stop` is set (then the window is what ran). */
    static GetStats get(boolean secure, int clients, double warmup, double duration, AtomicBoolean stop)
            throws InterruptedException {
        long start = System.nanoTime();
        long from = start + (long) (warmup * 1e9);
        long end = from + (long) (duration * 1e9);
        GetStats total = new GetStats();
        List<long[]> lats = new ArrayList<>();
        Thread[] threads = new Thread[clients];
        for (int c = 0; c < clients; c++) {
            threads[c] = new Thread(() -> {
                GetStats s = new GetStats();
                long[] lat = new long[1 << 14];
                int n = 0;
                java.util.concurrent.ThreadLocalRandom rnd = java.util.concurrent.ThreadLocalRandom.current();
                byte[] req = new byte[12 + options.length];
                Channel ch = null;
                int mid = 0;
                int used = 60_000;
                try {
                    while (System.nanoTime() < end && (stop == null || !stop.get())) {
                        if (used >= 60_000) {
                            if (ch != null) {
                                ch.close();
                            }
                            ch = open(secure);
                            s.sessions++;
                            mid = rnd.nextInt(65536);
                            used = 0;
                        }
                        mid = (mid + 1) & 0xffff;
                        used++;
                        req[0] = 0x48; // version 1, CON, token length 8
                        req[1] = 0x01; // GET
                        req[2] = (byte) (mid >> 8);
                        req[3] = (byte) mid;
                        long token = rnd.nextLong();
                        for (int i = 0; i < 8; i++) {
                            req[4 + i] = (byte) (token >>> (56 - 8 * i));
                        }
                        System.arraycopy(options, 0, req, 12, options.length);
                        long t0 = System.nanoTime();
                        ch.send(req);
                        int code = await(ch, mid, token, t0 + 2_000_000_000L);
                        long t1 = System.nanoTime();
                        if (t0 < from || t1 > end) {
                            continue;
                        }
                        if (code < 0) {
                            s.timeouts++;
                        } else if (code >> 5 == 2) {
                            s.ok++;
                        } else {
                            s.errors++;
                        }
                        if (code >= 0) {
                            if (n == lat.length) {
                                lat = Arrays.copyOf(lat, n * 2);
                            }
                            lat[n++] = t1 - t0;
                        }
                    }
                } catch (Exception e) {
                    synchronized (total) {
                        total.failures.add(String.valueOf(e.getCause() != null ? e.getCause() : e));
                    }
                } finally {
                    if (ch != null) {
                        ch.close();
                    }
                }
                synchronized (total) {
                    total.ok += s.ok;
                    total.errors += s.errors;
                    total.timeouts += s.timeouts;
                    total.sessions += s.sessions;
                    lats.add(Arrays.copyOf(lat, n));
                }
            }, "get-" + c);
            threads[c].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        total.seconds = (Math.min(System.nanoTime(), end) - from) / 1e9;
        total.lat = merge(lats);
        return total;
    }

    static void printGet(String label, GetStats s) {
        System.out.printf(Locale.ROOT,
                "RESULT mode=get uri=%s seconds=%.1f requests=%d throughput=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f "
                        + "errors=%d timeouts=%d sessions=%d loadgen_cpu_s=%.1f%n",
                label, s.seconds, s.ok + s.errors, (s.ok + s.errors) / s.seconds, pct(s.lat, 50), pct(s.lat, 99),
                s.lat.length == 0 ? Double.NaN : s.lat[s.lat.length - 1] / 1e6, s.errors, s.timeouts, s.sessions,
                cpuSeconds());
        for (String f : s.failures) {
            System.out.println("# client failed: " + f);
        }
    }

    /** The answer's code, or -1 when nothing matching arrived before the deadline. */
    static int await(Channel ch, int mid, long token, long deadline) throws Exception {
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return -1;
            }
            byte[] b = ch.receive(left);
            if (b == null) {
                return -1;
            }
            if (b.length < 4 || (b[0] & 0xc0) != 0x40) {
                continue;
            }
            int type = (b[0] >> 4) & 3;
            int tkl = b[0] & 0x0f;
            int code = b[1] & 0xff;
            int rmid = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
            boolean ourToken = tkl == 8 && b.length >= 12 && tokenOf(b) == token;
            if (type == 2 && rmid == mid && code != 0 && ourToken) {
                return code;
            }
            if (type == 3 && rmid == mid) {
                return 0xa0;
            }
            if ((type == 0 || type == 1) && ourToken && code != 0) {
                if (type == 0) {
                    ch.send(new byte[] {0x60, 0, b[2], b[3]});
                }
                return code;
            }
        }
    }

    static long tokenOf(byte[] b) {
        long t = 0;
        for (int i = 0; i < 8; i++) {
            t = (t << 8) | (b[4 + i] & 0xff);
        }
        return t;
    }

    // ---------------------------------------------------------------- (c) wrong-key flood

    static void flood(String label, double phase, boolean rotate, int parallel) throws Exception {
        // the good client uses the owner key (--key); the flooder the same identity with another key
        byte[] wrongKey = new StringBuilder(new String(key, StandardCharsets.US_ASCII)).reverse().append('x')
                .toString().getBytes(StandardCharsets.US_ASCII);

        GetStats before = get(true, 1, 5, phase, null); // 5 s warm-up (JIT) first
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong attempts = new AtomicLong();
        AtomicLong timeouts = new AtomicLong();
        AtomicLong otherErrors = new AtomicLong();
        AtomicLong completed = new AtomicLong();
        long[] blockedAfter = {-1};
        InetSocketAddress[] floodPort = {null};
        List<String> errs = new ArrayList<>();
        AtomicLong wrongKeyFailures = new AtomicLong();
        Runnable flood = () -> {
            InetSocketAddress bind = new InetSocketAddress("127.0.0.1", 0);
            long t0 = System.nanoTime();
            int consecutiveUnanswered = 0;
            while (!stop.get()) {
                DTLSConnector d = null;
                try {
                    // a new connector for every attempt: on the same port, or (rotate) on a new one. 50 ms to answer
                    // a flight, one retransmission: a new handshake as soon as one stalls
                    d = connector(wrongKey, bind, 50, 1, null);
                    if (!rotate) {
                        synchronized (floodPort) {
                            if (floodPort[0] == null) {
                                floodPort[0] = d.getAddress();
                            }
                        }
                        bind = floodPort[0];
                    }
                    attempts.incrementAndGet();
                    send(d, PING).get(10, TimeUnit.SECONDS);
                    completed.incrementAndGet(); // must not happen with a wrong key
                } catch (Exception e) {
                    String m = String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e);
                    if (m.contains("flight 1 failed")) { // not even the ClientHello was answered
                        timeouts.incrementAndGet();
                        if (++consecutiveUnanswered == 3 && blockedAfter[0] < 0 && !rotate) {
                            blockedAfter[0] = attempts.get() - 3;
                            System.out.printf(Locale.ROOT, "# flooder %s: no answer to ClientHello after attempt %d"
                                    + " (%.1f s into the flood)%n", floodPort[0], blockedAfter[0],
                                    (System.nanoTime() - t0) / 1e9);
                        }
                    } else if (m.contains("Wrong PSK")) { // full handshake; the server ignored our Finished
                        wrongKeyFailures.incrementAndGet();
                        consecutiveUnanswered = 0;
                    } else {
                        otherErrors.incrementAndGet();
                        consecutiveUnanswered = 0;
                    }
                    synchronized (errs) {
                        if (errs.size() < 4 && errs.stream().noneMatch(x -> x.equals(m))) {
                            errs.add(m);
                        }
                    }
                } finally {
                    if (d != null) {
                        d.destroy();
                    }
                }
            }
        };
        // one port: one flooder; new ports: 4 (--flooders) in parallel (a stalled handshake costs the client 150 ms)
        Thread[] flooders = new Thread[rotate ? parallel : 1];
        for (int i = 0; i < flooders.length; i++) {
            flooders[i] = new Thread(flood, "flooder-" + i);
            flooders[i].start();
        }
        GetStats during = get(true, 1, 0, phase, null);
        stop.set(true);
        for (Thread t : flooders) {
            t.join();
        }
        GetStats after = get(true, 1, 0, phase, null);
        // and can a new client still get in (a new port, a full handshake)?
        String newClient;
        DTLSConnector probe = null;
        try {
            probe = connector(key, null, 0, 0, null);
            newClient = String.format(Locale.ROOT, "ok_in_%.0f_ms", send(probe, PING).get(30, TimeUnit.SECONDS) / 1e6);
        } catch (Exception e) {
            newClient = "failed:" + String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e)
                    .replace(' ', '_');
        } finally {
            if (probe != null) {
                probe.destroy();
            }
        }
        printGet(label + "#alone", before);
        printGet(label + "#during-flood", during);
        printGet(label + "#after-flood", after);
        System.out.printf(Locale.ROOT,
                "RESULT mode=flood ports=%s attempts=%d per_s=%.1f wrong_key=%d unanswered=%d other_errors=%d "
                        + "completed=%d blocked_after_attempt=%d new_client_after=%s%n",
                rotate ? "rotating" : String.valueOf(floodPort[0]), attempts.get(), attempts.get() / phase,
                wrongKeyFailures.get(), timeouts.get(), otherErrors.get(), completed.get(), blockedAfter[0], newClient);
        for (String e : errs) {
            System.out.println("# flooder error: " + e);
        }
    }

    // ---------------------------------------------------------------- (d) reconnect every interval

    static void reconnect(int intervalMs, double duration) throws Exception {
        long start = System.nanoTime();
        long end = start + (long) (duration * 1e9);
        long next = start;
        int ok = 0;
        int failed = 0;
        long[] lat = new long[(int) (duration * 1000 / intervalMs) + 16];
        List<String> errs = new ArrayList<>();
        while (System.nanoTime() < end) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
            }
            next += intervalMs * 1_000_000L;
            BlockingQueue<byte[]> inbox = new ArrayBlockingQueue<>(16);
            DTLSConnector d = null;
            try {
                d = connector(key, null, 0, 0, inbox);
                long t0 = System.nanoTime();
                byte[] req = new byte[12 + options.length];
                req[0] = 0x48;
                req[1] = 0x01;
                int mid = ok + failed;
                req[2] = (byte) (mid >> 8);
                req[3] = (byte) mid;
                long token = java.util.concurrent.ThreadLocalRandom.current().nextLong();
                for (int i = 0; i < 8; i++) {
                    req[4 + i] = (byte) (token >>> (56 - 8 * i));
                }
                System.arraycopy(options, 0, req, 12, options.length);
                send(d, req).get(10, TimeUnit.SECONDS);
                DTLSConnector dd = d;
                Channel ch = new Channel() {
                    @Override
                    public void send(byte[] b) {
                        dd.send(RawData.outbound(b, new AddressEndpointContext(server), null, false));
                    }

                    @Override
                    public byte[] receive(long timeoutMs) throws InterruptedException {
                        return inbox.poll(timeoutMs, TimeUnit.MILLISECONDS);
                    }

                    @Override
                    public void close() {
                    }
                };
                int code = await(ch, mid & 0xffff, token, System.nanoTime() + 5_000_000_000L);
                if (code >> 5 == 2) {
                    lat[ok++] = System.nanoTime() - t0;
                } else {
                    failed++;
                    errs.add(code < 0 ? "no answer to GET" : "answer code " + (code >> 5) + "." + (code & 31));
                }
            } catch (Exception e) {
                failed++;
                if (errs.size() < 5) {
                    errs.add(String.valueOf(e.getCause() != null ? e.getCause() : e));
                }
            } finally {
                if (d != null) {
                    d.destroy(); // gone without close_notify: the server keeps the connection until it is stale
                }
            }
        }
        long[] l = Arrays.copyOf(lat, ok);
        Arrays.sort(l);
        System.out.printf(Locale.ROOT,
                "RESULT mode=reconnect interval_ms=%d seconds=%.1f ok=%d failed=%d handshake_get_p50_ms=%.2f "
                        + "p99_ms=%.2f max_ms=%.2f%n",
                intervalMs, (System.nanoTime() - start) / 1e9, ok, failed, pct(l, 50), pct(l, 99),
                l.length == 0 ? Double.NaN : l[l.length - 1] / 1e6);
        for (int i = 0; i < Math.min(5, errs.size()); i++) {
            System.out.println("# reconnect error: " + errs.get(i));
        }
    }

    // ---------------------------------------------------------------- helpers

    static long[] merge(List<long[]> parts) {
        int total = 0;
        for (long[] p : parts) {
            total += p.length;
        }
        long[] all = new long[total];
        int k = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, all, k, p.length);
            k += p.length;
        }
        Arrays.sort(all);
        return all;
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    static double cpuSeconds() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean b ? b.getProcessCpuTime() / 1e9 : Double.NaN;
    }

    /** Uri-Path options (segments shorter than 13 bytes, as /oic/d). */
    static byte[] options(String path) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int delta = 11;
        for (String seg : path == null ? new String[0] : path.split("/")) {
            if (seg.isEmpty()) {
                continue;
            }
            byte[] v = seg.getBytes(StandardCharsets.UTF_8);
            if (v.length > 12) {
                usage("path segments longer than 12 bytes are not supported");
            }
            out.write(delta << 4 | v.length);
            out.writeBytes(v);
            delta = 0;
        }
        return out.toByteArray();
    }

    static String need(String option, String value) {
        if (value == null) {
            usage(option + " needs a value");
        }
        return value;
    }

    static void usage(String why) {
        System.err.println("dtls-bench: " + why);
        System.err.println("usage: java -cp JARS bench/src/DtlsBench.java handshake|get|flood|reconnect URI"
                + " [--identity ID --key KEY] [--clients N] [--duration S] [--warmup S] [--interval-ms MS] [--rotate] [--flooders N] [--close]");
        System.exit(2);
    }
}
