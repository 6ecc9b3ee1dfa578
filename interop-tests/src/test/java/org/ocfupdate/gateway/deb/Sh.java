package org.ocfupdate.gateway.deb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command to its end; its output (stdout and stderr together) and exit code. */
record Sh(int code, String out) {
    static Sh run(String... cmd) throws IOException, InterruptedException {
        return run(Map.of(), cmd);
    }

    static Sh run(Map<String, String> env, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not end");
        }
        return new Sh(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    Sh ok(String what) {
        if (code != 0) {
            throw new AssertionError(what + " failed with exit code " + code + ":\n" + out);
        }
        return this;
    }

    static long uid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return Long.parseLong(line.split("\\s+")[1]);
            }
        }
        return -1;
    }

    static List<String> lines(String text) {
        return text.lines().filter(l -> !l.isBlank()).toList();
    }
}
