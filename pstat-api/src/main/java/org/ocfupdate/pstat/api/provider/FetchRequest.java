package org.ocfupdate.pstat.api.provider;

import java.nio.file.Path;

import org.osgi.annotation.versioning.ProviderType;

/** What the engine asks of {@link UpdateProvider#fetch}. */
@ProviderType
public interface FetchRequest {
    /** The offer to fetch, as this provider made it. */
    UpdateOffer offer();

    /** The staging file to write; it may hold a partial earlier transfer of the same offer (resume). */
    Path target();

    /** Reports progress: bytes written so far and the total, or -1 when unknown. Cheap; call often. */
    void progress(long bytes, long total);

    /** True once the action was cancelled: stop and return (throwing is fine). */
    boolean isCancelled();
}
