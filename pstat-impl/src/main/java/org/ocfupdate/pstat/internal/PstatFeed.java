package org.ocfupdate.pstat.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.ocfupdate.pstat.api.DeviceOnboardingState;
import org.ocfupdate.pstat.api.Pstat;
import org.ocfupdate.pstat.api.PstatListener;
import org.ocfupdate.pstat.internal.svr.SvrState;
import org.ocfupdate.pstat.internal.svr.SvrStore;
import org.ocfupdate.update.engine.UpdateStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persisted pstat SVR as its listeners see it: every save is a transition that the listeners then see, in order.
 * It is the {@link UpdateStore} of the update engine's state machine (the software-update fields are part of the SVR
 * state), and {@link PstatServiceImpl} publishes the SVR's own writes through it. Called on the state machine's
 * thread only (its {@link org.ocfupdate.update.engine.UpdateCore#call}).
 */
@Component(service = {PstatFeed.class, UpdateStore.class})
public class PstatFeed implements UpdateStore {
    private static final Logger LOG = LoggerFactory.getLogger(PstatFeed.class);
    /** Supported operational modes: client-directed only, as IoTivity-Lite. */
    static final int SM = 4;

    private final SvrStore store;
    private final List<PstatListener> listeners = new CopyOnWriteArrayList<>();
    /** The last published snapshot (written on the machine's thread). */
    private volatile Pstat current;

    @Activate
    public PstatFeed(@Reference SvrStore store) {
        this.store = store;
        current = snapshot(store.state(), false);
    }

    Pstat current() {
        return current;
    }

    @Override
    public UpdateStore.Fields load() {
        SvrState s = store.state();
        return new UpdateStore.Fields(s.update(), s.tm(), s.version(), s.result(), s.nv(), s.lastUpdate());
    }

    private SvrState with(UpdateStore.Fields f) {
        return store.state().withUpdate(f.state(), f.tm()).withOutcome(f.result(), f.nv())
                .withInstalled(f.version(), f.lastUpdate());
    }

    @Override
    public void save(UpdateStore.Fields f) {
        publish(with(f), false);
    }

    @Override
    public void keep(UpdateStore.Fields f) {
        SvrState s = with(f);
        store.keep(s);
        synchronized (listeners) {
            current = snapshot(s, false);
        }
    }

    @Override
    public String inoperative() {
        DeviceOnboardingState dos = store.state().dos();
        return dos == DeviceOnboardingState.RFNOP ? null : dos.toString();
    }

    @Override
    public String runningVersion() {
        return store.softwareVersion();
    }

    /** On the machine's thread: persists, then every listener sees the new snapshot, in order. */
    void publish(SvrState s, boolean pending) {
        store.save(s);
        synchronized (listeners) {
            current = snapshot(s, pending);
            for (PstatListener l : listeners) {
                try {
                    l.pstatChanged(current);
                } catch (Throwable e) { // one listener's Error must not stop the others or the machine
                    LOG.warn("A pstat listener failed", e);
                }
            }
        }
    }

    private static Pstat snapshot(SvrState s, boolean pending) {
        // cm 2 (TAKE_OWNER) while the device waits for its owner
        int cm = s.dos() == DeviceOnboardingState.RFOTM ? 2 : s.update().cm();
        return new Pstat(s.dos(), pending, s.dos() == DeviceOnboardingState.RFNOP, cm, s.tm(), s.om(), SM,
                s.rowneruuid(), s.update());
    }

    void addListener(PstatListener listener) {
        // the listener sees the current snapshot, then every later one in order; without waiting for the machine,
        // which may still be verifying a staged package again (resources add their listener in activate)
        synchronized (listeners) {
            listeners.add(listener);
            listener.pstatChanged(current);
        }
    }

    void removeListener(PstatListener listener) {
        listeners.remove(listener);
    }
}
