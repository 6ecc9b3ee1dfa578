package org.ocfupdate.pstat.api;

/**
 * One finished software-update action, as kept in the persisted history.
 *
 * @param time       when it ended (RFC 3339)
 * @param from       the version running when it started
 * @param to         the version offered or installed (empty when none was found)
 * @param provider   the provider that offered it (empty when none)
 * @param result     its {@code /oc/swu} result
 * @param durationMs how long it took
 * @param reason     why it ended so, for operators
 */
public record UpdateRecord(String time, String from, String to, String provider, UpdateResult result,
        long durationMs, String reason) {
}
