package org.ocfupdate.provider.hawkbit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import org.ocfupdate.pstat.api.CoapEndpoints;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.pstat.api.provider.UpdateProvider;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the {@link HawkbitProvider} as an {@link UpdateProvider} while PID {@code org.ocfupdate.provider.hawkbit}
 * has a {@code url} (like the HTTP provider: without it no service). A change of the configuration replaces the
 * provider (its state is on disk, so the action goes on).
 */
// no service: it registers the provider itself (and Device, which it implements, is no service of it)
@Component(service = {}, configurationPid = HawkbitProviderManager.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = HawkbitProviderManager.Config.class)
public class HawkbitProviderManager implements Device {
    static final String PID = "org.ocfupdate.provider.hawkbit";
    /** Tokens may live here instead of in etc/ (keys gatewayToken, targetToken). */
    static final String CREDENTIALS = "hawkbit.properties";
    /** Not in the metatype: tests poll faster than any real server allows. */
    static final String MIN_SLEEP_MILLIS = "minSleepMillis";
    private static final Logger LOG = LoggerFactory.getLogger(HawkbitProviderManager.class);

    @ObjectClassDefinition(name = "OCF update provider: Eclipse hawkBit",
            description = "The gateway as a target of an Eclipse hawkBit update server (DDI API).")
    public @interface Config {
        @AttributeDefinition(description = "The server's base URL, e.g. https://hawkbit.example.com (without "
                + "tenant). Without it the provider registers no service.")
        String url() default "";

        @AttributeDefinition(description = "The tenant.")
        String tenant() default "DEFAULT";

        @AttributeDefinition(description = "The controller id of this gateway on the server; empty: the device's "
                + "di at the first poll, kept in data/hawkbit/controllerId (an ownership transfer changes the di, "
                + "not the target).")
        String controllerId() default "";

        @AttributeDefinition(type = AttributeType.PASSWORD, description = "The tenant's gateway security token "
                + "(Authorization: GatewayToken); or put gatewayToken=... in data/credentials/hawkbit.properties.")
        String gatewayToken() default "";

        @AttributeDefinition(type = AttributeType.PASSWORD, description = "The target's security token "
                + "(Authorization: TargetToken), used when no gateway token is set; or put targetToken=... in "
                + "data/credentials/hawkbit.properties.")
        String targetToken() default "";

        @AttributeDefinition(description = "Optional PEM file of CA certificates (private PKI) trusted besides the "
                + "JDK's.")
        String caFile() default "";

        @AttributeDefinition(name = "Service ranking", description = "The engine uses the provider with the "
                + "highest ranking.")
        int service_ranking() default 0;

        @AttributeDefinition(description = "The distribution set name reported (installedBase) when another "
                + "provider installed a version.")
        String distributionName() default "ocf-update-gateway";

        @AttributeDefinition(description = "Seconds to wait for a TCP (and TLS) connection.")
        int connectTimeoutSeconds() default 10;

        @AttributeDefinition(description = "Seconds to wait for an answer, and for each part of a download.")
        int readTimeoutSeconds() default 30;

        @AttributeDefinition(description = "Longest wait, in seconds, between polls after errors (back-off).")
        int maxBackoffSeconds() default 3600;
    }

    private final BundleContext context;
    private final PstatService pstat;
    private volatile String di;
    private HawkbitProvider provider;
    private ServiceRegistration<UpdateProvider> registration;

    @Activate
    public HawkbitProviderManager(BundleContext context, @Reference PstatService pstat, Config config,
            Map<String, Object> properties) {
        this.context = context;
        this.pstat = pstat;
        start(config, properties);
    }

    @Deactivate
    synchronized void deactivate() {
        stop();
    }

    /** The device id comes with the CoAP endpoints' registration (service property {@code ocf.di}). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindEndpoints")
    void bindEndpoints(CoapEndpoints e, Map<String, Object> props) {
        Object id = props.get("ocf.di");
        if (id != null) {
            di = id.toString();
        }
    }

    void unbindEndpoints(CoapEndpoints e) {
        // the device id stays what it was
    }

    private synchronized void start(Config config, Map<String, Object> properties) {
        String url = config.url() == null ? "" : config.url().trim();
        if (url.isEmpty()) {
            LOG.info("No url: the hawkBit provider offers nothing");
            return;
        }
        Settings settings;
        try {
            settings = settings(config, properties, data(context));
        } catch (IllegalArgumentException e) {
            LOG.error("hawkBit provider not started: {} ({})", e.getMessage(), PID);
            return;
        }
        try {
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("platform", System.getProperty("os.name") + " " + System.getProperty("os.arch")
                    + ", Java " + System.getProperty("java.version"));
            attributes.put("product", "ocf-update-gateway " + context.getBundle().getVersion());
            provider = new HawkbitProvider(settings, this, new DdiClient(settings), attributes);
        } catch (IOException | GeneralSecurityException e) {
            LOG.error("hawkBit provider not started: {}", e.toString());
            return;
        }
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(Constants.SERVICE_RANKING, config.service_ranking());
        props.put("provider.name", "hawkbit");
        props.put("provider.pid", PID);
        props.put("provider.url", settings.server().toString());
        registration = context.registerService(UpdateProvider.class, provider, props);
        provider.start();
        LOG.info("hawkBit provider for {} tenant {} controller {} (ranking {})", settings.server(),
                settings.tenant(), settings.controllerId().isEmpty() ? "= di at the first poll (kept in "
                        + settings.dataDir().resolve(HawkbitProvider.CONTROLLER_ID) + ")" : settings.controllerId(),
                config.service_ranking());
    }

    private void stop() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                LOG.debug("already unregistered", e);
            }
            registration = null;
        }
        if (provider != null) {
            provider.stop();
            provider = null;
        }
    }

    static Path data(BundleContext context) {
        String data = context.getProperty("gateway.data");
        String home = context.getProperty("gateway.home");
        return (data != null && !data.isBlank() ? Path.of(data)
                : Path.of(home == null || home.isBlank() ? "" : home).resolve("data")).toAbsolutePath();
    }

    /** The settings; the tokens from the configuration or else from data/credentials/hawkbit.properties. */
    static Settings settings(Config c, Map<String, Object> properties, Path data) {
        URI server;
        try {
            server = new URI(c.url().trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("url " + c.url() + " is not a URL");
        }
        String scheme = server.getScheme() == null ? "" : server.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || server.getHost() == null) {
            throw new IllegalArgumentException("url " + c.url() + " is not an http(s) URL");
        }
        Properties file = new Properties();
        Path credentials = data.resolve("credentials").resolve(CREDENTIALS);
        try (InputStream in = Files.newInputStream(credentials)) {
            file.load(in);
        } catch (NoSuchFileException e) {
            // tokens only in the configuration, or none
        } catch (IOException e) {
            LOG.warn("hawkBit: cannot read {} ({})", credentials, e.toString());
        }
        String gateway = first(c.gatewayToken(), file.getProperty("gatewayToken"));
        String target = first(c.targetToken(), file.getProperty("targetToken"));
        String auth = !gateway.isEmpty() ? "GatewayToken " + gateway : !target.isEmpty() ? "TargetToken " + target
                : null;
        if (auth == null) {
            LOG.warn("hawkBit: no gatewayToken or targetToken (configuration or {}): the server will answer 401 "
                    + "unless it allows anonymous targets", credentials);
        }
        if (scheme.equals("http")) {
            LOG.warn("hawkBit: {} is plain http: the token and the deployments travel unprotected", server);
        }
        String ca = c.caFile() == null ? "" : c.caFile().trim();
        Duration min = Settings.SERVER_MIN_SLEEP;
        Object hidden = properties.get(MIN_SLEEP_MILLIS);
        if (hidden != null) {
            min = Duration.ofMillis(Math.max(10, Long.parseLong(hidden.toString().trim())));
        }
        String tenant = c.tenant() == null || c.tenant().isBlank() ? "DEFAULT" : c.tenant().trim();
        return new Settings(server, tenant, c.controllerId() == null ? "" : c.controllerId().trim(), auth,
                ca.isEmpty() ? null : Path.of(ca), min, Duration.ofSeconds(Math.max(1, c.maxBackoffSeconds())),
                Duration.ofSeconds(Math.max(1, c.connectTimeoutSeconds())),
                Duration.ofSeconds(Math.max(1, c.readTimeoutSeconds())), data.resolve("hawkbit"),
                c.distributionName() == null || c.distributionName().isBlank() ? "ocf-update-gateway"
                        : c.distributionName().trim());
    }

    private static String first(String a, String b) {
        return a != null && !a.isBlank() ? a.trim() : b != null ? b.trim() : "";
    }

    @Override
    public String di() {
        return di;
    }

    @Override
    public String runningVersion() {
        return pstat.status().runningVersion();
    }

    @Override
    public boolean installing() {
        return pstat.current().update() == UpdateState.UPGRADING;
    }
}
