package org.ocfupdate.gateway.internal.console;

import org.ocfupdate.pstat.api.Dpm;
import org.ocfupdate.pstat.api.PstatRefusedException;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.api.UpdateState;

/**
 * The operator's actions, shared by the console page and the Gogo commands: each does what the matching
 * {@code tm} write by the owner does, refused the same way.
 */
public final class Actions {
    /** What happened, in words for the operator. */
    public record Outcome(boolean done, String message) {
    }

    private Actions() {
    }

    public static Outcome check(PstatService pstat) {
        return start(pstat, Dpm.ISAC, "availability check (tm 256) started");
    }

    public static Outcome validate(PstatService pstat) {
        return start(pstat, Dpm.ISVV, "validation (tm 64) started");
    }

    public static Outcome update(PstatService pstat) {
        return start(pstat, Dpm.ISSU, "update (tm 128) started");
    }

    public static Outcome cancel(PstatService pstat) {
        if (pstat.cancel()) {
            return new Outcome(true, "cancelled");
        }
        UpdateState s = pstat.current().update();
        return new Outcome(false, s == UpdateState.UPGRADING ? "refused: an installation cannot be cancelled"
                : "refused: no check or validation is running (" + StateDocument.name(s) + ")");
    }

    private static Outcome start(PstatService pstat, int bit, String started) {
        try {
            pstat.start(bit, null);
            return new Outcome(true, started);
        } catch (PstatRefusedException e) {
            return new Outcome(false, "refused: " + e.getMessage());
        }
    }
}
