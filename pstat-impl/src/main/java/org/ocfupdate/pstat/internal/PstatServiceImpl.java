package org.ocfupdate.pstat.internal;

import static org.ocfupdate.pstat.api.PstatRefusedException.Reason.BAD_REQUEST;
import static org.ocfupdate.pstat.api.PstatRefusedException.Reason.UNAUTHORIZED;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.ocfupdate.pstat.api.DeviceOnboardingState;
import org.ocfupdate.pstat.api.Dpm;
import org.ocfupdate.pstat.api.Pstat;
import org.ocfupdate.pstat.api.PstatChange;
import org.ocfupdate.pstat.api.PstatListener;
import org.ocfupdate.pstat.api.PstatRefusedException;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.pstat.internal.svr.SvrState;
import org.ocfupdate.pstat.internal.svr.SvrStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pstat SVR. Every transition happens under this object's lock: validate all-or-nothing, persist, then
 * publish the new snapshot to the listeners in order. Software-update actions run on a worker and report back
 * through {@link #finish}.
 */
@Component(configurationPid = "org.ocfupdate.pstat")
@Designate(ocd = PstatServiceImpl.Config.class)
public class PstatServiceImpl implements PstatService {
    private static final Logger LOG = LoggerFactory.getLogger(PstatServiceImpl.class);
    /** Supported operational modes: client-directed only, as IoTivity-Lite. */
    static final int SM = 4;

    @ObjectClassDefinition(name = "OCF software update state machine",
            description = "The pstat tm/cm software-update state machine.")
    public @interface Config {
        @AttributeDefinition(description = "Install a validated package without waiting for tm 128.")
        boolean autoInstall() default false;

        @AttributeDefinition(description = "Seconds between autonomous availability checks; 0 = none.", min = "0")
        int checkIntervalSeconds() default 0;
    }

    private final SvrStore store;
    private final UpdateActions actions;
    private final List<PstatListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "ocf-update-worker"));
    private Pstat current;

    @Activate
    public PstatServiceImpl(@Reference SvrStore store) {
        this(store, UpdateActions.NONE);
    }

    PstatServiceImpl(SvrStore store, UpdateActions actions) {
        this.store = store;
        this.actions = actions;
        SvrState s = store.state();
        if (s.update() != UpdateState.IDLE) {
            // nothing is staged before the engine exists: an interrupted action ends here (ocf-software-update.md §2)
            LOG.warn("The software-update action {} was interrupted by a restart; back to idle", s.update());
            s = s.withUpdate(UpdateState.IDLE, 0);
            store.save(s);
        }
        current = snapshot(s, false);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        worker.shutdownNow();
        worker.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Override
    public synchronized Pstat current() {
        return current;
    }

    @Override
    public synchronized Pstat update(PstatChange change, boolean owner) throws PstatRefusedException {
        SvrState s = store.state();
        if (!owner && (change.dos() != null || change.om() != null || change.rowneruuid() != null)) {
            throw new PstatRefusedException(UNAUTHORIZED, "only the owner may write dos, om and rowneruuid");
        }
        if (change.om() != null) {
            int om = change.om();
            if (Integer.bitCount(om) != 1 || (om & SM) != om) {
                throw new PstatRefusedException(BAD_REQUEST, "om " + om + " is not a supported mode (sm " + SM + ")");
            }
        }
        if (change.rowneruuid() != null && !change.rowneruuid().equals(s.rowneruuid())
                && (s.dos() == DeviceOnboardingState.RFPRO || s.dos() == DeviceOnboardingState.RFNOP)) {
            throw new PstatRefusedException(BAD_REQUEST, "rowneruuid cannot change in " + s.dos());
        }
        int action = 0;
        if (change.tm() != null) {
            action = checkTm(change.tm(), s);
        }
        DeviceOnboardingState target = change.dos();
        if (target != null && target != s.dos()) {
            checkDos(s, target, action);
        }

        // all checks passed: apply
        SvrState next = s;
        if (change.om() != null) {
            next = next.withOm(change.om());
        }
        if (change.rowneruuid() != null) {
            next = next.withOwner(change.rowneruuid());
        }
        if (next != s) {
            publish(next, false);
        }
        if (target != null && target != next.dos()) {
            next = changeDos(next, target);
        }
        if (action != 0) {
            start(next, action);
        }
        return current;
    }

    /** Returns the software-update bit requested, or 0 for a write that changes nothing. */
    private static int checkTm(int tm, SvrState s) throws PstatRefusedException {
        if (tm < 0 || tm > Dpm.MAX) {
            throw new PstatRefusedException(BAD_REQUEST, "tm must be 0.." + Dpm.MAX + ", not " + tm);
        }
        if ((tm & ~Dpm.SOFTWARE_UPDATE) != 0) {
            throw new PstatRefusedException(BAD_REQUEST, "only the software-update bits 64, 128, 256 may be set in tm");
        }
        int requested = tm & ~s.tm(); // writing back the running bit (or 0) is accepted and changes nothing
        if (requested == 0) {
            return 0;
        }
        if (Integer.bitCount(tm) > 1) {
            throw new PstatRefusedException(BAD_REQUEST, "set one of the tm bits 64, 128, 256 at a time");
        }
        if (s.update().isBusy()) {
            throw new PstatRefusedException(BAD_REQUEST, "a software-update action is running (" + s.update() + ")");
        }
        if (s.dos() != DeviceOnboardingState.RFNOP) {
            throw new PstatRefusedException(BAD_REQUEST, "software update needs dos.s RFNOP, not " + s.dos());
        }
        return requested;
    }

    private static void checkDos(SvrState s, DeviceOnboardingState to, int action) throws PstatRefusedException {
        if (action != 0) {
            throw new PstatRefusedException(BAD_REQUEST, "dos.s and a software-update bit cannot be written together");
        }
        if (s.update().isBusy() && !(to == DeviceOnboardingState.RESET && s.update() != UpdateState.UPGRADING)) {
            throw new PstatRefusedException(BAD_REQUEST, "dos.s cannot change while " + s.update() + " runs");
        }
        if (!DosTransitions.allowed(s.dos(), to, true)) {
            throw new PstatRefusedException(BAD_REQUEST, "dos.s " + s.dos() + " -> " + to + " is not allowed");
        }
    }

    private SvrState changeDos(SvrState s, DeviceOnboardingState to) {
        publish(s.withDos(to), true);
        if (to != DeviceOnboardingState.RESET) {
            SvrState done = s.withDos(to);
            publish(done, false);
            return done;
        }
        // RESET wipes the SVR state, enters RFOTM, and (until doxm ownership transfer exists) provisions a new
        // owner as on first start and moves on to RFNOP, so a reset device is never left unreachable.
        SvrState wiped = store.resetState();
        LOG.warn("Factory reset of the security state: new owner {}", wiped.rowneruuid());
        publish(wiped.withDos(DeviceOnboardingState.RFOTM), true);
        publish(wiped, false);
        return wiped;
    }

    private void start(SvrState s, int bit) {
        UpdateState state = bit == Dpm.ISAC ? UpdateState.NEW_VERSION_CHECK : UpdateState.VERSION_VALIDATION;
        publish(s.withUpdate(state, bit), false);
        LOG.info("Software-update action tm {} started", bit);
        worker.execute(() -> finish(bit, actions.run(bit)));
    }

    /** Called by the worker with the outcome of an action; returns the machine to idle. */
    synchronized void finish(int bit, String outcome) {
        SvrState s = store.state();
        if (s.tm() != bit) {
            return; // a reset ended the action meanwhile
        }
        LOG.info("Software-update action tm {} ended: {}", bit, outcome);
        publish(s.withUpdate(UpdateState.IDLE, 0), false);
    }

    private void publish(SvrState s, boolean pending) {
        store.save(s);
        current = snapshot(s, pending);
        for (PstatListener l : listeners) {
            try {
                l.pstatChanged(current);
            } catch (RuntimeException e) {
                LOG.warn("A pstat listener failed", e);
            }
        }
    }

    private static Pstat snapshot(SvrState s, boolean pending) {
        return new Pstat(s.dos(), pending, s.dos() == DeviceOnboardingState.RFNOP, s.update().cm(), s.tm(), s.om(), SM,
                s.rowneruuid(), s.update());
    }

    @Override
    public synchronized void addListener(PstatListener listener) {
        listeners.add(listener);
        listener.pstatChanged(current);
    }

    @Override
    public void removeListener(PstatListener listener) {
        listeners.remove(listener);
    }
}
