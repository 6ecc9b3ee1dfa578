package org.ocfupdate.update.engine.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.ocfupdate.gateway.support.AtomicStore;
import org.ocfupdate.gateway.support.GatewayHome;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The persisted update history and the packages refused once (version and SHA-256), which are not offered or
 * downloaded again. Bounded: the newest {@value #MAX} entries of each are kept.
 */
@Component(service = History.class)
public final class History {
    static final int MAX = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One finished action.
     *
     * @param time       when it ended (RFC 3339)
     * @param from       the version running before
     * @param to         the version offered (or installed)
     * @param provider   the provider that offered it
     * @param result     {@code /oc/swu} result code
     * @param durationMs how long it took
     * @param reason     why it ended so, for operators
     */
    public record Entry(String time, String from, String to, String provider, int result, long durationMs,
            String reason) {
    }

    /** A package refused once. */
    public record Refused(String version, String sha256) {
    }

    record Document(List<Entry> entries, List<Refused> refused) {
    }

    private final AtomicStore store;
    private Document doc;

    @Activate
    public History(BundleContext context) throws IOException {
        this(GatewayHome.data(context).resolve("history"));
    }

    public History(Path dir) throws IOException {
        store = new AtomicStore(dir, "history.json");
        doc = store.load(b -> {
            Document d = JSON.readValue(b, new TypeReference<Document>() { });
            if (d.entries() == null || d.refused() == null) {
                throw new IOException("the history lacks entries or refused");
            }
            return d;
        }).orElse(new Document(List.of(), List.of()));
    }

    public synchronized List<Entry> entries() {
        return doc.entries();
    }

    public synchronized void add(Entry e) {
        save(new Document(append(doc.entries(), e), doc.refused()));
    }

    public synchronized void refuse(String version, String sha256) {
        Refused r = new Refused(version, sha256);
        if (!doc.refused().contains(r)) {
            save(new Document(doc.entries(), append(doc.refused(), r)));
        }
    }

    /**
     * Refusals are keyed by version and SHA-256 (issue 12, item 13): a forged package must not hide the genuine one
     * of the same version. With a digest: true when exactly that package was refused. Without one (null): true when
     * any package of this version was refused, so that a provider that knows no digest from metadata (USB) hashes
     * its file only then and asks again. A refusal stored without a digest (the file could not be read back) hides
     * no package whose digest is known.
     */
    public synchronized boolean wasRefused(String version, String sha256) {
        return doc.refused().stream().anyMatch(r -> r.version().equals(version)
                && (sha256 == null || sha256.equalsIgnoreCase(r.sha256())));
    }

    private static <T> List<T> append(List<T> list, T item) {
        List<T> next = new ArrayList<>(list);
        next.add(item);
        return List.copyOf(next.subList(Math.max(0, next.size() - MAX), next.size()));
    }

    private void save(Document next) {
        try {
            store.save(JSON.writeValueAsBytes(next));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the update history: " + e.getMessage(), e);
        }
        doc = next;
    }
}
