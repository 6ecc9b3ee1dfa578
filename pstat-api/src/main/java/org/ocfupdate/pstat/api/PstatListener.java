package org.ocfupdate.pstat.api;

import org.osgi.annotation.versioning.ConsumerType;

/** Told of every pstat transition, in order, each with its own snapshot. */
@ConsumerType
@FunctionalInterface
public interface PstatListener {
    /** Called on the state machine's thread: return quickly, never block. */
    void pstatChanged(Pstat snapshot);
}
