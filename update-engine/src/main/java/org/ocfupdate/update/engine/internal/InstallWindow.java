package org.ocfupdate.update.engine.internal;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * When the device may install on its own ({@code autoInstall}, forced offers): {@code installWindow} of PID
 * {@code org.ocfupdate.pstat}. Text: one or more windows separated by {@code ;}, each {@code [DAYS ]HH:MM-HH:MM} in
 * local time, DAYS a comma-separated list of {@code Mon}..{@code Sun} or ranges such as {@code Mon-Fri}; without
 * days every day. A window whose end is not after its start crosses midnight and belongs to the day it starts
 * ({@code Sat 22:00-02:00} includes Sunday 01:00); {@code 24:00} ends at midnight. Empty text: any time.
 * <p>
 * Times are compared as local date-times (java.time), so a daylight-saving change shortens or lengthens the window
 * as a wall clock does: at the spring change the skipped hour is not in it, the repeated one in autumn is twice.
 */
public final class InstallWindow {
    /** Any time (an empty {@code installWindow}). */
    public static final InstallWindow ANY = new InstallWindow("", List.of());
    /** No time at all: while the configured text does not parse (nothing installs by itself until it is corrected). */
    public static final InstallWindow NEVER = new InstallWindow("never (installWindow is not valid)", null);

    private record Range(Set<DayOfWeek> days, LocalTime start, LocalTime end, boolean toMidnight) {
        /** Does the window that starts on {@code day} contain {@code t}? */
        boolean contains(LocalDateTime t, java.time.LocalDate day) {
            if (!days.contains(day.getDayOfWeek())) {
                return false;
            }
            LocalDateTime from = day.atTime(start);
            LocalDateTime to = toMidnight || !end.isAfter(start) ? day.plusDays(1).atTime(toMidnight ? LocalTime.MIDNIGHT
                    : end) : day.atTime(end);
            return !t.isBefore(from) && t.isBefore(to);
        }
    }

    private final String text;
    private final List<Range> ranges;

    private InstallWindow(String text, List<Range> ranges) {
        this.text = text;
        this.ranges = ranges;
    }

    /**
     * Parses {@code installWindow}.
     *
     * @throws IllegalArgumentException saying which part is wrong and what is expected
     */
    public static InstallWindow parse(String text) {
        if (text == null || text.isBlank()) {
            return ANY;
        }
        List<Range> ranges = new ArrayList<>();
        for (String part : text.split(";")) {
            String p = part.trim();
            if (p.isEmpty()) {
                throw new IllegalArgumentException("empty window in '" + text + "' (windows are separated by ';')");
            }
            String[] words = p.split("\\s+");
            if (words.length > 2) {
                throw new IllegalArgumentException("'" + p + "' is not [DAYS ]HH:MM-HH:MM (days without spaces: "
                        + "Sat,Sun or Mon-Fri)");
            }
            Set<DayOfWeek> days = words.length == 2 ? days(words[0]) : EnumSet.allOf(DayOfWeek.class);
            String times = words[words.length - 1];
            int dash = times.indexOf('-');
            if (dash < 0) {
                throw new IllegalArgumentException("'" + times + "' is not a time range HH:MM-HH:MM");
            }
            String endText = times.substring(dash + 1);
            LocalTime start = time(times.substring(0, dash));
            boolean toMidnight = endText.equals("24:00");
            LocalTime end = toMidnight ? LocalTime.MIDNIGHT : time(endText);
            if (end.equals(start) && !toMidnight) {
                throw new IllegalArgumentException("'" + times + "' is empty: start and end are the same time "
                        + "(a whole day is 00:00-24:00)");
            }
            ranges.add(new Range(days, start, end, toMidnight));
        }
        return new InstallWindow(text.trim(), List.copyOf(ranges));
    }

    private static LocalTime time(String s) {
        if (!s.matches("\\d{2}:\\d{2}")) {
            throw new IllegalArgumentException("'" + s + "' is not a time HH:MM (00:00 to 23:59, or 24:00 as an end)");
        }
        try {
            return LocalTime.parse(s);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + s + "' is not a time HH:MM (00:00 to 23:59, or 24:00 as an end)");
        }
    }

    private static Set<DayOfWeek> days(String list) {
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (String item : list.split(",")) {
            int dash = item.indexOf('-');
            if (dash < 0) {
                days.add(day(item));
                continue;
            }
            DayOfWeek from = day(item.substring(0, dash));
            DayOfWeek to = day(item.substring(dash + 1));
            for (DayOfWeek d = from;; d = d.plus(1)) { // Fri-Mon wraps over the weekend
                days.add(d);
                if (d == to) {
                    break;
                }
            }
        }
        return days;
    }

    private static DayOfWeek day(String s) {
        for (DayOfWeek d : DayOfWeek.values()) {
            if (d.name().substring(0, 3).equalsIgnoreCase(s)) {
                return d;
            }
        }
        throw new IllegalArgumentException("'" + s + "' is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)");
    }

    /** Is {@code t} (local wall-clock time) inside the window? */
    public boolean contains(LocalDateTime t) {
        if (ranges == null) {
            return false;
        }
        if (ranges.isEmpty()) {
            return true;
        }
        for (Range r : ranges) {
            // a window that crossed midnight started the day before
            if (r.contains(t, t.toLocalDate()) || r.contains(t, t.toLocalDate().minusDays(1))) {
                return true;
            }
        }
        return false;
    }

    /** True for an empty {@code installWindow}: any time. */
    public boolean isAnyTime() {
        return ranges != null && ranges.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InstallWindow w && w.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return ranges != null && ranges.isEmpty() ? "any time" : text;
    }
}
