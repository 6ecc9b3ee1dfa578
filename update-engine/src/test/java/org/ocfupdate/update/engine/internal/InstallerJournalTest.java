package org.ocfupdate.update.engine.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.gateway.support.AtomicStore;

/** The installation journal is read through {@link Installer#journal}: a damaged newest generation is not used. */
class InstallerJournalTest {
    @TempDir
    Path dir;

    @Test
    void aDamagedOrIncompleteNewestJournalGivesThePreviousOne() throws IOException {
        AtomicStore store = new AtomicStore(dir, "journal.json");
        store.save("{\"version\": \"1.1.0\", \"bundles\": [], \"files\": []}".getBytes(UTF_8));
        store.save("{\"version\": \"1.2.0\", \"bundles\": [], \"files\": []}".getBytes(UTF_8));
        Path newest = dir.resolve("journal.json.000002");
        Files.writeString(newest, Files.readString(newest).replaceFirst("^ocf-store 1 (\\w{8}) ", "ocf-store 1 $1x"));
        assertEquals("1.1.0", new AtomicStore(dir, "journal.json").load(Installer::journal).orElseThrow().version());

        new AtomicStore(dir, "journal.json").save("{\"version\": \"1.3.0\"}".getBytes(UTF_8));
        assertEquals("1.1.0", new AtomicStore(dir, "journal.json").load(Installer::journal).orElseThrow().version());
    }
}
