package org.ocfupdate.gateway.support;

import java.nio.file.Path;
import java.nio.file.Paths;

import org.osgi.framework.BundleContext;

/**
 * The gateway's home folder ({@code -Dgateway.home}, default the working directory) and its {@code data/}
 * ({@code -Dgateway.data}, default {@code HOME/data}: the Debian package keeps it in /var/lib/ocf-update-gateway).
 */
public final class GatewayHome {
    public static final String PROPERTY = "gateway.home";
    public static final String DATA = "gateway.data";

    private GatewayHome() {
    }

    /** The folder that relative paths in the configuration are relative to. */
    public static Path home(BundleContext context) {
        return Paths.get(property(context, PROPERTY, System.getProperty("user.dir"))).toAbsolutePath();
    }

    public static Path data(BundleContext context) {
        String data = property(context, DATA, null);
        return data != null ? Paths.get(data).toAbsolutePath() : home(context).resolve("data");
    }

    private static String property(BundleContext context, String name, String otherwise) {
        String value = context == null ? null : context.getProperty(name);
        if (value == null || value.isBlank()) {
            value = System.getProperty(name, otherwise);
        }
        return value == null || value.isBlank() ? otherwise : value;
    }
}
