package org.ocfupdate.gateway.internal.console;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;

import org.ocfupdate.pstat.api.ProviderInfo;
import org.ocfupdate.pstat.api.PstatService;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Chooses the provider the engine uses, persistently, as the engine's own configuration: {@code preferredProvider}
 * of PID {@code org.ocfupdate.pstat} (ConfigAdmin keeps it in {@code data/}). Other bundles' configurations (their
 * {@code service.ranking}) are left as their operator wrote them; the engine switches at once, without restart, and
 * goes back to the highest ranking while the chosen provider is absent.
 */
public final class ProviderRanking {
    /** The update engine's configuration (shared with the state machine, docs/operator-contract.md). */
    public static final String ENGINE_PID = "org.ocfupdate.pstat";
    public static final String PREFERRED = "preferredProvider";

    private ProviderRanking() {
    }

    /** Makes the provider named {@code name} (or with that service id) the one in use. */
    public static Actions.Outcome use(String nameOrId, PstatService pstat, ConfigurationAdmin ca) {
        List<ProviderInfo> all = pstat.providers();
        Optional<ProviderInfo> chosen = all.stream()
                .filter(p -> p.name().equals(nameOrId) || String.valueOf(p.serviceId()).equals(nameOrId)).findFirst();
        if (chosen.isEmpty()) {
            return new Actions.Outcome(false, "refused: no provider " + nameOrId + " is present");
        }
        ProviderInfo p = chosen.get();
        if (p.inUse()) {
            return new Actions.Outcome(true, p.name() + " is already in use");
        }
        try {
            Configuration c = ca.getConfiguration(ENGINE_PID, "?");
            Dictionary<String, Object> props = c.getProperties() == null ? new Hashtable<>() : c.getProperties();
            props.put(PREFERRED, p.name());
            c.update(props);
        } catch (IOException e) {
            return new Actions.Outcome(false, "cannot change " + ENGINE_PID + ": " + e.getMessage());
        }
        return new Actions.Outcome(true, p.name() + " will be used: " + PREFERRED + " " + p.name() + " in "
                + ENGINE_PID);
    }
}
