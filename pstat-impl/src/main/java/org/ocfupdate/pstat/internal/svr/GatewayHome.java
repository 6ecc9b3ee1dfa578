package org.ocfupdate.pstat.internal.svr;

import java.nio.file.Path;
import java.nio.file.Paths;

import org.osgi.framework.BundleContext;

/** The gateway's home folder ({@code -Dgateway.home}, default the working directory) and its {@code data/}. */
public final class GatewayHome {
    public static final String PROPERTY = "gateway.home";

    private GatewayHome() {
    }

    public static Path data(BundleContext context) {
        String home = context == null ? null : context.getProperty(PROPERTY);
        if (home == null || home.isBlank()) {
            home = System.getProperty(PROPERTY, System.getProperty("user.dir"));
        }
        return Paths.get(home).toAbsolutePath().resolve("data");
    }
}
