package org.ocfupdate.update.engine.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Refusals are keyed by version and digest (issue 12, item 13). */
class HistoryTest {
    static final String ROGUE = "a".repeat(64);
    static final String GENUINE = "b".repeat(64);

    @TempDir
    Path dir;

    @Test
    void aRefusedPackageHidesOnlyItselfNotAnotherPackageOfTheSameVersion() throws Exception {
        History h = new History(dir);
        h.refuse("1.0.50", ROGUE);

        assertTrue(h.wasRefused("1.0.50", ROGUE));
        assertTrue(h.wasRefused("1.0.50", ROGUE.toUpperCase()), "hex digits in either case");
        assertFalse(h.wasRefused("1.0.50", GENUINE), "the genuine package of that version is offered");
        assertFalse(h.wasRefused("1.0.51", ROGUE));
        // without a digest the answer is "a package of this version was refused": the provider then tells its
        // packages apart by digest (the USB provider hashes only then)
        assertTrue(h.wasRefused("1.0.50", null));
        assertFalse(h.wasRefused("1.0.51", null));

        History reloaded = new History(dir);
        assertTrue(reloaded.wasRefused("1.0.50", ROGUE), "kept across restarts");
        assertFalse(reloaded.wasRefused("1.0.50", GENUINE));
    }

    @Test
    void aRefusalWhoseDigestIsUnknownDoesNotHideAPackageWithADigest() throws Exception {
        History h = new History(dir);
        h.refuse("2.0.0", null); // the refused file could not be read back

        assertTrue(h.wasRefused("2.0.0", null), "a provider that cannot tell packages apart does not offer it");
        assertFalse(h.wasRefused("2.0.0", GENUINE), "but a package known by its digest is not hidden for good");
    }
}
