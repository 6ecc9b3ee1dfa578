package org.ocfupdate.gateway.internal.console;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import org.ocfupdate.pstat.api.Pstat;
import org.ocfupdate.pstat.api.PstatListener;
import org.ocfupdate.pstat.api.UpdateState;

/**
 * The last state-machine transitions, as they happened: the page polls, and a validation of a small package is
 * over between two polls, so the page shows this list beside the current state.
 */
final class Transitions implements PstatListener {
    static final int KEEP = 12;
    private final Deque<Map<String, Object>> recent = new ArrayDeque<>();
    private UpdateState last;

    @Override
    public synchronized void pstatChanged(Pstat snapshot) {
        UpdateState s = snapshot.update();
        if (s == last) {
            return;
        }
        last = s;
        recent.addLast(Map.of("time", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(),
                "state", StateDocument.name(s)));
        while (recent.size() > KEEP) {
            recent.removeFirst();
        }
    }

    /** Oldest first. */
    synchronized List<Map<String, Object>> list() {
        return List.copyOf(recent);
    }
}
