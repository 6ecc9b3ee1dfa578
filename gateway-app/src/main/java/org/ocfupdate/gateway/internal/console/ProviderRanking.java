package org.ocfupdate.gateway.internal.console;

import java.io.IOException;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;

import org.ocfupdate.pstat.api.ProviderInfo;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.api.provider.UpdateProvider;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Chooses the provider the engine uses, persistently: the chosen provider's configuration (its
 * {@code provider.pid}) gets a {@code service.ranking} one above every other provider's. ConfigAdmin keeps it in
 * {@code data/}; the provider's service is re-ranked and the engine switches at once, without restart.
 */
public final class ProviderRanking {
    private ProviderRanking() {
    }

    /** Makes the provider named {@code name} (or with that service id) the one in use. */
    public static Actions.Outcome use(String nameOrId, PstatService pstat, ConfigurationAdmin ca,
            BundleContext context) {
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
        String pid = pid(context, p.serviceId());
        if (pid == null) {
            return new Actions.Outcome(false, "refused: provider " + p.name()
                    + " has no configuration (provider.pid) through which to rank it");
        }
        int top = all.stream().filter(o -> o.serviceId() != p.serviceId()).mapToInt(ProviderInfo::ranking).max()
                .orElse(0);
        int ranking = Math.addExact(top, 1);
        try {
            Configuration c = ca.getConfiguration(pid, "?");
            Dictionary<String, Object> props = c.getProperties() == null ? new Hashtable<>() : c.getProperties();
            props.put(Constants.SERVICE_RANKING, ranking);
            c.update(props);
        } catch (IOException e) {
            return new Actions.Outcome(false, "cannot change " + pid + ": " + e.getMessage());
        }
        return new Actions.Outcome(true, p.name() + " will be used: service.ranking " + ranking + " in " + pid);
    }

    private static String pid(BundleContext context, long serviceId) {
        try {
            Collection<ServiceReference<UpdateProvider>> refs = context.getServiceReferences(UpdateProvider.class,
                    "(" + Constants.SERVICE_ID + "=" + serviceId + ")");
            return refs.stream().map(r -> r.getProperty("provider.pid")).filter(String.class::isInstance)
                    .map(String.class::cast).findFirst().orElse(null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e); // a filter of a number cannot be invalid
        }
    }
}
