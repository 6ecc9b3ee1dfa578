package org.ocfupdate.pstat.internal.svr;

import org.ocfupdate.gateway.support.GatewayHome;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.ocfupdate.pstat.api.Pstat;
import org.ocfupdate.pstat.api.PstatListener;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.gateway.support.AtomicStore;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The device's credentials: the owner's pre-shared key in {@code data/credentials/owner.properties} (generated on
 * first start, and again when a factory reset makes a new owner), and the credentials of further clients
 * ({@code /oic/sec/cred}, persisted in {@code data/svr/cred.json}).
 */
@Component(service = Credentials.class, immediate = true)
public class Credentials implements PstatListener {
    private static final Logger LOG = LoggerFactory.getLogger(Credentials.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();
    public static final int MAX_CREDS = 64;

    /** The owner's PSK identity and key, as written to {@code owner.properties}. */
    public record OwnerKey(UUID identity, String key) {
    }

    private final Path ownerFile;
    private final AtomicStore store;
    private final PstatService pstat;
    /** null in tests of a device that owns itself */
    private final SvrStore svr;
    private volatile OwnerKey owner;
    private volatile OwnerKey fresh;
    /** {@code rowneruuid}: whose credential only the owner may change. */
    private volatile UUID currentOwner;
    private volatile List<Cred> creds;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    @Activate
    public Credentials(BundleContext context, @Reference SvrStore svr, @Reference PstatService pstat) throws IOException {
        this(GatewayHome.data(context), svr, pstat);
    }

    public Credentials(Path data, UUID currentOwner, PstatService pstat) throws IOException {
        this(data, currentOwner, pstat, null);
    }

    public Credentials(Path data, SvrStore svr, PstatService pstat) throws IOException {
        this(data, svr.state().rowneruuid(), pstat, svr);
    }

    private Credentials(Path data, UUID currentOwner, PstatService pstat, SvrStore svr) throws IOException {
        this.ownerFile = data.resolve("credentials").resolve("owner.properties");
        this.store = new AtomicStore(data.resolve("svr"), "cred.json");
        this.pstat = pstat;
        this.svr = svr;
        creds = store.load(body -> {
            JsonNode list = JSON.readTree(body).path("creds");
            if (!list.isArray()) {
                throw new IOException("no creds array");
            }
            List<Cred> loaded = new ArrayList<>();
            for (JsonNode n : list) {
                loaded.add(Cred.parse(n));
            }
            return List.copyOf(loaded);
        }).orElse(List.of());
        owner = readOwner().orElse(null);
        this.currentOwner = currentOwner;
        ensureOwnerKey(currentOwner);
        if (pstat != null) {
            pstat.addListener(this);
        }
    }

    @Deactivate
    void deactivate() {
        if (pstat != null) {
            pstat.removeListener(this);
        }
    }

    /** A factory reset or an owner change names a new owner: give it a key unless it already has one. */
    @Override
    public void pstatChanged(Pstat snapshot) {
        currentOwner = snapshot.rowneruuid();
        ensureOwnerKey(snapshot.rowneruuid());
    }

    /**
     * An onboarding tool owns (or is to own) the device ({@code ownership=transfer}): the owner's credential is the
     * one it provisions in {@code /oic/sec/cred}; the device makes none and tells none.
     */
    private boolean ownedByTool() {
        return svr != null && svr.state().ownership() != null;
    }

    private synchronized void ensureOwnerKey(UUID currentOwner) {
        if (ownedByTool()) {
            // a reset into RFOTM: the key of a former self-owned owner must open no session any more
            if (owner != null && !owner.identity().equals(currentOwner)) {
                try {
                    Files.deleteIfExists(ownerFile);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot remove " + ownerFile + ": " + e.getMessage(), e);
                }
                LOG.warn("Owner credential of the former owner {} removed ({}): an onboarding tool provisions the "
                        + "next owner's", owner.identity(), ownerFile);
                owner = null;
                listeners.forEach(Runnable::run);
            }
            return;
        }
        if (owner != null && owner.identity().equals(currentOwner)
                || creds.stream().anyMatch(c -> c.psk() != null && c.subject().equals(currentOwner.toString()))) {
            return;
        }
        OwnerKey generated = new OwnerKey(currentOwner, randomText(32));
        try {
            writeOwner(generated);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + ownerFile + ": " + e.getMessage(), e);
        }
        owner = generated;
        fresh = generated;
        LOG.warn("Owner credential generated for owner {} in {} (owner-only file)", currentOwner, ownerFile);
        listeners.forEach(Runnable::run);
    }

    /** The owner key generated during this run and not yet told to the operator; then never again. */
    public synchronized Optional<OwnerKey> takeFreshOwnerKey() {
        OwnerKey f = fresh;
        fresh = null;
        return Optional.ofNullable(f);
    }

    public Path ownerFile() {
        return ownerFile;
    }

    /**
     * The pre-shared key of {@code subject}: the key of {@code owner.properties} for its identity (that file is
     * where the operator reads the owner's key, so nothing in the list may shadow it), else a
     * {@code /oic/sec/cred} entry.
     */
    public Optional<byte[]> psk(UUID subject) {
        OwnerKey o = owner;
        if (o != null && o.identity().equals(subject)) {
            return Optional.of(o.key().getBytes(StandardCharsets.US_ASCII));
        }
        String s = subject.toString();
        for (Cred c : creds) {
            if (c.psk() != null && c.subject().equals(s)) {
                return Optional.of(c.psk().clone());
            }
        }
        return Optional.empty();
    }

    /** The CA certificates provisioned as trust anchors through {@code /oic/sec/cred}. */
    public List<X509Certificate> trustAnchors() {
        List<X509Certificate> out = new ArrayList<>();
        creds.stream().filter(c -> Cred.TRUST_CA.equals(c.credusage())).forEach(c -> out.addAll(c.certificates()));
        return out;
    }

    public List<Cred> creds() {
        return creds;
    }

    /** Adds (or, by {@code credid}, replaces) credentials as the owner does, all-or-nothing and durably. */
    public List<Cred> add(List<Cred> entries) {
        return add(entries, true);
    }

    /**
     * Adds (or, by {@code credid}, replaces) credentials, all-or-nothing and durably. What only the owner may
     * change: the owner's own pre-shared key — who sets it is the owner — and trust anchors, since a CA certificate
     * could issue an identity certificate for any subject, the owner's included. The owner changes its own key by
     * posting a new one for {@code rowneruuid} (alone, without {@code credid}); it replaces the key in
     * {@code owner.properties}, so the operator always finds the working key there.
     *
     * @param byOwner the requester is the owner ({@code rowneruuid})
     * @throws SvrRefusedException when the requester may not make this change; nothing changed
     * @throws IllegalArgumentException when the list would be too long, or the owner's new key cannot be kept
     */
    public synchronized List<Cred> add(List<Cred> entries, boolean byOwner) {
        String ownerId = currentOwner.toString();
        Cred ownKey = null;
        for (Cred c : entries) {
            Cred replaced = creds.stream().filter(e -> c.credid() > 0 && e.credid() == c.credid()).findFirst()
                    .orElse(null);
            boolean owners = isOwnersKey(c, ownerId) || replaced != null && isOwnersKey(replaced, ownerId);
            boolean trustAnchor = c.credtype() == Cred.CERTIFICATE
                    || replaced != null && replaced.credtype() == Cred.CERTIFICATE;
            if (!byOwner && owners) {
                throw new SvrRefusedException(SvrRefusedException.Reason.NOT_OWNER,
                        "only the owner may set the credential of the owner " + ownerId);
            }
            if (!byOwner && trustAnchor) {
                throw new SvrRefusedException(SvrRefusedException.Reason.NOT_OWNER,
                        "only the owner may provision trust anchors");
            }
            if (owners) {
                if (c.credid() != 0 || !isOwnersKey(c, ownerId)) {
                    throw new SvrRefusedException(SvrRefusedException.Reason.FORBIDDEN, "the owner's key is kept in "
                            + "owner.properties; it changes as a new pre-shared key for " + ownerId + " without credid");
                }
                ownKey = c;
            }
        }
        if (ownKey != null && !(owner != null && owner.identity().equals(currentOwner))) {
            // the owner's key is not in owner.properties (an onboarding tool's): it is a list entry, and a new one
            // replaces the former
            List<Cred> rest = creds.stream().filter(c -> !isOwnersKey(c, ownerId)).toList();
            IdList.Merge<Cred> m = IdList.merge(rest, entries, Cred::credid, Cred::withId, MAX_CREDS,
                    "the credential list");
            commit(m.all());
            m.added().forEach(c -> LOG.info("Credential {} set: credtype {} for the owner {}", c.credid(),
                    c.credtype(), c.subject()));
            return m.added();
        }
        if (ownKey != null) {
            if (entries.size() != 1) {
                throw new IllegalArgumentException("the owner's new key is set alone, in a request of its own");
            }
            replaceOwnerKey(ownKey.psk());
            return List.of();
        }
        IdList.Merge<Cred> m = IdList.merge(creds, entries, Cred::credid, Cred::withId, MAX_CREDS, "the credential list");
        commit(m.all());
        m.added().forEach(c -> LOG.info("Credential {} set: credtype {} for {}", c.credid(), c.credtype(), c.subject()));
        return m.added();
    }

    /** Removes one credential, or all when {@code credid} is null, as the owner does; false when there was none. */
    public boolean remove(Integer credid) {
        return remove(credid, true);
    }

    /**
     * Removes one credential, or all when {@code credid} is null; false when there was none. Trust anchors and the
     * owner's own key are the owner's to remove; the owner's own key is never removed (the owner would lock itself
     * out; a RESET makes a new owner and key), so "all" leaves it in place.
     *
     * @throws SvrRefusedException when the requester may not remove it; nothing changed
     */
    public synchronized boolean remove(Integer credid, boolean byOwner) {
        String ownerId = currentOwner.toString();
        for (Cred c : creds) {
            if (credid != null && c.credid() != credid) {
                continue;
            }
            if (!byOwner && (isOwnersKey(c, ownerId) || c.credtype() == Cred.CERTIFICATE)) {
                throw new SvrRefusedException(SvrRefusedException.Reason.NOT_OWNER, "only the owner may remove "
                        + (c.credtype() == Cred.CERTIFICATE ? "trust anchors" : "the credential of the owner")
                        + " (credid " + c.credid() + ")");
            }
            if (credid != null && isOwnersKey(c, ownerId)) {
                throw new SvrRefusedException(SvrRefusedException.Reason.FORBIDDEN, "credid " + credid
                        + " is the owner's own key; removing it would lock the owner out (a RESET makes a new owner)");
            }
        }
        List<Cred> next = credid == null ? creds.stream().filter(c -> isOwnersKey(c, ownerId)).toList()
                : IdList.without(creds, credid, Cred::credid);
        if (next.size() == creds.size()) {
            return false;
        }
        commit(next);
        LOG.info(credid == null ? "All credentials removed" : "Credential {} removed", credid);
        return true;
    }

    private static boolean isOwnersKey(Cred c, String ownerId) {
        return c.psk() != null && c.subject().equals(ownerId);
    }

    /**
     * The owner's new key goes to {@code owner.properties} first (from then on it is the owner's key, see
     * {@link #psk}), then a copy in the list (an owner that had its key there before it became the owner) is
     * dropped. Sessions already open keep their DTLS keys; new handshakes need the new key.
     */
    private void replaceOwnerKey(byte[] key) {
        String text = new String(key, StandardCharsets.US_ASCII);
        if (!text.chars().allMatch(ch -> ch > ' ' && ch < 127 && ch != '\\')) {
            throw new IllegalArgumentException("the owner's key must be printable ASCII without spaces or backslashes:"
                    + " it is kept in owner.properties for clients such as coap-client -k");
        }
        OwnerKey next = new OwnerKey(currentOwner, text);
        try {
            writeOwner(next);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + ownerFile + ": " + e.getMessage(), e);
        }
        owner = next;
        LOG.warn("The owner {} replaced its key; the new key is in {} (sessions already open keep working)",
                currentOwner, ownerFile);
        String ownerId = currentOwner.toString();
        List<Cred> rest = creds.stream().filter(c -> !isOwnersKey(c, ownerId)).toList();
        if (rest.size() != creds.size()) {
            commit(rest);
        } else {
            listeners.forEach(Runnable::run);
        }
    }

    /** Called after every change (e.g. to rebuild the DTLS trust anchors). */
    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    public void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    private void commit(List<Cred> next) {
        try {
            store.save(JSON.writeValueAsBytes(Map.of("creds", next.stream().map(c -> c.toMap(true)).toList())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the credentials: " + e.getMessage(), e);
        }
        creds = next;
        listeners.forEach(Runnable::run);
    }

    private Optional<OwnerKey> readOwner() throws IOException {
        if (!Files.exists(ownerFile)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(ownerFile)) {
            p.load(in);
        }
        try {
            return Optional.of(new OwnerKey(UUID.fromString(p.getProperty("identity", "").trim()),
                    p.getProperty("key", "").trim()));
        } catch (IllegalArgumentException e) {
            LOG.error("{} has no valid identity= line; a new owner key is made", ownerFile);
            return Optional.empty();
        }
    }

    /** Temp file with owner-only permissions, fsync, rename, fsync of the folder: never half a key file. */
    private void writeOwner(OwnerKey k) throws IOException {
        Path dir = ownerFile.getParent();
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path tmp = dir.resolve("owner.properties.tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        String text = "# CoAP over DTLS (PSK) credential of the device owner; generated on first start\n"
                + "identity=" + k.identity() + "\nkey=" + k.key() + "\n";
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.write(StandardCharsets.US_ASCII.encode(text));
            ch.force(true);
        }
        Files.move(tmp, ownerFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    static String randomText(int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }
}
