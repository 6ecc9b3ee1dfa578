package org.ocfupdate.gateway.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The gateway's own bundles as an update would bring them (taken from gateway.jar, with another Bundle-Version), and
 * what a stopped gateway's framework storage holds (Felix's {@code data/framework/bundleN/versionX.Y/bundle.jar}).
 */
final class CoreBundles {
    private CoreBundles() {
    }

    /** Writes the bundle embedded in gateway.jar as {@code jar/<artifact>-*.jar}, with Bundle-Version {@code version}. */
    static Path rebuilt(String artifact, String version, Path target) throws IOException {
        try (JarFile gw = new JarFile(GatewayProcess.jar().toFile())) {
            JarEntry e = Collections.list(gw.entries()).stream()
                    .filter(x -> x.getName().startsWith("jar/" + artifact + "-")).findFirst()
                    .orElseThrow(() -> new IOException("no " + artifact + " in gateway.jar"));
            try (JarInputStream in = new JarInputStream(gw.getInputStream(e))) {
                Manifest m = new Manifest(in.getManifest());
                m.getMainAttributes().putValue("Bundle-Version", version);
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (JarOutputStream out = new JarOutputStream(bytes, m)) {
                    for (JarEntry x; (x = in.getNextJarEntry()) != null;) {
                        out.putNextEntry(new JarEntry(x.getName()));
                        in.transferTo(out);
                        out.closeEntry();
                    }
                }
                return Files.write(target, bytes.toByteArray());
            }
        }
    }

    /** The Bundle-Version of the bundle embedded in gateway.jar as {@code jar/<artifact>-*.jar}. */
    static String embedded(String artifact) throws IOException {
        try (JarFile gw = new JarFile(GatewayProcess.jar().toFile())) {
            JarEntry e = Collections.list(gw.entries()).stream()
                    .filter(x -> x.getName().startsWith("jar/" + artifact + "-")).findFirst()
                    .orElseThrow(() -> new IOException("no " + artifact + " in gateway.jar"));
            try (JarInputStream in = new JarInputStream(gw.getInputStream(e))) {
                return in.getManifest().getMainAttributes().getValue("Bundle-Version");
            }
        }
    }

    /** Symbolic name → Bundle-Version of every bundle in a stopped gateway's storage (its newest revision). */
    static Map<String, String> installed(Path home) throws IOException {
        Map<String, String> versions = new TreeMap<>();
        for (Path revision : newestRevisions(home)) {
            try (InputStream in = Files.newInputStream(revision.resolve("bundle.jar"));
                    JarInputStream jar = new JarInputStream(in)) {
                var a = jar.getManifest().getMainAttributes();
                versions.put(a.getValue("Bundle-SymbolicName").split(";")[0].trim(), a.getValue("Bundle-Version"));
            }
        }
        return versions;
    }

    /** How many bundle revisions the storage holds: a start that rewrites bundles makes new ones. */
    static List<String> revisions(Path home) throws IOException {
        List<String> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(home.resolve("data/framework"), 2)) {
            s.filter(p -> p.getFileName().toString().startsWith("version") && Files.exists(p.resolve("bundle.jar")))
                    .forEach(p -> all.add(home.resolve("data/framework").relativize(p).toString()));
        }
        Collections.sort(all);
        return all;
    }

    private static List<Path> newestRevisions(Path home) throws IOException {
        List<Path> newest = new ArrayList<>();
        try (Stream<Path> bundles = Files.list(home.resolve("data/framework"))) {
            for (Path b : bundles.filter(p -> p.getFileName().toString().matches("bundle[1-9]\\d*")).toList()) {
                try (Stream<Path> r = Files.list(b)) {
                    r.filter(p -> p.getFileName().toString().matches("version\\d+\\.\\d+")
                            && Files.exists(p.resolve("bundle.jar")))
                            .max((x, y) -> compare(x.getFileName().toString(), y.getFileName().toString()))
                            .ifPresent(newest::add);
                }
            }
        }
        return newest;
    }

    private static int compare(String a, String b) {
        String[] x = a.substring("version".length()).split("\\.");
        String[] y = b.substring("version".length()).split("\\.");
        int c = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
        return c != 0 ? c : Long.compare(Long.parseLong(x[1]), Long.parseLong(y[1]));
    }
}
