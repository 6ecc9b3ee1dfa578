package org.ocfupdate.provider.hawkbit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.ocfupdate.pstat.api.provider.FetchRequest;
import org.ocfupdate.pstat.api.provider.OfferRequest;
import org.ocfupdate.pstat.api.provider.ProviderContext;
import org.ocfupdate.pstat.api.provider.UpdateOffer;

import com.sun.net.httpserver.HttpServer;

/**
 * bench/hawkbit.sh: the hawkBit provider against a DDI server in this process (JDK HttpServer answering as hawkBit
 * does). 1) Polling cost: POLLS polls through a TCP proxy that counts the bytes on the wire both ways, once with the
 * server's ETag (304s) and once without (200s). 2) The provider's retained heap after those polls. 3) Download: the
 * provider's fetch of a SIZE_MB artifact (with its SHA-256 check) and curl from the same server, RUNS times each.
 * Compiled into the provider's package because the provider is internal to its bundle.
 */
public final class HawkbitBench {
    static final String CID = "bench-gw";
    static final String BASE = "/DEFAULT/controller/v1/" + CID;
    static volatile boolean etag = true;
    static volatile boolean deployment;
    static Path artifact;
    static String sha256;

    public static void main(String[] args) throws Exception {
        int polls = Integer.parseInt(args[0]);
        int runs = Integer.parseInt(args[1]);
        artifact = Path.of(args[2]);
        Path work = Path.of(args[3]);
        sha256 = HexFormat.of().formatHex(digest(artifact));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setExecutor(Executors.newCachedThreadPool());
        AtomicInteger served = new AtomicInteger();
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            if (path.equals(BASE)) {
                served.incrementAndGet();
                // a real hawkBit's root for an idle target that installed once (installedBase link)
                String links = deployment ? "{\"deploymentBase\":{\"href\":\"http://127.0.0.1:"
                        + ex.getLocalAddress().getPort() + BASE + "/deploymentBase/5?c=-2127183556\"}}"
                        : "{\"installedBase\":{\"href\":\"http://127.0.0.1:" + ex.getLocalAddress().getPort()
                                + BASE + "/installedBase/4\"}}";
                byte[] body = ("{\"config\":{\"polling\":{\"sleep\":\"00:00:00\"}},\"_links\":" + links + "}")
                        .getBytes();
                String tag = "\"" + Integer.toHexString(new String(body).hashCode()) + "\"";
                if (etag) {
                    ex.getResponseHeaders().set("ETag", tag);
                    if (tag.equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
                        ex.sendResponseHeaders(304, -1);
                        ex.close();
                        return;
                    }
                }
                ex.getResponseHeaders().set("Content-Type", "application/hal+json");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            } else if (path.equals(BASE + "/deploymentBase/5")) {
                byte[] body = ("{\"id\":\"5\",\"deployment\":{\"download\":\"forced\",\"update\":\"forced\",\"chunks\":"
                        + "[{\"part\":\"os\",\"version\":\"9.9.9\",\"name\":\"gw\",\"artifacts\":[{\"filename\":"
                        + "\"p.zip\",\"hashes\":{\"sha256\":\"" + sha256 + "\"},\"size\":" + Files.size(artifact)
                        + ",\"_links\":{\"download-http\":{\"href\":\"http://127.0.0.1:"
                        + ex.getLocalAddress().getPort() + BASE + "/softwaremodules/1/artifacts/p.zip\"}}}]}]}}")
                        .getBytes();
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            } else if (path.equals(BASE + "/softwaremodules/1/artifacts/p.zip")) {
                ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                ex.sendResponseHeaders(200, Files.size(artifact));
                try (OutputStream out = ex.getResponseBody()) {
                    Files.copy(artifact, out);
                }
            } else if (path.endsWith("/feedback")) {
                ex.getRequestBody().readAllBytes();
                ex.sendResponseHeaders(200, -1);
            } else {
                ex.sendResponseHeaders(404, -1);
            }
            ex.close();
        });
        server.start();
        int port = server.getAddress().getPort();
        Proxy proxy = new Proxy(port);
        var memory = ManagementFactory.getMemoryMXBean();

        // 1) and 2) polling cost and retained heap
        for (boolean withEtag : new boolean[] {true, false}) {
            etag = withEtag;
            proxy.up.set(0);
            proxy.down.set(0);
            served.set(0);
            gc();
            long before = memory.getHeapMemoryUsage().getUsed();
            Settings s = settings(proxy.port(), work.resolve(withEtag ? "poll-etag" : "poll-plain"));
            HawkbitProvider p = new HawkbitProvider(s, device(), new DdiClient(s), Map.of("platform", "bench"));
            p.start();
            while (served.get() < polls + 1) {
                Thread.sleep(5);
            }
            gc();
            long retained = memory.getHeapMemoryUsage().getUsed() - before;
            p.stop();
            // the first poll is the 200 that carries the ETag: count the steady state after it
            System.out.printf("polls %s ETag: %d polls, %.0f bytes up, %.0f bytes down per poll "
                    + "(HTTP/1.1 on the wire, without TLS); provider heap retained %+.1f MB%n",
                    withEtag ? "with" : "without", served.get(), (double) proxy.up.get() / served.get(),
                    (double) proxy.down.get() / served.get(), retained / 1e6);
        }

        // 3) download: provider vs curl, same server, same file
        etag = true;
        deployment = true;
        // polls once a second meanwhile, not every 20 ms
        Settings s = settings(port, work.resolve("download"), Duration.ofSeconds(1));
        HawkbitProvider p = new HawkbitProvider(s, device(), new DdiClient(s), Map.of());
        AtomicInteger news = new AtomicInteger();
        p.attach(new ProviderContext() {
            @Override
            public void offerMayHaveChanged() {
                news.incrementAndGet();
            }

            @Override
            public boolean cancel(String reason) {
                return false;
            }
        });
        p.start();
        while (news.get() == 0) {
            Thread.sleep(5);
        }
        UpdateOffer offer = p.offer(offerRequest()).orElseThrow();
        URI url = offer.location();
        long size = Files.size(artifact);
        Path target = work.resolve("staged.zip");
        for (int run = 1; run <= runs; run++) {
            Files.deleteIfExists(target);
            ProcessBuilder curl = new ProcessBuilder("curl", "-s", "-o", work.resolve("curl.out").toString(), "-w",
                    "%{speed_download} %{time_total}", url.toString()).redirectErrorStream(true);
            Process c = curl.start();
            String out = new String(c.getInputStream().readAllBytes()).trim();
            c.waitFor();
            String[] f = out.split(" ");
            System.out.printf("curl run %d: %.0f ms, %.0f MB/s%n", run, Double.parseDouble(f[1]) * 1000,
                    Double.parseDouble(f[0]) / 1e6);
            Files.deleteIfExists(work.resolve("curl.out"));
            gc();
            long base = memory.getHeapMemoryUsage().getUsed();
            AtomicLong peak = new AtomicLong(base);
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.setDaemon(true);
            sampler.start();
            long t0 = System.nanoTime();
            p.fetch(fetchRequest(offer, target));
            long ns = System.nanoTime() - t0;
            sampler.interrupt();
            System.out.printf("provider run %d: %d ms, %.0f MB/s (download and SHA-256 check), heap peak %+.1f MB%n",
                    run, ns / 1_000_000, size / 1e6 / (ns / 1e9), (peak.get() - base) / 1e6);
        }
        p.stop();
        server.stop(0);
        proxy.close();
        System.exit(0);
    }

    static void gc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
    }

    static byte[] digest(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] b = new byte[1 << 20];
            for (int n; (n = in.read(b)) > 0;) {
                md.update(b, 0, n);
            }
        }
        return md.digest();
    }

    static Settings settings(int port, Path data) {
        return settings(port, data, Duration.ofMillis(20));
    }

    static Settings settings(int port, Path data, Duration minSleep) {
        return new Settings(URI.create("http://127.0.0.1:" + port), "DEFAULT", CID, "GatewayToken "
                + "0123456789abcdef0123456789abcdef", null, minSleep, Duration.ofSeconds(1),
                Duration.ofSeconds(5), Duration.ofSeconds(30), data, "ocf-update-gateway");
    }

    static Device device() {
        return new Device() {
            @Override
            public String di() {
                return CID;
            }

            @Override
            public String runningVersion() {
                return "1.0.0";
            }

            @Override
            public boolean installing() {
                return false;
            }
        };
    }

    static OfferRequest offerRequest() {
        return new OfferRequest() {
            @Override
            public String runningVersion() {
                return "1.0.0";
            }

            @Override
            public Optional<URI> location() {
                return Optional.empty();
            }

            @Override
            public boolean wasRefused(String version, String sha) {
                return false;
            }

            @Override
            public boolean isCancelled() {
                return false;
            }

            @Override
            public void verify(byte[] data, byte[] signature) {
            }
        };
    }

    static FetchRequest fetchRequest(UpdateOffer offer, Path target) {
        return new FetchRequest() {
            @Override
            public UpdateOffer offer() {
                return offer;
            }

            @Override
            public Path target() {
                return target;
            }

            @Override
            public void progress(long bytes, long total) {
            }

            @Override
            public boolean isCancelled() {
                return false;
            }
        };
    }

    /** A TCP proxy to the server counting the bytes each way. */
    static final class Proxy implements AutoCloseable {
        final AtomicLong up = new AtomicLong();
        final AtomicLong down = new AtomicLong();
        private final ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        private final List<Socket> open = new ArrayList<>();

        Proxy(int target) throws IOException {
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket in = socket.accept();
                        Socket out = new Socket("127.0.0.1", target);
                        pump(in, out, up);
                        pump(out, in, down);
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "proxy");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private static void pump(Socket from, Socket to, AtomicLong count) {
            Thread t = new Thread(() -> {
                byte[] b = new byte[8192];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    for (int n; (n = in.read(b)) > 0;) {
                        count.addAndGet(n);
                        out.write(b, 0, n);
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
