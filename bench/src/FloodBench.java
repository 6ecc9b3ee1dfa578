import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;

/**
 * Unauthenticated plain-CoAP flood from many source ports, with the owner's DTLS GETs measured during it
 * (issue 12, item 9), run by {@code bench/flood.sh}:
 *
 * <pre>
 * java -cp JARS bench/src/FloodBench.java coap://H:P coaps://H:SP/oic/sec/pstat --identity ID --key KEY
 *                                          [--ports 60000] [--first-port 2000] [--threads 4] [--owner-interval-ms 100]
 * </pre>
 *
 * Every source port (bound explicitly, one after the other: {@code --first-port} upwards, ports in use skipped)
 * sends three confirmable requests and closes without reading the answers: a Block1 POST of /oic/sec/pstat (block
 * 0 of 1024 bytes, more to come: what made Californium keep a buffer before access control), a GET of /oic/d (an
 * exchange for duplicate detection) and a GET of /oic/res (a representation larger than one block: a Block2
 * transfer). Meanwhile one owner client (own DTLS session) GETs the coaps URI every interval; prints its answered
 * and failed GETs and latencies. Lines starting with {@code RESULT} carry the figures.
 */
public final class FloodBench {
    public static void main(String[] args) throws Exception {
        URI plain = URI.create(args[0]);
        URI secure = URI.create(args[1]);
        String identity = null;
        String key = null;
        int ports = 60_000;
        int firstPort = 2000;
        int threads = 4;
        int ownerInterval = 100;
        for (int i = 2; i < args.length; i += 2) {
            switch (args[i]) {
                case "--identity" -> identity = args[i + 1];
                case "--key" -> key = args[i + 1];
                case "--ports" -> ports = Integer.parseInt(args[i + 1]);
                case "--first-port" -> firstPort = Integer.parseInt(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--owner-interval-ms" -> ownerInterval = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        InetSocketAddress target = new InetSocketAddress(plain.getHost(), plain.getPort());
        byte[][] requests = {
            request(2, "oic/sec/pstat", true), request(1, "oic/d", false), request(1, "oic/res", false) };

        CoapConfig.register();
        UdpConfig.register();
        DtlsConfig.register();
        Configuration cfg = Configuration.createStandardWithoutFile();
        DTLSConnector dtls = new DTLSConnector(DtlsConnectorConfig.builder(cfg)
                .set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY)
                .setAdvancedPskStore(new AdvancedSinglePskStore(identity, key.getBytes()))
                .build());
        CoapEndpoint ownerEndpoint = new CoapEndpoint.Builder().setConfiguration(cfg).setConnector(dtls).build();
        CoapClient owner = new CoapClient(secure).setEndpoint(ownerEndpoint).setTimeout(5000L);
        CoapResponse first = owner.get();
        if (first == null || !first.isSuccess()) {
            throw new IllegalStateException("owner GET before the flood failed: " + first);
        }

        AtomicInteger nextPort = new AtomicInteger(firstPort);
        AtomicInteger sentPorts = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        int wanted = ports;
        long start = System.nanoTime();
        List<Thread> flooders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                while (sentPorts.get() < wanted) {
                    int port = nextPort.getAndIncrement();
                    if (port > 65535) {
                        return;
                    }
                    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(target.getAddress(), port))) {
                        for (byte[] r : requests) {
                            byte[] copy = r.clone();
                            int mid = ThreadLocalRandom.current().nextInt(65536);
                            copy[2] = (byte) (mid >> 8);
                            copy[3] = (byte) mid;
                            s.send(new DatagramPacket(copy, copy.length, target));
                        }
                        sentPorts.incrementAndGet();
                    } catch (BindException e) {
                        skipped.incrementAndGet();
                    } catch (Exception e) {
                        skipped.incrementAndGet();
                    }
                }
            }, "flood-" + t);
            th.start();
            flooders.add(th);
        }

        List<Double> latencies = new ArrayList<>();
        int failed = 0;
        boolean flooding = true;
        while (flooding) {
            flooding = flooders.stream().anyMatch(Thread::isAlive);
            long t0 = System.nanoTime();
            CoapResponse r = owner.get();
            double ms = (System.nanoTime() - t0) / 1e6;
            if (r != null && r.isSuccess()) {
                latencies.add(ms);
            } else {
                failed++;
            }
            Thread.sleep(ownerInterval);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        latencies.sort(null);
        System.out.printf(Locale.ROOT,
                "RESULT ports=%d skipped=%d seconds=%.1f datagrams_per_s=%.0f owner_ok=%d owner_failed=%d "
                        + "owner_p50_ms=%.2f owner_p99_ms=%.2f owner_max_ms=%.2f%n",
                sentPorts.get(), skipped.get(), seconds, sentPorts.get() * 3 / seconds, latencies.size(), failed,
                pct(latencies, 50), pct(latencies, 99), latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() - 1));
        owner.shutdown();
        ownerEndpoint.destroy();
    }

    static double pct(List<Double> sorted, int p) {
        return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
    }

    /** A CON request (code 0.01 GET or 0.02 POST), 4-byte token, Uri-Path; the POST with Block1 0/M/1024 bytes. */
    static byte[] request(int code, String path, boolean block1) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.write(0x44); // version 1, CON, token length 4
        b.write(code);
        b.write(0);
        b.write(0);
        byte[] token = new byte[4];
        ThreadLocalRandom.current().nextBytes(token);
        b.writeBytes(token);
        int last = 0;
        for (String segment : path.split("/")) {
            last = option(b, last, 11, segment.getBytes());
        }
        if (block1) {
            last = option(b, last, 12, new byte[] {0x27, 0x10}); // content-format 10000
            last = option(b, last, 27, new byte[] {0x0e}); // Block1: num 0, M, szx 6 (1024)
            b.write(0xff);
            b.writeBytes(new byte[1024]);
        }
        return b.toByteArray();
    }

    static int option(java.io.ByteArrayOutputStream b, int last, int number, byte[] value) {
        int delta = number - last;
        int len = value.length;
        int dn = delta < 13 ? delta : 13;
        int ln = len < 13 ? len : 13;
        b.write(dn << 4 | ln);
        if (dn == 13) {
            b.write(delta - 13);
        }
        if (ln == 13) {
            b.write(len - 13);
        }
        b.writeBytes(value);
        return number;
    }
}
