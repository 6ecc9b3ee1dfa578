package org.ocfupdate.provider.usb.internal;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.ocfupdate.pstat.api.DeviceOnboardingState;
import org.ocfupdate.pstat.api.Pstat;
import org.ocfupdate.pstat.api.PstatChange;
import org.ocfupdate.pstat.api.PstatListener;
import org.ocfupdate.pstat.api.PstatRefusedException;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.api.UpdateState;

/** Records the changes asked of pstat; refuses them (as when an action is running) while {@link #busy} is set. */
final class FakePstat implements PstatService {
    final List<PstatChange> changes = new CopyOnWriteArrayList<>();
    final List<Boolean> owners = new CopyOnWriteArrayList<>();
    volatile boolean busy;
    volatile int refusals;
    /** Thrown by the next update (a failure no caller expects), then cleared. */
    volatile Error failNext;
    /** What {@link #context} returned at each recorded change (e.g. the media the provider knew then). */
    final List<Object> contexts = new CopyOnWriteArrayList<>();
    volatile java.util.function.Supplier<Object> context = () -> null;

    @Override
    public Pstat current() {
        return new Pstat(DeviceOnboardingState.RFNOP, false, true, 0, 0, 4, 4, new UUID(0, 1), UpdateState.IDLE);
    }

    @Override
    public Pstat update(PstatChange change, boolean owner) throws PstatRefusedException {
        Error e = failNext;
        if (e != null) {
            failNext = null;
            throw e;
        }
        if (busy) {
            refusals++;
            throw new PstatRefusedException(PstatRefusedException.Reason.BAD_REQUEST,
                    "a software-update action is running (NEW_VERSION_CHECK)");
        }
        contexts.add(String.valueOf(context.get()));
        changes.add(change);
        owners.add(owner);
        return current();
    }

    @Override
    public Pstat start(int bit, java.net.URI location) throws PstatRefusedException {
        return update(PstatChange.tm(bit), true);
    }

    @Override
    public boolean cancel() {
        return false;
    }

    @Override
    public org.ocfupdate.pstat.api.UpdateStatus status() {
        return new org.ocfupdate.pstat.api.UpdateStatus(UpdateState.IDLE, "1.0.0", null,
                org.ocfupdate.pstat.api.UpdateResult.IDLE, null, 0, -1);
    }

    @Override
    public java.util.List<org.ocfupdate.pstat.api.UpdateRecord> history() {
        return java.util.List.of();
    }

    @Override
    public java.util.List<org.ocfupdate.pstat.api.ProviderInfo> providers() {
        return java.util.List.of();
    }

    @Override
    public java.util.List<org.ocfupdate.pstat.api.TrustedKey> trustedKeys() {
        return java.util.List.of();
    }

    @Override
    public void addListener(PstatListener listener) {
    }

    @Override
    public void removeListener(PstatListener listener) {
    }

    @Override
    public void heartbeat(Runnable beat) {
        beat.run();
    }
}
