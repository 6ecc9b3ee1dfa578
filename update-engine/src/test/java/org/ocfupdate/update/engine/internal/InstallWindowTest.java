package org.ocfupdate.update.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

import org.junit.jupiter.api.Test;

class InstallWindowTest {
    /** 2026-11-28 is a Saturday. */
    static LocalDateTime at(int day, int hour, int minute) {
        return LocalDateTime.of(2026, 11, day, hour, minute);
    }

    @Test
    void emptyIsAnyTime() {
        assertTrue(InstallWindow.parse("").contains(at(28, 12, 0)));
        assertTrue(InstallWindow.parse("  ").isAnyTime());
        assertTrue(InstallWindow.parse(null).isAnyTime());
    }

    @Test
    void dailyRangeIncludesStartExcludesEnd() {
        InstallWindow w = InstallWindow.parse("02:00-04:00");
        assertFalse(w.contains(at(30, 1, 59)));
        assertTrue(w.contains(at(30, 2, 0)));
        assertTrue(w.contains(at(30, 3, 59)));
        assertFalse(w.contains(at(30, 4, 0)));
    }

    @Test
    void daysOfTheWeek() {
        InstallWindow w = InstallWindow.parse("Sat,Sun 00:00-06:00");
        assertTrue(w.contains(at(28, 5, 0))); // Saturday
        assertTrue(w.contains(at(29, 0, 0))); // Sunday
        assertFalse(w.contains(at(30, 1, 0))); // Monday
        assertFalse(w.contains(at(28, 6, 0)));
    }

    @Test
    void dayRangesWrapOverTheWeekend() {
        InstallWindow w = InstallWindow.parse("Fri-Mon 10:00-11:00");
        assertTrue(w.contains(at(27, 10, 30))); // Friday
        assertTrue(w.contains(at(30, 10, 30))); // Monday
        assertFalse(w.contains(LocalDateTime.of(2026, 12, 1, 10, 30))); // Tuesday
        assertTrue(InstallWindow.parse("mon-fri 10:00-11:00").contains(LocalDateTime.of(2026, 12, 2, 10, 0)));
    }

    @Test
    void acrossMidnightBelongsToTheStartDay() {
        InstallWindow w = InstallWindow.parse("Sat 22:00-02:00");
        assertTrue(w.contains(at(28, 23, 0)));
        assertTrue(w.contains(at(29, 1, 59))); // Sunday morning: Saturday's window
        assertFalse(w.contains(at(29, 2, 0)));
        assertFalse(w.contains(at(28, 1, 0))); // Saturday morning: Friday's window, and Friday is not listed
        assertFalse(w.contains(at(29, 22, 30)));
    }

    @Test
    void untilMidnightAndSeveralWindows() {
        InstallWindow w = InstallWindow.parse("Mon 23:00-24:00; 03:00-03:30");
        assertTrue(w.contains(at(30, 23, 59)));
        assertFalse(w.contains(LocalDateTime.of(2026, 12, 1, 0, 0)));
        assertTrue(w.contains(at(28, 3, 15)));
        assertTrue(InstallWindow.parse("00:00-24:00").contains(at(28, 0, 0)));
    }

    @Test
    void daylightSavingIsWallClockTime() {
        // Europe/Berlin skips 02:00-03:00 on 2026-03-29: the wall clock shows 03:00 right after 01:59
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        InstallWindow w = InstallWindow.parse("02:00-04:00");
        ZonedDateTime beforeChange = ZonedDateTime.of(2026, 3, 29, 1, 59, 0, 0, berlin);
        assertFalse(w.contains(beforeChange.toLocalDateTime()));
        assertTrue(w.contains(beforeChange.plusMinutes(1).toLocalDateTime())); // 03:00 local
        assertFalse(w.contains(beforeChange.plusMinutes(121).toLocalDateTime())); // 05:00 local
        // in autumn 02:00-03:00 happens twice: both are in the window
        ZonedDateTime first = ZonedDateTime.of(2026, 10, 25, 2, 30, 0, 0, berlin).withEarlierOffsetAtOverlap();
        assertTrue(w.contains(first.toLocalDateTime()));
        assertTrue(w.contains(first.plusHours(1).toLocalDateTime()));
    }

    @Test
    void badTextSaysWhatIsWrong() {
        assertEquals("'25:00' is not a time HH:MM (00:00 to 23:59, or 24:00 as an end)",
                assertThrows(IllegalArgumentException.class, () -> InstallWindow.parse("25:00-03:00")).getMessage());
        assertEquals("'Sa' is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)",
                assertThrows(IllegalArgumentException.class, () -> InstallWindow.parse("Sa 02:00-03:00")).getMessage());
        assertEquals("'0200' is not a time range HH:MM-HH:MM",
                assertThrows(IllegalArgumentException.class, () -> InstallWindow.parse("0200")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> InstallWindow.parse("02:00-02:00"))
                .getMessage().contains("empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> InstallWindow.parse("Sat, Sun 02:00-03:00"))
                .getMessage().contains("without spaces"));
        assertThrows(IllegalArgumentException.class, () -> InstallWindow.parse("2:00-3:00"));
    }
}
