package org.ocfupdate.provider.hawkbit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PID's settings: tokens from the configuration or data/credentials, the hidden test minimum. */
class SettingsTest {
    @TempDir
    Path data;

    private static HawkbitProviderManager.Config config(String url, String gatewayToken, String targetToken) {
        return new HawkbitProviderManager.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return HawkbitProviderManager.Config.class;
            }

            @Override
            public String url() {
                return url;
            }

            @Override
            public String tenant() {
                return "DEFAULT";
            }

            @Override
            public String controllerId() {
                return "";
            }

            @Override
            public String gatewayToken() {
                return gatewayToken;
            }

            @Override
            public String targetToken() {
                return targetToken;
            }

            @Override
            public String caFile() {
                return "";
            }

            @Override
            public int service_ranking() {
                return 0;
            }

            @Override
            public String distributionName() {
                return "ocf-update-gateway";
            }

            @Override
            public int connectTimeoutSeconds() {
                return 10;
            }

            @Override
            public int readTimeoutSeconds() {
                return 30;
            }

            @Override
            public int maxBackoffSeconds() {
                return 3600;
            }
        };
    }

    @Test
    void configuredGatewayTokenWins() {
        Settings s = HawkbitProviderManager.settings(config("https://hb.example", "g", "t"), Map.of(), data);
        assertEquals("GatewayToken g", s.authorization());
        assertEquals(Settings.SERVER_MIN_SLEEP, s.minSleep(), "the server's 30 s unless the hidden test property");
        assertEquals(data.resolve("hawkbit"), s.dataDir());
    }

    @Test
    void tokensFromDataCredentials() throws Exception {
        Files.createDirectories(data.resolve("credentials"));
        Files.writeString(data.resolve("credentials/hawkbit.properties"), "targetToken = abc123\n");
        Settings s = HawkbitProviderManager.settings(config("https://hb.example", "", ""), Map.of(), data);
        assertEquals("TargetToken abc123", s.authorization());
    }

    @Test
    void noTokenNoHeader() {
        assertNull(HawkbitProviderManager.settings(config("https://hb.example", "", ""), Map.of(), data)
                .authorization());
    }

    @Test
    void hiddenMinimumForTests() {
        Settings s = HawkbitProviderManager.settings(config("https://hb.example", "g", ""),
                Map.of(HawkbitProviderManager.MIN_SLEEP_MILLIS, "200"), data);
        assertEquals(Duration.ofMillis(200), s.minSleep());
    }

    @Test
    void aUrlThatIsNotHttpIsRefused() {
        assertEquals("url ftp://hb.example is not an http(s) URL", assertThrows(IllegalArgumentException.class,
                () -> HawkbitProviderManager.settings(config("ftp://hb.example", "", ""), Map.of(), data))
                .getMessage());
    }
}
