package org.ocfupdate.pstat.cbor;

import java.io.IOException;

/** A payload that {@link StrictCbor} refuses; the message is a short diagnostic fit for a 4.00 answer. */
public class MalformedCborException extends IOException {
    private static final long serialVersionUID = 1L;

    public MalformedCborException(String diagnostic) {
        super(diagnostic);
    }
}
