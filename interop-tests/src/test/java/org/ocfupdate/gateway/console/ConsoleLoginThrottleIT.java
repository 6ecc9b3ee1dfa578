package org.ocfupdate.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.gateway.interop.GatewayProcess;

/**
 * Wrong Web Console passwords against the exported gateway, over real HTTP: after a few, the client's address is
 * refused (429, Retry-After) without its password being checked, the right one included, until the wait is over.
 * Its own gateway: the lockout of 127.0.0.1 would disturb every other console test.
 */
class ConsoleLoginThrottleIT {
    @TempDir
    static Path home; // deleted by JUnit after the class
    static GatewayProcess gateway;
    static int httpPort;
    static String user;
    static String password;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        httpPort = ConsoleBrowserIT.freeTcpPort();
        gateway = new GatewayProcess(home, "-Dorg.osgi.service.http.port=" + httpPort).start();
        Properties p = new Properties();
        try (var in = Files.newInputStream(home.resolve("data/credentials/console.properties"))) {
            p.load(in);
        }
        user = p.getProperty("user");
        password = p.getProperty("password");
        for (int i = 0; i < 200 && status(get(password)) != 200; i++) {
            Thread.sleep(100); // Jetty and the console start after the CoAP device
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.stop();
        }
    }

    static HttpResponse<String> get(String pw) {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/system/console/bundles"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((user + ":" + pw).getBytes(StandardCharsets.UTF_8))).build();
        try {
            return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            return null; // not listening yet
        }
    }

    static int status(HttpResponse<String> r) {
        return r == null ? -1 : r.statusCode();
    }

    @Test
    void afterFiveWrongPasswordsTheAddressIsRefusedUntilTheWaitIsOver() throws Exception {
        assertEquals(200, status(get(password)));
        for (int i = 1; i <= 5; i++) {
            assertEquals(401, status(get("wrong" + i)), "wrong password " + i + " is checked");
        }
        int refused = 0;
        for (int i = 0; i < 50; i++) {
            HttpResponse<String> r = get("wrong" + i);
            if (r.statusCode() == 429) {
                refused++;
                assertTrue(r.headers().firstValue("Retry-After").orElse("").matches("[1-9][0-9]*"), r.headers().toString());
            }
        }
        // The first lockout is one second: on a very slow machine a try can fall after it (and is checked, and
        // doubles the next lockout), but most of 50 tries in a row must have been refused unchecked.
        assertTrue(refused >= 25, refused + " of 50 wrong passwords refused without being checked");
        // Wait out each lockout and try again: each wrong try then checked doubles the next lockout. Once one is
        // several seconds long, the right password sent at once is refused too: a locked address gets no answer
        // about any password.
        long retryAfter = 0;
        for (int i = 0; i < 20 && retryAfter < 4; i++) {
            HttpResponse<String> r = get("wrong-" + i);
            retryAfter = Long.parseLong(r.headers().firstValue("Retry-After").orElse("0"));
            if (retryAfter > 0 && retryAfter < 4) {
                Thread.sleep(retryAfter * 1000);
            }
        }
        HttpResponse<String> locked = get(password);
        assertEquals(429, locked.statusCode(), "the right password from a locked address is not checked");
        assertTrue(locked.body().contains("wrong passwords"), locked.body());
        assertTrue(gateway.output().contains("repeated wrong passwords from 127.0.0.1"), gateway.output());

        // the right password once the wait is over: accepted, and it clears the count
        int code = 0;
        for (int i = 0; i < 600 && (code = status(get(password))) == 429; i++) {
            Thread.sleep(100);
        }
        assertEquals(200, code);
        assertEquals(401, status(get("wrong-again")), "the count starts again after a successful login");
    }
}
