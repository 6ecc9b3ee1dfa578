package org.ocfupdate.pstat.api;

/** A pstat change that was refused; nothing changed. The message is a short diagnostic for the client. */
public class PstatRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the change was refused; each maps to one CoAP response code. */
    public enum Reason {
        /** The request is invalid in itself or in the current state (4.00). */
        BAD_REQUEST,
        /** The requester may not make this change (4.01). */
        UNAUTHORIZED
    }

    private final Reason reason;

    public PstatRefusedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
