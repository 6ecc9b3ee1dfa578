package org.ocfupdate.provider.http.internal;

import java.util.Dictionary;
import java.util.Hashtable;

import org.ocfupdate.pstat.api.provider.UpdateProvider;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the {@link HttpProvider} as an {@link UpdateProvider} while PID {@code org.ocfupdate.provider.http} has a
 * {@code url} (docs/operator-contract.md: without it the provider registers no service). A DS component cannot make its
 * service depend on the value of a property, so this one has no service and registers the provider itself; a change
 * of the ranking updates the registration's properties, which the engine re-sorts at once.
 */
@Component(configurationPid = HttpProviderManager.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = HttpProviderManager.Config.class)
public class HttpProviderManager {
    static final String PID = "org.ocfupdate.provider.http";
    private static final Logger LOG = LoggerFactory.getLogger(HttpProviderManager.class);

    @ObjectClassDefinition(name = "OCF update provider: HTTP(S)",
            description = "Over-the-air updates: a signed release descriptor and its package from an HTTP(S) server.")
    public @interface Config {
        @AttributeDefinition(description = "URL of the signed release descriptor (its signature at url + \".sig\"). "
                + "Without it the provider offers nothing and registers no service.")
        String url() default "";

        @AttributeDefinition(name = "Service ranking", description = "The engine uses the provider with the "
                + "highest ranking.")
        int service_ranking() default 0;

        @AttributeDefinition(description = "Seconds to wait for a TCP (and TLS) connection.")
        int connectTimeoutSeconds() default 10;

        @AttributeDefinition(description = "Seconds to wait for the response headers, and for each part of a body.")
        int readTimeoutSeconds() default 30;

        @AttributeDefinition(description = "Further attempts of a package download after a lost connection or a "
                + "5xx answer, with back-off (0.5 s, 1 s, 2 s, ...); 4xx answers are not retried.")
        int retries() default 3;

        @AttributeDefinition(description = "Optional PEM file of CA certificates (private PKI) trusted in addition "
                + "to the JDK's default ones.")
        String caFile() default "";
    }

    private final BundleContext context;
    private HttpProvider provider;
    private ServiceRegistration<UpdateProvider> registration;

    @Activate
    public HttpProviderManager(BundleContext context, Config config) {
        this.context = context;
        apply(config);
    }

    @Modified
    void modified(Config config) {
        apply(config);
    }

    @Deactivate
    synchronized void deactivate() {
        unregister();
    }

    private synchronized void apply(Config config) {
        Settings settings = Settings.of(config);
        if (settings.url().isEmpty()) {
            unregister();
            LOG.info("No url: the HTTP provider offers nothing");
            return;
        }
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(Constants.SERVICE_RANKING, config.service_ranking());
        props.put("provider.name", "http");
        props.put("provider.pid", PID); // the configuration an operator changes to rank it (the console does)
        props.put("provider.url", settings.url());
        if (registration == null) {
            provider = new HttpProvider(settings);
            registration = context.registerService(UpdateProvider.class, provider, props);
            LOG.info("HTTP provider for {} (ranking {})", settings.url(), config.service_ranking());
        } else {
            provider.reconfigure(settings);
            registration.setProperties(props);
            LOG.info("HTTP provider now for {} (ranking {})", settings.url(), config.service_ranking());
        }
    }

    private void unregister() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                LOG.debug("already unregistered", e); // the bundle is stopping
            }
            registration = null;
            provider = null;
        }
    }
}
