package org.ocfupdate.gateway.interop;

import java.io.IOException;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The exported gateway.jar started as a real process in its own home folder, with standard input closed, on an
 * ephemeral CoAP port (written to etc/org.ocfupdate.coap.cfg before start). Stops with SIGTERM.
 */
public final class GatewayProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("Gateway ready: coap \\S*:(\\d+), coaps \\S*:(\\d+)");
    /** What anyone may read over plain CoAP; everything else is served over DTLS only. */
    static final java.util.Set<String> PUBLIC = java.util.Set.of("/oic/res", "/oic/d", "/oic/p");

    public final Path home;
    private final List<String> extraArgs;
    private Path jar = jar();
    /** Added to the process's environment (e.g. JOURNAL_STREAM, as systemd sets it). */
    public final java.util.Map<String, String> environment = new java.util.HashMap<>();
    private Process process;
    private Path log;
    private int port;
    private int securePort;
    private Owner owner;

    /** The owner's PSK credential from data/credentials/owner.properties. */
    public record Owner(String identity, String key) {
    }

    public GatewayProcess(Path home, String... jvmArgs) {
        this.home = home;
        this.extraArgs = List.of(jvmArgs);
    }

    /** Starts {@code gatewayJar} instead of the build's gateway.jar (an operator installing another one). */
    public GatewayProcess withJar(Path gatewayJar) {
        this.jar = gatewayJar;
        return this;
    }

    public static Path jar() {
        return Paths.get(System.getProperty("gateway.jar", "target/gateway.jar")).toAbsolutePath();
    }

    /** Writes etc/org.ocfupdate.coap.cfg: 127.0.0.1, ephemeral port, no multicast, unless told otherwise. */
    public GatewayProcess coapConfig(String cfg) throws IOException {
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/org.ocfupdate.coap.cfg"), cfg);
        return this;
    }

    /** Writes etc/org.ocfupdate.onboarding.cfg, e.g. {@code ownership=transfer}. */
    public GatewayProcess onboardingConfig(String cfg) throws IOException {
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/org.ocfupdate.onboarding.cfg"), cfg);
        return this;
    }

    public GatewayProcess start() throws Exception {
        launch();
        awaitReady(60);
        Path ownerFile = home.resolve("data/credentials/owner.properties");
        if (!Files.exists(ownerFile) && Files.exists(home.resolve("etc/org.ocfupdate.onboarding.cfg"))) {
            owner = null; // ownership=transfer: an onboarding tool provisions the owner
            return this;
        }
        java.util.Properties p = new java.util.Properties();
        try (var in = Files.newInputStream(ownerFile)) {
            p.load(in);
        }
        owner = new Owner(p.getProperty("identity"), p.getProperty("key"));
        return this;
    }

    /** Starts the process without waiting for it to be ready (for tests of a start that must fail). */
    public GatewayProcess launch() throws Exception {
        if (!Files.exists(home.resolve("etc/org.ocfupdate.coap.cfg"))) {
            coapConfig("host=127.0.0.1\nport=0\nsecurePort=0\nmulticast=false\n");
        }
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Dgateway.home=" + home,
                "-Dorg.osgi.service.http.port=" + freeTcpPort()));
        cmd.addAll(extraArgs);
        cmd.addAll(List.of("-jar", jar.toString()));
        log = home.resolve("gateway-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(log.toFile());
        pb.environment().remove("JOURNAL_STREAM"); // a test run under systemd would otherwise pass it on
        pb.environment().putAll(environment);
        process = pb.start();
        return this;
    }

    private void awaitReady(int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            Matcher m = READY.matcher(output());
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
                securePort = Integer.parseInt(m.group(2));
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("gateway exited with " + process.exitValue() + ":\n" + output());
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("gateway not ready within " + seconds + " s:\n" + output());
    }

    public int port() {
        return port;
    }

    public int securePort() {
        return securePort;
    }

    public Owner owner() {
        return owner;
    }

    /**
     * The URI of {@code path} as the device owner reaches it: {@code coap://} for the public resources, else
     * {@code coaps://IDENTITY:KEY@...}, the owner's PSK in the user info ({@link CoapClientCli} turns it into
     * {@code -u}/{@code -k}).
     */
    public String uri(String path) {
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        return PUBLIC.contains(bare) ? plainUri(path) : secureUri(path, owner.identity(), owner.key());
    }

    /** A Californium client endpoint over DTLS with the owner's PSK (Scandium). */
    public org.eclipse.californium.core.network.CoapEndpoint ownerDtlsEndpoint() {
        return dtlsEndpoint(owner.identity(), owner.key());
    }

    /** A Californium client endpoint over DTLS with a PSK (Scandium). */
    public static org.eclipse.californium.core.network.CoapEndpoint dtlsEndpoint(String identity, String key) {
        org.eclipse.californium.core.config.CoapConfig.register();
        org.eclipse.californium.elements.config.UdpConfig.register();
        org.eclipse.californium.scandium.config.DtlsConfig.register();
        var cfg = org.eclipse.californium.elements.config.Configuration.createStandardWithoutFile();
        var dtls = org.eclipse.californium.scandium.config.DtlsConnectorConfig.builder(cfg)
                .set(org.eclipse.californium.scandium.config.DtlsConfig.DTLS_ROLE,
                        org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole.CLIENT_ONLY)
                .setAdvancedPskStore(new org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore(
                        identity, key.getBytes(StandardCharsets.US_ASCII)))
                .build();
        return new org.eclipse.californium.core.network.CoapEndpoint.Builder().setConfiguration(cfg)
                .setConnector(new org.eclipse.californium.scandium.DTLSConnector(dtls)).build();
    }

    /** Plain CoAP, whatever the path. */
    public String plainUri(String path) {
        return "coap://127.0.0.1:" + port + path;
    }

    /** CoAP over DTLS with a PSK identity and key (null: none). */
    public String secureUri(String path, String identity, String key) {
        return "coaps://" + (identity == null ? "" : identity + ":" + key + "@") + "127.0.0.1:" + securePort + path;
    }

    public Process process() {
        return process;
    }

    public String output() throws IOException {
        return log == null ? "" : Files.readString(log, StandardCharsets.UTF_8);
    }

    /** SIGTERM, then waits; returns the exit code. */
    public int stop() throws Exception {
        if (process == null) {
            return -1;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        return process.exitValue();
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    static String javaBin() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freeTcpPort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
