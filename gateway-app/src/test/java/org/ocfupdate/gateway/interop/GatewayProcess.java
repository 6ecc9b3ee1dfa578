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
    private static final Pattern READY = Pattern.compile("Gateway ready: coap \\S*:(\\d+)");

    public final Path home;
    private final List<String> extraArgs;
    private Process process;
    private Path log;
    private int port;

    public GatewayProcess(Path home, String... jvmArgs) {
        this.home = home;
        this.extraArgs = List.of(jvmArgs);
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

    public GatewayProcess start() throws Exception {
        launch();
        port = awaitReady(60);
        return this;
    }

    /** Starts the process without waiting for it to be ready (for tests of a start that must fail). */
    public GatewayProcess launch() throws Exception {
        if (!Files.exists(home.resolve("etc/org.ocfupdate.coap.cfg"))) {
            coapConfig("host=127.0.0.1\nport=0\nmulticast=false\n");
        }
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Dgateway.home=" + home,
                "-Dorg.osgi.service.http.port=" + freeTcpPort()));
        cmd.addAll(extraArgs);
        cmd.addAll(List.of("-jar", jar().toString()));
        log = home.resolve("gateway-" + System.nanoTime() + ".log");
        process = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(log.toFile()).start();
        return this;
    }

    private int awaitReady(int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            Matcher m = READY.matcher(output());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
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

    public String uri(String path) {
        return "coap://127.0.0.1:" + port + path;
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
