package org.ocfupdate.pstat.internal;

/**
 * Carries out a software-update action on the worker thread and returns its outcome. The engine with its update
 * providers implements this; until one exists, no provider means no newer software.
 */
interface UpdateActions {
    UpdateActions NONE = bit -> "no update provider is available";

    /** Runs the action of {@code tm} bit {@code bit}; returns a short outcome for the log. */
    String run(int bit);
}
