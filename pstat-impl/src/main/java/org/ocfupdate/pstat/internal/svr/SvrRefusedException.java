package org.ocfupdate.pstat.internal.svr;

/**
 * A write of an SVR list that the requester may not make (4.01), or that nobody may make because it would leave
 * the device without a working owner credential (4.03). Nothing was changed; the message is the diagnostic.
 */
public final class SvrRefusedException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The answer the refusal gets. */
    public enum Reason {
        /** Only the owner may make this change (4.01, as any other missing permission). */
        NOT_OWNER,
        /** Not even the owner may make this change (4.03). */
        FORBIDDEN
    }

    private final Reason reason;

    public SvrRefusedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
