package org.ocfupdate.provider.hawkbit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** The deployment and feedback mapping: what the provider reads from DDI documents and what it writes. */
class DdiTest {
    private static final URI BASE = URI.create("https://hb.example/DEFAULT/controller/v1/gw1");
    private static final DdiSpec SPEC = new DdiSpec();

    private static JsonNode json(String text) throws Ddi.Invalid {
        return Ddi.parse(text.replace('\'', '"').getBytes(StandardCharsets.UTF_8), "test");
    }

    private static String deployment(String download, String update, String window, String artifacts) {
        return "{'id':'12','deployment':{'download':'" + download + "','update':'" + update + "'"
                + (window == null ? "" : ",'maintenanceWindow':'" + window + "'")
                + ",'chunks':[{'part':'os','version':'1.2.0','name':'gw','artifacts':[" + artifacts + "]}]}}";
    }

    private static String artifact(String name) {
        return "{'filename':'" + name + "','hashes':{'sha1':'a','md5':'b','sha256':'" + "Ab".repeat(32)
                + "'},'size':300000,'_links':{'download-http':{'href':'http://hb.example/a/" + name
                + "'},'download':{'href':'https://hb.example/a/" + name + "'}}}";
    }

    @Test
    void rootGivesSleepAndLinks() throws Exception {
        JsonNode n = json("{'config':{'polling':{'sleep':'12:00:05'}},'_links':{'deploymentBase':{'href':"
                + "'https://hb.example/DEFAULT/controller/v1/gw1/deploymentBase/3?c=-211'},'configData':{'href':"
                + "'https://hb.example/DEFAULT/controller/v1/gw1/configData'}}}");
        Ddi.Root r = Ddi.root(n, BASE);
        assertEquals(Duration.ofHours(12).plusSeconds(5), r.sleep());
        assertEquals("/DEFAULT/controller/v1/gw1/deploymentBase/3", r.deploymentBase().getPath());
        assertEquals("c=-211", r.deploymentBase().getQuery());
        assertNull(r.cancelAction());
        assertEquals(URI.create("https://hb.example/DEFAULT/controller/v1/gw1/configData"), r.configData());
        assertTrue(SPEC.component("DdiControllerBase", true).validate(n).isEmpty());
    }

    @Test
    void sleepIsStrictlyHhMmSs() {
        for (String bad : new String[] {"300", "5:00", "00:60:00", "00:00:5", "-1:00:00", "00:05:00 "}) {
            assertThrows(Ddi.Invalid.class, () -> Ddi.sleep(bad), bad);
        }
    }

    @Test
    void theDocumentsSleepPatternIsADescriptionNotARegex() {
        // why DdiSpec patches it: read literally, the published schema rejects the real server's answer
        JsonNode real = Ddi.JSON.createObjectNode().put("sleep", "00:05:00");
        assertFalse(SPEC.component("DdiPolling", false).validate(real).isEmpty());
        assertTrue(SPEC.component("DdiPolling", true).validate(real).isEmpty());
    }

    @Test
    void forcedDeploymentMapsToForcedFlagsAndTheHttpsLink() throws Exception {
        Ddi.Deployment d = Ddi.deployment(json(deployment("forced", "forced", null, artifact("gw-1.2.0.zip"))),
                BASE);
        assertEquals("12", d.actionId());
        assertEquals(Ddi.Handling.FORCED, d.download());
        assertEquals(Ddi.Handling.FORCED, d.update());
        assertNull(d.windowAvailable());
        Ddi.Artifact a = Ddi.packageArtifact(d);
        assertEquals("1.2.0", a.version());
        assertEquals(300_000, a.size());
        assertEquals("ab".repeat(32), a.sha256(), "lower case");
        assertEquals(URI.create("https://hb.example/a/gw-1.2.0.zip"), a.link(), "download (https) first");
    }

    @Test
    void attemptAndWindow() throws Exception {
        Ddi.Deployment d = Ddi.deployment(json(deployment("attempt", "skip", "unavailable", artifact("p.zip"))),
                BASE);
        assertEquals(Ddi.Handling.ATTEMPT, d.download());
        assertEquals(Ddi.Handling.SKIP, d.update());
        assertEquals(Boolean.FALSE, d.windowAvailable());
    }

    @Test
    void thePackageIsTheOnlyArtifactOrTheOnlyZip() throws Exception {
        Ddi.Deployment two = Ddi.deployment(json(deployment("forced", "forced", null, artifact("notes.txt") + ","
                + artifact("gw.zip"))), BASE);
        assertEquals("gw.zip", Ddi.packageArtifact(two).filename());
        Ddi.Deployment ambiguous = Ddi.deployment(json(deployment("forced", "forced", null, artifact("a.zip") + ","
                + artifact("b.zip"))), BASE);
        assertTrue(assertThrows(Ddi.Invalid.class, () -> Ddi.packageArtifact(ambiguous)).getMessage()
                .contains("exactly one"));
        Ddi.Deployment none = Ddi.deployment(json(deployment("forced", "forced", null, "")), BASE);
        assertTrue(assertThrows(Ddi.Invalid.class, () -> Ddi.packageArtifact(none)).getMessage()
                .contains("no artifact"));
    }

    @Test
    void anArtifactWithoutSha256IsUnusable() throws Exception {
        String noSha = artifact("p.zip").replace("'sha256':'" + "Ab".repeat(32) + "'", "'sha256':'xyz'");
        Ddi.Deployment d = Ddi.deployment(json(deployment("forced", "forced", null, noSha)), BASE);
        assertTrue(assertThrows(Ddi.Invalid.class, () -> Ddi.packageArtifact(d)).getMessage().contains("SHA-256"));
    }

    @Test
    void hostileDocumentsGetPreciseErrors() {
        assertTrue(assertThrows(Ddi.Invalid.class, () -> Ddi.deployment(json(deployment("always", "forced", null,
                "")), BASE)).getMessage().contains("deployment.download"));
        assertTrue(assertThrows(Ddi.Invalid.class, () -> Ddi.deployment(json(deployment("forced", "forced",
                "sometimes", "")), BASE)).getMessage().contains("maintenanceWindow"));
        assertTrue(assertThrows(Ddi.Invalid.class, () -> Ddi.deployment(json("{'id':'1; rm -rf',"
                + "'deployment':{'chunks':[]}}"), BASE)).getMessage().contains("not an action id"));
        assertTrue(assertThrows(Ddi.Invalid.class, () -> Ddi.root(json("{'_links':{'deploymentBase':{'href':"
                + "'file:///etc/passwd'}}}"), BASE)).getMessage().contains("not an http(s) URL"));
        assertTrue(assertThrows(Ddi.Invalid.class, () -> json("{'a':1,'a':2}")).getMessage().contains("Duplicate"));
        assertTrue(assertThrows(Ddi.Invalid.class, () -> json("{'a':1} {}")).getMessage().contains("not valid JSON"));
        assertThrows(Ddi.Invalid.class, () -> json("[" .repeat(100) + "]".repeat(100)));
    }

    @Test
    void feedbackDocumentsAreValidDdiActionFeedback() {
        JsonNode progress = Ddi.feedback("proceeding", "none", new int[] {40, 100}, null, "downloaded 40 %", 1L);
        JsonNode closed = Ddi.feedback("closed", "failure", null, 5, "signature not trusted", 2L);
        JsonNode success = Ddi.feedback("closed", "success", null, null, "installed 1.2.0", 3L);
        for (JsonNode f : new JsonNode[] {progress, closed, success}) {
            assertTrue(SPEC.component("DdiActionFeedback", true).validate(f).isEmpty(), f.toString());
        }
        assertEquals(40, progress.at("/status/result/progress/cnt").asInt());
        assertEquals(100, progress.at("/status/result/progress/of").asInt());
        assertEquals(5, closed.at("/status/code").asInt());
        assertEquals("signature not trusted", closed.at("/status/details/0").asText());
        assertTrue(success.at("/status/code").isMissingNode(), "no code on success");
    }

    @Test
    void configDataIsMergedAttributes() {
        JsonNode c = Ddi.configData(Map.of("di", "x", "sv", "1.0.0"));
        assertEquals("merge", c.path("mode").asText());
        assertEquals("1.0.0", c.at("/data/sv").asText());
        assertTrue(SPEC.component("DdiConfigData", true).validate(c).isEmpty());
    }

    @Test
    void theTokenGoesOnlyToTheServersOrigin() {
        assertTrue(DdiClient.sameOrigin(URI.create("https://hb.example/a"), URI.create("https://HB.example:443")));
        assertFalse(DdiClient.sameOrigin(URI.create("https://cdn.example/a"), URI.create("https://hb.example")));
        assertFalse(DdiClient.sameOrigin(URI.create("http://hb.example/a"), URI.create("https://hb.example")));
    }

    @Test
    void controllerBaseEncodesSegments() {
        Settings s = new Settings(URI.create("https://hb.example/"), "DEFAULT", "", null, null, Duration.ofSeconds(30),
                Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofSeconds(1), null, "x");
        assertEquals("https://hb.example/DEFAULT/controller/v1/gw%201%2F2", s.controllerBase("gw 1/2").toString());
    }
}
