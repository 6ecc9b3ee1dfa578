package org.ocfupdate.pstat.api;

/** The bits of {@code oic.sec.dpmtype} used in {@code cm} and {@code tm}, with the software-update bit 256. */
public final class Dpm {
    public static final int RESET = 1;
    public static final int TAKE_OWNER = 2;
    public static final int SECURITY_MANAGEMENT_SERVICES = 8;
    public static final int PROVISION_CREDENTIALS = 16;
    public static final int PROVISION_ACLS = 32;
    /** ISVV: initiate software version validation. */
    public static final int ISVV = 64;
    /** ISSU: initiate secure software update. */
    public static final int ISSU = 128;
    /** ISAC: initiate software availability check. */
    public static final int ISAC = 256;
    /** The three software-update bits. */
    public static final int SOFTWARE_UPDATE = ISVV | ISSU | ISAC;
    /** The largest value of {@code cm}/{@code tm} (the public schema stops at 255; bit 256 needs 511). */
    public static final int MAX = 511;

    private Dpm() {
    }
}
