package org.ocfupdate.pstat.api.provider;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import org.ocfupdate.pstat.api.UpdateResult;

/**
 * How an action a provider served ended, told to that provider through {@link UpdateProvider#completed}. An
 * installation's outcome is told only once it is final: after the health check committed it (also when that happened
 * after a restart of the gateway) or after the rollback finished — never "success" before the commit.
 *
 * @param action   which action ended
 * @param offer    the offer the action served as the provider made it (its {@link UpdateOffer#reference()} included),
 *                 or null for a check that found nothing or failed before an offer
 * @param result   {@link UpdateResult#SUCCESS} when the action did what it was asked (a check: it ran, with or
 *                 without an offer), the failure's code otherwise, {@link UpdateResult#IDLE} for a cancelled action
 * @param reason   for operators, e.g. "installed 2.1.0; health check passed" or "signature not trusted"
 * @param started  when the action started
 * @param duration how long it ran
 * @since 1.1
 */
public record UpdateOutcome(Action action, UpdateOffer offer, UpdateResult result, String reason, Instant started,
        Duration duration) {

    /** The action that ended: {@code tm} 256, 64 and 128. */
    public enum Action {
        CHECK, VALIDATE, INSTALL
    }

    public UpdateOutcome {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(duration, "duration");
    }

    /** True when the action did what it was asked. */
    public boolean succeeded() {
        return result == UpdateResult.SUCCESS;
    }
}
