package org.ocfupdate.update.engine.internal.pkg;

/** A refused package: the {@code /oc/swu} result code (5 validation failure, 3 not enough flash) and why. */
public class PackageException extends Exception {
    private static final long serialVersionUID = 1L;
    public static final int VALIDATION_FAILURE = 5;
    public static final int NOT_ENOUGH_FLASH = 3;

    private final int result;

    public PackageException(int result, String reason) {
        super(reason);
        this.result = result;
    }

    public static PackageException invalid(String reason) {
        return new PackageException(VALIDATION_FAILURE, reason);
    }

    public int result() {
        return result;
    }
}
