package org.ocfupdate.update.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.provider.UpdateOffer;
import org.ocfupdate.pstat.api.provider.UpdateOutcome;

/** An installation's outcome is kept until its provider heard it, across restarts; never final before it ended. */
class OutcomesTest {
    @TempDir
    Path dir;

    static final UpdateOffer OFFER = UpdateOffer.builder("2.1.0", URI.create("https://fleet.example/a/42"))
            .sha256("ab").reference("action-42").build();

    @Test
    void aRunningInstallationIsNotToldUntilItEnded() throws Exception {
        Outcomes o = new Outcomes(dir);
        Instant start = Instant.parse("2026-11-30T02:00:00Z");
        o.installing("fleet", OFFER, start);
        assertEquals(List.of(), o.undelivered("fleet"), "nothing final before the commit");

        // the process restarts during the installation; the next one ends it (rolled back)
        Outcomes after = new Outcomes(dir);
        assertTrue(after.ended(UpdateResult.UPGRADE_FAILURE, "rolled back", start.plusSeconds(40)));
        Outcomes.Pending p = new Outcomes(dir).undelivered("fleet").get(0);
        UpdateOutcome told = p.outcome();
        assertEquals(List.of(UpdateOutcome.Action.INSTALL, UpdateResult.UPGRADE_FAILURE, "action-42", 40_000L),
                List.of(told.action(), told.result(), told.offer().reference(), told.duration().toMillis()));
        assertEquals(List.of(), after.undelivered("other"));

        after.delivered(p);
        assertEquals(List.of(), new Outcomes(dir).undelivered("fleet"), "told once it was delivered");
        assertFalse(after.ended(UpdateResult.SUCCESS, "none runs", start), "no installation was recorded");
    }
}
