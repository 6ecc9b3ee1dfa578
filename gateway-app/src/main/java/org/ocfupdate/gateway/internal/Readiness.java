package org.ocfupdate.gateway.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.ocfupdate.gateway.internal.systemd.SdNotify;
import org.ocfupdate.gateway.launch.Main;
import org.ocfupdate.pstat.api.CoapEndpoints;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator when the gateway is ready (its CoAP endpoint answers {@code /oic/res}) and, when a gateway
 * component cannot start (a CoAP port taken, a corrupt state file), says why and stops the process with exit
 * code 1 instead of running half a gateway. Exiting is on only in gateway.jar ({@code gateway.exitOnFailure}).
 */
@Component(immediate = true)
public class Readiness {
    private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);
    private static final long GIVE_UP_MS = 60_000;

    private final BundleContext context;
    private final ServiceComponentRuntime scr;
    private final boolean exitOnFailure;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "ocf-readiness"));
    private final long started = System.currentTimeMillis();

    @Activate
    public Readiness(BundleContext context, @Reference ServiceComponentRuntime scr) {
        this.context = context;
        this.scr = scr;
        this.exitOnFailure = Boolean.parseBoolean(context.getProperty("gateway.exitOnFailure"));
        timer.scheduleWithFixedDelay(this::check, 0, 50, TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
    }

    private void check() {
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (!d.bundle.symbolicName.startsWith("org.ocfupdate.")) {
                continue;
            }
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                    fail(d.name + " failed to start: " + firstLine(c.failure));
                    return;
                }
            }
        }
        var ref = context.getServiceReference(CoapEndpoints.class);
        // an installation interrupted by the last stop is being rolled back (update-engine's Handover, a CompletionStage
        // service of the system bundle): ready once the gateway runs what it will keep running
        if (ref != null && !installing()) {
            CoapEndpoints eps = context.getService(ref);
            if (eps != null) {
                long jvm = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
                LOG.info("Gateway ready: coap {}, coaps {} ({} ms after JVM start)", eps.coap(), eps.coaps(), jvm);
                SdNotify.notify("READY=1"); // systemd's Type=notify: started at the same moment
                rememberOrigin();
                context.ungetService(ref);
                timer.shutdown();
                return;
            }
        }
        if (System.currentTimeMillis() - started > GIVE_UP_MS) {
            fail("the CoAP server did not start within " + GIVE_UP_MS / 1000 + " s");
        }
    }

    private boolean installing() {
        try {
            var running = context.getServiceReferences(java.util.concurrent.CompletionStage.class.getName(),
                    "(org.ocfupdate.installation=running)");
            return running != null && running.length > 0;
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e); // a constant filter
        }
    }

    /**
     * The bundles of this gateway.jar are installed and the gateway runs: the next start keeps the installed bundles
     * instead of installing the embedded ones again (launch.Main).
     */
    private void rememberOrigin() {
        String id = context.getProperty("gateway.jar.id");
        String data = context.getProperty("gateway.data"); // set by launch.Main with gateway.jar.id
        if (id == null || data == null) {
            return;
        }
        Path file = Path.of(data, Main.ORIGIN);
        Path tmp = file.resolveSibling(Main.ORIGIN + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(("# the gateway.jar whose bundles this framework storage holds\nid=" + id + "\n")
                    .getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            System.clearProperty("gateway.jar.id");
        } catch (IOException e) {
            LOG.warn("Cannot write {} ({}): the next start installs gateway.jar's bundles again", file, e.getMessage());
        }
    }

    private void fail(String why) {
        LOG.error("Gateway cannot start: {}", why);
        timer.shutdown();
        if (exitOnFailure) {
            System.err.println("gateway: " + why);
            FrameworkShutdownHook.exitStatus = 1;
            new Thread(() -> System.exit(1), "ocf-exit").start();
        }
    }

    static String firstLine(String failure) {
        if (failure == null) {
            return "unknown cause";
        }
        // SCR's failure text is a stack trace; the operator needs the innermost message
        String last = failure;
        for (String line : failure.split("\n")) {
            if (line.startsWith("Caused by: ")) {
                last = line.substring("Caused by: ".length());
            }
        }
        return last.split("\n")[0].trim();
    }
}
