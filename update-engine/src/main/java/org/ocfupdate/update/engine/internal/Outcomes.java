package org.ocfupdate.update.engine.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.ocfupdate.pstat.api.UpdateResult;
import org.ocfupdate.pstat.api.provider.UpdateOffer;
import org.ocfupdate.pstat.api.provider.UpdateOutcome;
import org.ocfupdate.gateway.support.AtomicStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Installation outcomes not yet told to their provider ({@code data/history/outcomes.json}, next to the history): an
 * installation's outcome is final only after the health check committed or the rollback finished, which may happen
 * in a later process, and a provider (a fleet server's client) must hear it at least once, never "success" early.
 * Written when the installation starts (the offer with its reference), completed when it ends, removed once told.
 */
public final class Outcomes {
    private static final Logger LOG = LoggerFactory.getLogger(Outcomes.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Outcomes kept for a provider that never comes back. */
    static final int MAX = 20;

    /** An installation and, once it ended ({@code result} not null), how. */
    public record Pending(String provider, String version, String location, long size, String sha256,
            String description, String reference, String started, Integer result, String reason, long durationMs) {

        public UpdateOutcome outcome() {
            UpdateOffer offer = UpdateOffer.builder(version, URI.create(location)).size(size).sha256(sha256)
                    .description(description).reference(reference).build();
            return new UpdateOutcome(UpdateOutcome.Action.INSTALL, offer, UpdateResult.of(result), reason,
                    Instant.parse(started), Duration.ofMillis(durationMs));
        }
    }

    private final AtomicStore store;
    private List<Pending> pending;

    public Outcomes(Path dir) throws IOException {
        store = new AtomicStore(dir, "outcomes.json");
        pending = store.load(b -> JSON.readValue(b, new TypeReference<List<Pending>>() { })).orElse(List.of());
    }

    /** An installation of {@code offer}, served by {@code provider}, starts. */
    public synchronized void installing(String provider, UpdateOffer offer, Instant started) {
        List<Pending> next = new ArrayList<>(pending);
        next.removeIf(p -> p.result() == null); // an earlier start whose end was never recorded is superseded
        next.add(new Pending(provider, offer.version(), offer.location().toString(), offer.size(), offer.sha256(),
                offer.description(), offer.reference(), started.toString(), null, null, 0));
        save(next);
    }

    /** The running installation ended (committed or rolled back); false when none was recorded. */
    public synchronized boolean ended(UpdateResult result, String reason, Instant end) {
        List<Pending> next = new ArrayList<>();
        boolean found = false;
        for (Pending p : pending) {
            if (p.result() == null) {
                found = true;
                long ms = Math.max(0, Duration.between(Instant.parse(p.started()), end).toMillis());
                p = new Pending(p.provider(), p.version(), p.location(), p.size(), p.sha256(), p.description(),
                        p.reference(), p.started(), result.code(), reason, ms);
            }
            next.add(p);
        }
        if (found) {
            save(next);
        }
        return found;
    }

    /** The final outcomes not yet told to {@code provider}. */
    public synchronized List<Pending> undelivered(String provider) {
        return pending.stream().filter(p -> p.result() != null && p.provider().equals(provider)).toList();
    }

    /** {@code p} was told to its provider. */
    public synchronized void delivered(Pending p) {
        List<Pending> next = new ArrayList<>(pending);
        if (next.remove(p)) {
            save(next);
        }
    }

    private void save(List<Pending> next) {
        List<Pending> bounded = List.copyOf(next.subList(Math.max(0, next.size() - MAX), next.size()));
        try {
            store.save(JSON.writeValueAsBytes(bounded));
        } catch (IOException e) {
            LOG.warn("Cannot save the outcomes to tell the providers: {}", e.toString());
        }
        pending = bounded;
    }
}
