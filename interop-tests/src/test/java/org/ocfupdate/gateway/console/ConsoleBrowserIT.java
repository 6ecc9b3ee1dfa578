package org.ocfupdate.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ocfupdate.gateway.interop.GatewayProcess;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * An operator in a real browser (Debian's chromium, headless, driven through /usr/bin/chromedriver) on the console
 * page of the exported gateway: logs in with the generated credentials, sees the state, clicks Check with a USB
 * "medium" holding a newer signed package, watches the state and progress reach version_available, clicks Update,
 * and sees the new version and its history row. Screenshots go to target/console-screenshots/.
 */
class ConsoleBrowserIT {
    static final Path SCREENSHOTS = Paths.get("target", "console-screenshots");
    /** Deleted by JUnit after the class, with the chromium profile and the 48 MB package (220 MB per run). */
    @TempDir
    static Path home;
    static Path media;
    static GatewayProcess gateway;
    static int httpPort;
    static String user;
    static String password;
    static ChromeDriver browser;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void givenAGatewayTrustingAVendorKeyAndWatchingAUsbRoot() throws Exception {
        media = Files.createDirectories(home.resolve("media")).toRealPath();
        OcfPkg.run(home, "keygen", "--private", "vendor-private.pem", "--public", "vendor.pem");
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/org.ocfupdate.trust.cfg"), "keys=" + home.resolve("vendor.pem") + "\n");
        // the operator clicks Check: a medium does not start one by itself here
        Files.writeString(home.resolve("etc/org.ocfupdate.provider.usb.cfg"),
                "roots=" + media + "\ncheckOnInsert=false\n");
        httpPort = freeTcpPort();
        // the last -D of a property wins: the console on a port this test knows
        gateway = new GatewayProcess(home, "-Dorg.osgi.service.http.port=" + httpPort).start();
        Properties p = new Properties();
        try (var in = Files.newInputStream(home.resolve("data/credentials/console.properties"))) {
            p.load(in);
        }
        user = p.getProperty("user");
        password = p.getProperty("password");
        assertTrue(gateway.output().contains("Web Console credentials generated"), "printed once on first start");
        awaitConsole();
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (gateway != null) {
            gateway.stop();
        }
    }

    static String console(String path) {
        return "http://127.0.0.1:" + httpPort + "/system/console" + path;
    }

    static HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(console(path))).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            r.header("Authorization", authorization);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String basic(String u, String p) {
        return "Basic " + Base64.getEncoder().encodeToString((u + ":" + p).getBytes(StandardCharsets.UTF_8));
    }

    /** Jetty and the console start after the CoAP device (start level 2): wait for the page. */
    static void awaitConsole() throws Exception {
        for (int i = 0; i < 200; i++) {
            try {
                if (get("/ocf-update/state.json", basic(user, password)).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the console page did not answer:\n" + gateway.output());
    }

    @Test
    void withoutTheRightCredentialsTheConsoleAnswers401() throws Exception {
        for (String auth : new String[] {null, basic("admin", "admin"), basic(user, "wrong"), basic("wrong", password)}) {
            for (String path : List.of("/ocf-update", "/ocf-update/state.json", "/bundles", "/configMgr")) {
                HttpResponse<String> r = get(path, auth);
                assertEquals(401, r.statusCode(), path + " with " + auth);
                assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm="));
            }
            // a login clears the count of wrong passwords (ConsoleLoginThrottleIT): no lockout here
            assertEquals(200, get("/bundles", basic(user, password)).statusCode());
        }
        assertEquals(200, get("/bundles", basic(user, password)).statusCode());
    }

    @Test
    void aPostWithoutThePageTokenChangesNothing() throws Exception {
        HttpRequest post = HttpRequest.newBuilder(URI.create(console("/ocf-update/action")))
                .header("Authorization", basic(user, password))
                .header("Origin", "http://127.0.0.1:" + httpPort) // from the console itself, but without the token
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("do=check")).build();
        HttpResponse<String> r = HTTP.send(post, HttpResponse.BodyHandlers.ofString());
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("X-OCF-CSRF"), r.body());
        assertEquals(404, get("/ocf-update/action?do=check", basic(user, password)).statusCode(),
                "a GET changes nothing");
    }

    @Test
    void anOperatorChecksAndUpdatesFromAUsbMediumInTheBrowser() throws Exception {
        browser().get(console("/ocf-update"));
        String running = get("/ocf-update/state.json", basic(user, password)).body()
                .replaceAll("(?s).*\"version\":\"([^\"]+)\".*", "$1");
        awaitText("ocf-state", "idle");
        awaitText("ocf-version", running);
        assertEquals("none", text("ocf-offer"));
        assertTrue(text("ocf-keys").contains("vendor.pem") && text("ocf-keys").contains("ECDSA P-256"),
                text("ocf-keys"));
        assertTrue(text("ocf-providers").startsWith("usb"), text("ocf-providers"));

        // a refused action shows a readable message, not an error page
        click("cancel");
        awaitText("ocf-message", "refused: no check or validation is running (idle)");
        assertTrue(browser.findElement(By.id("ocf-message")).getAttribute("class").contains("ocf-error"));

        // a medium with a newer signed package appears under the root (large enough for progress to be seen)
        String next = bump(running);
        Path pkg = signedPackage(next, 48 << 20);
        Path staged = Files.createDirectories(home.resolve("plug/USB1/ocf-update"));
        Files.copy(pkg, staged.resolve("update-" + next + ".zip"));
        Files.move(home.resolve("plug/USB1"), media.resolve("USB1"));
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> text("ocf-providers").contains("with " + next));

        recordChanges();
        click("check");
        new WebDriverWait(browser, Duration.ofSeconds(60)).until(d -> text("ocf-state").equals("version_available"));
        assertEquals(next + " from usb", text("ocf-offer"));
        // every transition is on the page, also those quicker than one poll
        String transitions = text("ocf-transitions");
        assertTrue(transitions.matches(".*new_version_check [0-9:.]+ \u2192 version_validation [0-9:.]+ \u2192 "
                + "version_available [0-9:.]+$"), transitions);
        List<String> seen = recorded();
        // The page polls state.json every 500 ms: a validation that took several polls must have been shown with
        // its step; on a fast, idle machine the 48 MB are copied and verified between two polls.
        long validationMs = com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                .readTree(get("/ocf-update/state.json", basic(user, password)).body())
                .path("history").path(0).path("duration").asLong();
        System.out.println("validation took " + validationMs + " ms; the page showed " + seen);
        if (validationMs >= 1500) {
            assertTrue(seen.stream().anyMatch(s -> s.startsWith("version_validation")),
                    "the page showed the validation: " + seen);
            assertTrue(seen.stream().anyMatch(s -> s.matches("version_validation\\|.*(fetching|verifying).*")),
                    "with its step and progress: " + seen);
        }
        screenshot("version-available");

        click("update");
        new WebDriverWait(browser, Duration.ofSeconds(90)).until(d -> text("ocf-version").equals(next)
                && text("ocf-state").equals("idle"));
        // the table is rebuilt at every poll: read its first row in one go, again if it was just replaced
        String firstRow = new WebDriverWait(browser, Duration.ofSeconds(10))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> d.findElement(By.cssSelector("#ocf-history tr")).getText());
        assertTrue(firstRow.contains(running) && firstRow.contains(next) && firstRow.contains("usb")
                && firstRow.contains("success"), firstRow);
        screenshot("updated");
    }

    /**
     * The operator adds a key through the stock Configuration page (configMgr): it takes effect. The same form POST
     * sent by a page of another origin in the same logged-in browser, or by any client with a foreign Origin or
     * Referer or with neither, is refused with 403 and changes nothing.
     */
    @Test
    void theConfigurationPageChangesTheTrustedKeysButTheSamePostFromAnotherSiteChangesNothing() throws Exception {
        OcfPkg.run(home, "keygen", "--private", "second-private.pem", "--public", "second.pem");
        OcfPkg.run(home, "keygen", "--private", "evil-private.pem", "--public", "evil.pem");
        String keys = home.resolve("vendor.pem") + "," + home.resolve("second.pem");
        browser().get(console("/configMgr/org.ocfupdate.trust"));
        WebElement field = new WebDriverWait(browser, Duration.ofSeconds(20))
                .until(d -> d.findElement(By.cssSelector("#editorForm [name='keys']")));
        field.clear();
        field.sendKeys(keys);
        browser.findElement(By.xpath("//div[contains(@class,'ui-dialog-buttonpane')]//button[normalize-space(.)='Save']"))
                .click();
        assertEquals(keys, trustedKeysSetting(), "the page's POST reached ConfigAdmin");
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> stateJson().contains("second.pem"));
        screenshot("configuration-saved");

        String evil = "apply=true&action=ajaxConfigManager&%24location=&propertylist=keys&keys="
                + java.net.URLEncoder.encode(home.resolve("evil.pem").toString(), StandardCharsets.UTF_8);
        // the attack of the issue: a page of another origin submits the form in the operator's browser
        try (CrossSitePage page = new CrossSitePage(console("/configMgr/org.ocfupdate.trust"), evil)) {
            browser.get(page.url());
            try {
                new WebDriverWait(browser, Duration.ofSeconds(20))
                        .until(d -> d.getCurrentUrl().startsWith(console("")) && d.getPageSource().contains("Refused"));
            } catch (org.openqa.selenium.TimeoutException e) {
                throw new AssertionError("the browser shows " + browser.getCurrentUrl() + ":\n"
                        + browser.getPageSource(), e);
            }
            assertTrue(browser.getPageSource().contains("not this console's origin"), browser.getPageSource());
        }
        screenshot("cross-site-post-refused");
        // the same POST from a client: a foreign Origin, Origin null (sandboxed page), a foreign Referer, neither
        for (String[] from : new String[][] {{"Origin", "http://evil.example"}, {"Origin", "null"},
                {"Origin", "http://127.0.0.1:" + (httpPort + 1)}, {"Referer", "http://evil.example/csrf.html"},
                {null, null}}) {
            HttpResponse<String> r = post("/configMgr/org.ocfupdate.trust", evil, from[0], from[1]);
            assertEquals(403, r.statusCode(), from[0] + ": " + from[1] + " -> " + r.body());
        }
        assertEquals(keys, trustedKeysSetting(), "no refused POST reached ConfigAdmin");
        assertTrue(!stateJson().contains("evil.pem"), stateJson());
        assertTrue(gateway.output().contains("cross-site request forgery"), "an operator can tell: " + gateway.output());

        // a script naming the console as its Origin, or a Referer from the console, still works
        assertEquals(302, post("/configMgr/org.ocfupdate.trust", "apply=true&action=ajaxConfigManager&propertylist=keys&keys="
                + java.net.URLEncoder.encode(keys, StandardCharsets.UTF_8), "Origin", "http://127.0.0.1:" + httpPort)
                .statusCode());
        assertEquals(302, post("/configMgr/org.ocfupdate.trust", "apply=true&action=ajaxConfigManager&propertylist=keys&keys="
                + java.net.URLEncoder.encode(keys, StandardCharsets.UTF_8), "Referer", console("/configMgr"))
                .statusCode());
    }

    @Test
    void stoppingABundleFromAnotherSiteIsRefused() throws Exception {
        String id = bundleId("org.ocfupdate.update.provider.usb");
        for (String origin : new String[] {"http://evil.example", null}) {
            HttpResponse<String> r = post("/bundles/" + id, "action=stop", origin == null ? null : "Origin", origin);
            assertEquals(403, r.statusCode(), origin + " -> " + r.body());
        }
        assertTrue(get("/bundles/" + id + ".json", basic(user, password)).body().contains("\"state\":\"Active\""),
                "the USB provider still runs");
        // the OCF page is behind the same check: even the page's token does not help another site
        String token = get("/ocf-update", basic(user, password)).body().replaceAll("(?s).*data-csrf=\"([^\"]+)\".*", "$1");
        HttpRequest action = HttpRequest.newBuilder(URI.create(console("/ocf-update/action")))
                .header("Authorization", basic(user, password)).header("X-OCF-CSRF", token)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("do=check")).build();
        HttpResponse<String> r = HTTP.send(action, HttpResponse.BodyHandlers.ofString());
        assertEquals(403, r.statusCode(), "no Origin: " + r.body());
        assertTrue(r.body().contains("Origin"), r.body());
    }

    static HttpResponse<String> post(String path, String form, String header, String value) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(console(path))).timeout(Duration.ofSeconds(10))
                .header("Authorization", basic(user, password))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (header != null) {
            r.header(header, value);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String stateJson() {
        try {
            return get("/ocf-update/state.json", basic(user, password)).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** org.ocfupdate.trust keys as ConfigAdmin holds it, read as the Configuration page reads it. */
    static String trustedKeysSetting() throws Exception {
        return com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                .readTree(get("/configMgr/org.ocfupdate.trust?post=true", basic(user, password)).body())
                .path("properties").path("keys").path("value").asText();
    }

    static String bundleId(String symbolicName) throws Exception {
        for (var b : com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                .readTree(get("/bundles.json", basic(user, password)).body()).path("data")) {
            if (b.path("symbolicName").asText().equals(symbolicName)) {
                return b.path("id").asText();
            }
        }
        throw new AssertionError(symbolicName + " is not installed");
    }

    /** A page on another origin (another port of 127.0.0.1) that submits a form to the console as it loads. */
    static final class CrossSitePage implements AutoCloseable {
        private final com.sun.net.httpserver.HttpServer server;

        CrossSitePage(String target, String form) throws IOException {
            StringBuilder inputs = new StringBuilder();
            for (String field : form.split("&")) {
                String[] kv = field.split("=", 2);
                inputs.append("<input type=\"hidden\" name=\"")
                        .append(java.net.URLDecoder.decode(kv[0], StandardCharsets.UTF_8)).append("\" value=\"")
                        .append(java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8)).append("\">");
            }
            byte[] html = ("<html><body><form id=\"f\" method=\"POST\" action=\"" + target + "\">" + inputs
                    + "</form><script>document.getElementById('f').submit();</script></body></html>")
                    .getBytes(StandardCharsets.UTF_8);
            server = com.sun.net.httpserver.HttpServer.create(
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", x -> {
                x.getResponseHeaders().set("Content-Type", "text/html;charset=UTF-8");
                x.sendResponseHeaders(200, html.length);
                x.getResponseBody().write(html);
                x.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/csrf.html";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    static ChromeDriver browser() {
        if (browser == null) {
            browser = chromium();
        }
        return browser;
    }

    static ChromeDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        Path profile;
        try {
            profile = Files.createTempDirectory(home, "chromium-profile");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        options.addArguments("--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1600",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        // HTTP Basic for every request of the page (its polling too), through the DevTools protocol: no login
        // dialog to fill in headless, and no credentials in URLs
        driver.executeCdpCommand("Network.enable", Map.of());
        driver.executeCdpCommand("Network.setExtraHTTPHeaders",
                Map.of("headers", Map.of("Authorization", basic(user, password))));
        return driver;
    }

    static String text(String id) {
        return browser.findElement(By.id(id)).getText().trim();
    }

    static void awaitText(String id, String expected) {
        try {
            new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> text(id).equals(expected));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("#" + id + " shows '" + text(id) + "', not '" + expected + "'", e);
        }
    }

    static void click(String action) {
        browser.findElement(By.cssSelector("button[data-action='" + action + "']")).click();
    }

    /** Records every state, step and byte count the page shows, as the operator would have seen them. */
    static void recordChanges() {
        browser.executeScript("""
                window.ocfSeen = [];
                const note = () => window.ocfSeen.push([document.getElementById('ocf-state').textContent,
                    document.getElementById('ocf-step').textContent,
                    document.getElementById('ocf-bytes').textContent].join('|'));
                new MutationObserver(note).observe(document.getElementById('ocf-update'),
                    {subtree: true, childList: true, characterData: true});
                """);
    }

    @SuppressWarnings("unchecked")
    static List<String> recorded() {
        return new ArrayList<>((List<String>) browser.executeScript("return window.ocfSeen;"));
    }

    static void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
    }

    static String bump(String version) {
        String[] v = version.split("[.-]");
        return v[0] + "." + (Integer.parseInt(v[1]) + 1) + ".0";
    }

    /** A package signed with the vendor key, with one file artifact of {@code size} random bytes. */
    static Path signedPackage(String version, int size) throws Exception {
        Path payload = home.resolve("payload.bin");
        byte[] data = new byte[size];
        new Random(8).nextBytes(data); // random: compression cannot make the transfer trivial
        Files.write(payload, data);
        Path out = home.resolve("update-" + version + ".zip");
        OcfPkg.run(home, "create", "--key", "vendor-private.pem", "--version", version, "--out", out.toString(),
                "--file", payload.toString());
        return out;
    }

    static int freeTcpPort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The vendor's package tool, target/ocf-pkg.jar. */
    static final class OcfPkg {
        static void run(Path dir, String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-jar", Paths.get(System.getProperty("ocf.pkg.jar", "target/ocf-pkg.jar"))
                    .toAbsolutePath().toString()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ocf-pkg " + List.of(args));
            assertEquals(0, p.exitValue(), "ocf-pkg " + List.of(args) + ":\n" + out);
        }
    }
}
