package org.ocfupdate.pstat.internal.engine;

import java.util.concurrent.CompletableFuture;

/**
 * The installation running in this JVM, visible to every revision of this bundle: an installation may update
 * the very bundle that started it, and the new revision must wait for the old revision's installer thread instead
 * of rolling its journal back. Kept in the system properties (a JDK map every class loader shares) as a JDK
 * future completed with {@code "1 <version>"} or {@code "<result> <reason>"}.
 */
public final class InstallLock {
    /** The system property holding the running installation. */
    public static final String KEY = "org.ocfupdate.installing";

    private InstallLock() {
    }

    @SuppressWarnings("unchecked")
    public static CompletableFuture<String> running() {
        return (CompletableFuture<String>) System.getProperties().get(KEY);
    }

    public static CompletableFuture<String> begin() {
        CompletableFuture<String> f = new CompletableFuture<>();
        System.getProperties().put(KEY, f);
        return f;
    }

    public static void end(CompletableFuture<String> f, String outcome) {
        System.getProperties().remove(KEY, f);
        f.complete(outcome);
    }
}
