package org.ocfupdate.gateway.internal.systemd;

import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.ocfupdate.pstat.api.PstatListener;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.pstat.api.UpdateStatus;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd the update state ({@code STATUS=idle}, {@code STATUS=upgrading 1.2.0 40 %}, shown by
 * {@code systemctl status}) and feeds its watchdog ({@code WATCHDOG=1} every {@code WATCHDOG_USEC}/2) through
 * {@link PstatService#heartbeat}, so that the ping is sent from the state machine's own thread: a hung state machine
 * stops the pings and systemd restarts the gateway. {@code READY=1} and {@code STOPPING=1} come from
 * {@code Readiness} and {@code FrameworkShutdownHook}. Outside systemd (no {@code NOTIFY_SOCKET}) it does nothing.
 */
@Component(immediate = true)
public class SystemdNotifier {
    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotifier.class);
    /** How often a running transfer's percentage is refreshed. */
    private static final long STATUS_PERIOD_MS = 1000;

    private final PstatService pstat;
    private final SdNotify sd;
    private final ScheduledExecutorService timer;
    private final PstatListener listener;
    private final AtomicBoolean beatPending = new AtomicBoolean();
    private String lastStatus;

    @Activate
    public SystemdNotifier(@Reference PstatService pstat) {
        this.pstat = pstat;
        this.sd = SdNotify.get();
        if (sd == null) {
            timer = null;
            listener = null;
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "ocf-systemd"));
        // on the state machine's thread: read the state of this transition (a short check would be over before the
        // timer looked), and hand the sending over at once
        listener = snapshot -> show(statusText(pstat.status()));
        pstat.addListener(listener);
        timer.scheduleWithFixedDelay(this::status, STATUS_PERIOD_MS, STATUS_PERIOD_MS, TimeUnit.MILLISECONDS);
        long usec = watchdogUsec(System.getenv("WATCHDOG_USEC"), System.getenv("WATCHDOG_PID"),
                ProcessHandle.current().pid());
        if (usec > 0) {
            LOG.info("systemd watchdog: a heartbeat of the update state machine every {} ms", usec / 2000);
            timer.scheduleAtFixedRate(this::watchdog, 0, Math.max(1, usec / 2), TimeUnit.MICROSECONDS);
        }
    }

    @Deactivate
    void deactivate() {
        if (timer != null) {
            pstat.removeListener(listener);
            timer.shutdownNow();
        }
    }

    private void show(String text) {
        try {
            timer.execute(() -> send(text));
        } catch (RejectedExecutionException e) {
            // deactivated
        }
    }

    /** The running transfer's percentage, between transitions. */
    private void status() {
        try {
            send(statusText(pstat.status()));
        } catch (RuntimeException e) { // the timer must outlive any one failure
            LOG.warn("Cannot tell systemd the update state", e);
        }
    }

    private void send(String text) {
        if (!text.equals(lastStatus)) {
            lastStatus = text;
            sd.send("STATUS=" + text);
        }
    }

    /** One heartbeat at a time: a state machine that does not answer does not pile up pings for later. */
    private void watchdog() {
        if (beatPending.compareAndSet(false, true)) {
            pstat.heartbeat(() -> {
                beatPending.set(false);
                sd.send("WATCHDOG=1");
            });
        }
    }

    /** The watchdog period in microseconds for this process, or 0 when none (systemd's sd_watchdog_enabled). */
    static long watchdogUsec(String usec, String pid, long self) {
        if (usec == null || (pid != null && !pid.isEmpty() && !pid.equals(Long.toString(self)))) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(usec.trim()));
        } catch (NumberFormatException e) {
            LOG.warn("WATCHDOG_USEC={} is not a number: no watchdog", usec);
            return 0;
        }
    }

    /** {@code idle}, {@code version_available 1.2.0}, {@code upgrading 1.2.0 40 %}. */
    static String statusText(UpdateStatus s) {
        StringBuilder text = new StringBuilder(s.state().name().toLowerCase(Locale.ROOT));
        if (s.state() != UpdateState.IDLE && s.offeredVersion() != null) {
            text.append(' ').append(s.offeredVersion());
        }
        if (s.state().isBusy() && s.total() > 0) {
            text.append(' ').append(Math.min(100, s.bytes() * 100 / s.total())).append(" %");
        }
        return text.toString();
    }
}
