package org.ocfupdate.gateway.internal.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * HTTP Basic authentication of the Web Console. cnf/run.bnd names this provider
 * ({@code felix.webconsole.security.providers}), so the console serves nothing before it is registered, never
 * with admin/admin. The credentials come from PID {@code org.ocfupdate.console} when both are set there, else from
 * {@code data/credentials/console.properties} (generated on first start). When neither is usable every request
 * is refused and the log says why. It also refuses cross-site requests and throttles wrong passwords for the whole
 * console: see {@link #authenticate}.
 */
@Component(service = SecurityProvider.class, configurationPid = ConsoleSecurity.PID, immediate = true,
        property = SecurityProvider.PROPERTY_ID + "=" + ConsoleSecurity.ID)
@Designate(ocd = ConsoleSecurity.Config.class)
public class ConsoleSecurity implements SecurityProvider {
    static final String PID = "org.ocfupdate.console";
    static final String ID = "org.ocfupdate.console";
    static final String REALM = "OCF gateway console";
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleSecurity.class);

    @ObjectClassDefinition(name = "OCF gateway Web Console login",
            description = "HTTP Basic credentials of the Web Console. Leave both empty to use those generated in "
                    + "data/credentials/console.properties.")
    public @interface Config {
        @AttributeDefinition(description = "User name; empty = the generated one.")
        String user() default "";

        @AttributeDefinition(type = AttributeType.PASSWORD, description = "Password; empty = the generated one. "
                + "admin/admin is refused.")
        String password() default "";
    }

    private final Path folder;
    private volatile ConsoleCredentials credentials;
    private final LoginThrottle throttle = new LoginThrottle();
    private final RareWarning crossSite = new RareWarning(LOG::warn, 10, TimeUnit.SECONDS);
    private final RareWarning wrongPasswords = new RareWarning(LOG::warn, 10, TimeUnit.SECONDS);

    @Activate
    public ConsoleSecurity(BundleContext context, Config config) {
        String home = context.getProperty("gateway.home");
        String data = context.getProperty("gateway.data"); // launch.Main sets it; the OSGi tests give only the home
        this.folder = (data != null && !data.isEmpty() ? Path.of(data)
                : Path.of(home == null || home.isEmpty() ? "" : home).resolve("data")).toAbsolutePath()
                .resolve("credentials");
        configure(config);
    }

    @Modified
    void configure(Config config) {
        credentials = credentials(config);
    }

    private ConsoleCredentials credentials(Config config) {
        if (!config.user().isEmpty() || !config.password().isEmpty()) {
            try {
                return new ConsoleCredentials(config.user(), config.password());
            } catch (IllegalArgumentException e) {
                LOG.error("Console credentials of {} not used ({}); using {} instead", PID, e.getMessage(),
                        folder.resolve(ConsoleCredentials.FILE));
            }
        }
        try {
            return ConsoleCredentials.loadOrGenerate(folder, line -> {
                System.out.println(line); // stdout, not the log: the password must not stay in log files
                System.out.flush();
            });
        } catch (IOException | RuntimeException e) {
            LOG.error("The Web Console is locked: cannot read or create its credentials ({})", e.getMessage());
            return null;
        }
    }

    /**
     * Every request of the console's servlet context passes here before any page sees it (the console calls its
     * security provider from its ServletContextHelper), so this is the one place that guards the whole console:
     * a state-changing request from another origin is refused (403, {@link SameOrigin}); a password from a locked
     * client address is refused unchecked (429, {@link LoginThrottle}); else it is checked (401 when wrong).
     */
    @Override
    public Object authenticate(HttpServletRequest request, HttpServletResponse response) {
        long now = System.nanoTime();
        String console = SameOrigin.of(request.getScheme(), request.getHeader("Host"), request.getServerName(),
                request.getServerPort());
        String foreign = SameOrigin.refusal(request.getMethod(), request.getHeader("Origin"),
                request.getHeader("Referer"), console);
        if (foreign != null) {
            crossSite.warn("Web Console: refused " + request.getMethod() + " " + request.getRequestURI() + " from "
                    + request.getRemoteAddr() + " (protection against cross-site request forgery; nothing was "
                    + "changed): " + foreign, now);
            answer(response, HttpServletResponse.SC_FORBIDDEN, "Refused: " + foreign
                    + ". The console takes changes only from its own pages (protection against cross-site request "
                    + "forgery); nothing was changed.");
            return null;
        }
        ConsoleCredentials c = credentials;
        String[] given = basic(request.getHeader("Authorization"));
        if (c != null && given != null) {
            String client = LoginThrottle.key(request.getRemoteAddr());
            long wait = throttle.admit(client, now);
            if (wait > 0) {
                long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(wait + TimeUnit.SECONDS.toNanos(1) - 1));
                response.setHeader("Retry-After", Long.toString(seconds));
                answer(response, 429, "Too many wrong passwords from " + request.getRemoteAddr() + ": try again in "
                        + seconds + " s. No password was checked.");
                return null;
            }
            if (c.matches(given[0], given[1])) {
                throttle.succeeded(client);
                return given[0];
            }
            long lock = throttle.lockedFor(client, now);
            if (lock > 0) {
                wrongPasswords.warn("Web Console: repeated wrong passwords from " + request.getRemoteAddr()
                        + " (someone guessing, or a script with old credentials): its requests are refused (429) "
                        + "without a check for " + TimeUnit.NANOSECONDS.toSeconds(lock) + " s, twice as long after "
                        + "each further wrong one (up to " + LoginThrottle.MAX_LOCK_SECONDS / 60 + " min)", now);
            }
        }
        response.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
        answer(response, HttpServletResponse.SC_UNAUTHORIZED, c == null
                ? "The console is locked: see the gateway's log."
                : "Authentication required (see data/credentials/console.properties).");
        return null;
    }

    private static void answer(HttpServletResponse response, int status, String text) {
        try {
            response.setStatus(status);
            response.setContentType("text/plain;charset=UTF-8");
            response.setHeader("X-Content-Type-Options", "nosniff"); // the text quotes request headers
            response.getWriter().println(text);
        } catch (IOException | IllegalStateException e) {
            LOG.debug("Cannot answer {}: {}", status, e.getMessage());
        }
    }

    /** The user and password of an {@code Authorization: Basic} header, or null. */
    static String[] basic(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    @Override
    public boolean authorize(Object user, String role) {
        return true; // one operator role: whoever logs in manages the gateway
    }

    @Override
    public void logout(HttpServletRequest request, HttpServletResponse response) {
        // nothing to end: Basic authentication has no session; the browser forgets when it is closed
    }
}
