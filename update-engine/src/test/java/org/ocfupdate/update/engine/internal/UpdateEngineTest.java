package org.ocfupdate.update.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class UpdateEngineTest {
    @Test
    void rankingIsReadFromAnyNumberOrText() {
        assertEquals(10, UpdateEngine.ranking(10));
        assertEquals(10, UpdateEngine.ranking(10L));
        assertEquals(10, UpdateEngine.ranking("10")); // FileInstall passes untyped .cfg values as text
        assertEquals(-3, UpdateEngine.ranking(" -3 "));
        assertEquals(0, UpdateEngine.ranking("high"));
        assertEquals(0, UpdateEngine.ranking(null));
    }
}
