package org.ocfupdate.gateway.internal;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.wiring.BundleWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Links, before the framework stops, the classes the bundles loaded but never linked, when this start records the
 * class-data archive ({@code -Dgateway.cds.recording=true} next to {@code -XX:ArchiveClassesAtExit}, set by the
 * launchers). Java 17's dynamic archive holds only linked classes of class loaders other than the JDK's own, and it
 * links at exit only the JDK loaders' ones; of the classes a start loads through the bundles' loaders ~800 are loaded
 * but not linked (log4j2's plugins, Jackson's annotations and introspection, ...), so every later start read and
 * parsed them again (docs/benchmarks.md, "Start-up, sixth round").
 *
 * <p>Which classes a loader has loaded is only known to {@code ClassLoader.findLoadedClass}, which is protected: the
 * recording start opens {@code java.lang} for it ({@code --add-opens java.base/java.lang=ALL-UNNAMED}). Asking for a
 * class's public fields makes the JVM link it without initialising it (no static initialiser runs); unlike its
 * declared fields, it loads few other classes (only the types of public fields) that a normal start would not load.
 */
final class ClassDataRecording {
    static final String PROPERTY = "gateway.cds.recording";
    private static final Logger LOG = LoggerFactory.getLogger(ClassDataRecording.class);

    private ClassDataRecording() {
    }

    /**
     * Does nothing unless this start records the archive. Runtime exceptions and linkage errors stay in here (logged,
     * or the class skipped): the framework's stop comes next.
     */
    static void linkLoadedClasses(Bundle system) {
        if (!Boolean.getBoolean(PROPERTY)) {
            return;
        }
        try {
            link(system.getBundleContext().getBundles());
        } catch (RuntimeException e) { // e.g. the framework stopping already (no bundle context)
            LOG.warn("Class-data archive: the bundles' classes were not linked: {}", e.toString());
        }
    }

    private static void link(Bundle[] bundles) {
        Method findLoaded;
        try {
            findLoaded = ClassLoader.class.getDeclaredMethod("findLoadedClass", String.class);
            findLoaded.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("{} is set without --add-opens java.base/java.lang=ALL-UNNAMED: the class-data archive holds only"
                    + " the classes linked during this run ({})", PROPERTY, e.toString());
            return;
        }
        long start = System.nanoTime();
        // all loaded classes first, then link them: a class that only linking loads (a field's type) stays out of the
        // archive, as it stays out of a normal start
        List<Class<?>> loaded = new ArrayList<>();
        for (Bundle b : bundles) {
            BundleWiring wiring = b.adapt(BundleWiring.class);
            ClassLoader loader = wiring == null ? null : wiring.getClassLoader();
            if (loader == null) {
                continue; // not resolved, or a fragment
            }
            for (String resource : wiring.listResources("/", "*.class",
                    BundleWiring.LISTRESOURCES_RECURSE | BundleWiring.LISTRESOURCES_LOCAL)) {
                String name = resource.substring(0, resource.length() - ".class".length()).replace('/', '.');
                try {
                    if (findLoaded.invoke(loader, name) instanceof Class<?> c) {
                        loaded.add(c);
                    }
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // not asked: the archive goes without it
                }
            }
        }
        int linked = 0;
        for (Class<?> c : loaded) {
            try {
                // links (and verifies) the class; only public fields get a Field, so few field types are loaded
                c.getFields();
                linked++;
            } catch (LinkageError | RuntimeException e) {
                // a class whose verification or field types fail: the archive simply goes without it
            }
        }
        LOG.info("Class-data archive: linked {} classes the bundles had loaded, in {} ms, so that it holds them",
                linked, (System.nanoTime() - start) / 1_000_000);
    }
}
