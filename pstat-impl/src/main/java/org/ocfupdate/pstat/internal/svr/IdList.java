package org.ocfupdate.pstat.internal.svr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.ToIntFunction;

/**
 * The list semantics OCF gives {@code aclist2} and {@code creds}: an entry with the id of an existing one replaces
 * it, one without an id (0) gets a new one, above every id in use or requested.
 */
final class IdList {
    private IdList() {
    }

    /** The merged list and the entries as added (with their ids). */
    record Merge<T>(List<T> all, List<T> added) {
    }

    /** @throws IllegalArgumentException when the result would hold more than {@code max}; nothing is changed */
    static <T> Merge<T> merge(List<T> current, List<T> entries, ToIntFunction<T> idOf, BiFunction<T, Integer, T> withId,
            int max, String what) {
        Map<Integer, T> next = new LinkedHashMap<>();
        current.forEach(e -> next.put(idOf.applyAsInt(e), e));
        int id = Math.max(current.stream().mapToInt(idOf).max().orElse(0), entries.stream().mapToInt(idOf).max().orElse(0));
        List<T> added = new ArrayList<>();
        for (T e : entries) {
            T identified = idOf.applyAsInt(e) > 0 ? e : withId.apply(e, ++id);
            next.put(idOf.applyAsInt(identified), identified);
            added.add(identified);
        }
        if (next.size() > max) {
            throw new IllegalArgumentException(what + " holds at most " + max + " entries");
        }
        return new Merge<>(List.copyOf(next.values()), added);
    }

    /** Without entry {@code id}, or empty when {@code id} is null (OCF: a DELETE without a query removes all). */
    static <T> List<T> without(List<T> current, Integer id, ToIntFunction<T> idOf) {
        return id == null ? List.of() : current.stream().filter(e -> idOf.applyAsInt(e) != id).toList();
    }
}
