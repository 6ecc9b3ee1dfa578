package org.ocfupdate.pstat.api.provider;

import org.ocfupdate.pstat.api.UpdateResult;

/** A failed provider action, with the {@code /oc/swu} result it maps to and a reason for the operator. */
public class UpdateException extends Exception {
    private static final long serialVersionUID = 1L;
    private final UpdateResult result;

    public UpdateException(UpdateResult result, String reason) {
        super(reason);
        this.result = result;
    }

    public UpdateException(UpdateResult result, String reason, Throwable cause) {
        super(reason, cause);
        this.result = result;
    }

    public UpdateResult result() {
        return result;
    }
}
