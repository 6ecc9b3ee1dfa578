package org.ocfupdate.provider.hawkbit.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the provider must remember across restarts (data/hawkbit/state.json): the action it serves and which feedback
 * the server already has, so that a gateway restarted mid-action reports against the same action id, resumes its
 * download with If-Range, and never loses the final {@code closed}. Saved atomically (temporary file, fsync, rename).
 * Guarded by the provider's lock.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL) // a JSON null would come back as a NullNode, not as null
final class State {
    static final String FILE = "state.json";

    /** Whose action ids these are: the server's URL, tenant and controller id; another one starts afresh. */
    public String server;
    /** The action served, or null. */
    public String actionId;
    /** The deploymentBase href last read (its ?c= changes when the action changes). */
    public String href;
    /** The deploymentBase document last read. */
    public JsonNode deployment;
    public boolean proceedingSent;
    public boolean downloadSent;
    public boolean downloadedSent;
    /** The artifact's ETag of a partial download, for If-Range. */
    public String downloadEtag;
    /** The final feedback of the action, until the server accepted it. */
    public JsonNode closing;
    /** The server has the action's final feedback (or no longer knows the action). */
    public boolean finished;
    /** The last cancelAction answered (its stopId and the feedback given), until the server accepted it. */
    public String cancelId;
    public JsonNode cancelFeedback;
    /** The running version the server was last told (installedBase, configData). */
    public String reportedVersion;

    static State load(Path dir) throws IOException {
        try {
            return Ddi.JSON.readValue(Files.readAllBytes(dir.resolve(FILE)), State.class);
        } catch (NoSuchFileException e) {
            return new State();
        }
    }

    void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(FILE + ".tmp");
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            c.write(java.nio.ByteBuffer.wrap(Ddi.JSON.writeValueAsBytes(this)));
            c.force(true);
        }
        try {
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true); // the rename itself survives a power cut
        } catch (IOException e) {
            // some file systems cannot open a directory; the rename is then as durable as they make it
        }
    }

    /** Starts serving {@code id}: nothing of it was reported yet. The reported version is kept. */
    void begin(String id) {
        String version = reportedVersion;
        State fresh = new State();
        actionId = id;
        href = null;
        deployment = null;
        proceedingSent = fresh.proceedingSent;
        downloadSent = false;
        downloadedSent = false;
        downloadEtag = null;
        closing = null;
        finished = false;
        reportedVersion = version;
    }

    /** True while the action is open and nothing final was decided. */
    boolean open() {
        return actionId != null && !finished && closing == null;
    }
}
