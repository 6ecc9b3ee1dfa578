package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * CoAP Observe of {@code /oic/sec/pstat} with libcoap's {@code coap-client -s}, while another coap-client process
 * changes the onboarding state. Each test has its own gateway and home, as they change dos.
 *
 * <p>libcoap 4.3.1 appends the payload of every notification to the {@code -o} file as it arrives (the file is
 * flushed per notification; its stdout log is block-buffered and only complete when the client exits).
 */
class PstatObserveIT {
    @TempDir
    Path tmp;
    GatewayProcess gateway;
    CoapClientCli coap;
    CoapClientCli.Running observer;

    @BeforeEach
    void startGateway() throws Exception {
        coap = new CoapClientCli(Files.createDirectories(tmp.resolve("coap")));
        gateway = new GatewayProcess(tmp.resolve("home"));
        gateway.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (observer != null) {
            observer.kill();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    /** Waits until the notifications received so far satisfy {@code done}; returns them. */
    List<JsonNode> awaitNotifications(Predicate<List<JsonNode>> done, String what) throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        List<JsonNode> seen = List.of();
        while (System.nanoTime() < end) {
            seen = Payloads.decodeSequence(observer.payloadSoFar());
            if (done.test(seen)) {
                return seen;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + what + " within 10 s; notifications: " + seen);
    }

    static List<Integer> states(List<JsonNode> notifications) {
        List<Integer> s = new ArrayList<>();
        notifications.forEach(n -> s.add(n.at("/dos/s").intValue()));
        return s;
    }

    void post(Object body) throws Exception {
        CoapClientCli.Result r = coap.post(gateway.uri("/oic/sec/pstat"), Payloads.cbor(body));
        assertEquals("2.04", r.code(), r.log());
    }

    @Test
    void observerIsNotifiedOfOnboardingStateChanges() throws Exception {
        observer = coap.observe(gateway.uri("/oic/sec/pstat"), 15);
        List<JsonNode> initial = awaitNotifications(n -> !n.isEmpty(), "initial notification");
        assertEquals(3, initial.get(0).at("/dos/s").intValue(), "RFNOP first: " + initial);
        assertTrue(initial.get(0).path("isop").asBoolean(), initial.toString());

        post(Map.of("dos", Map.of("s", 2))); // RFNOP -> RFPRO
        List<JsonNode> rfpro = awaitNotifications(n -> n.size() > 1 && n.get(n.size() - 1).at("/dos/s").intValue() == 2
                && !n.get(n.size() - 1).at("/dos/p").asBoolean(), "notification of RFPRO");
        JsonNode last = rfpro.get(rfpro.size() - 1);
        assertEquals(false, last.path("isop").asBoolean(true), "isop is false outside RFNOP: " + last);

        post(Map.of("dos", Map.of("s", 3))); // RFPRO -> RFNOP
        List<JsonNode> all = awaitNotifications(n -> n.size() > rfpro.size()
                && n.get(n.size() - 1).at("/dos/s").intValue() == 3 && !n.get(n.size() - 1).at("/dos/p").asBoolean(),
                "notification of RFNOP again");
        last = all.get(all.size() - 1);
        assertTrue(last.path("isop").asBoolean(), last.toString());

        // in order: 3 ... 2 ... 3, never going backwards
        List<Integer> s = states(all);
        int firstTwo = s.indexOf(2);
        assertTrue(firstTwo > 0 && s.subList(firstTwo, s.lastIndexOf(2) + 1).stream().allMatch(x -> x == 2)
                && s.subList(s.lastIndexOf(2) + 1, s.size()).stream().allMatch(x -> x == 3), "order: " + s);
        for (JsonNode n : all) {
            OcfSchemas.assertValid("oic.sec.pstat.swagger.json", "Pstat", n);
        }
    }

    /**
     * docs/software-update.md §2: every transition is notified, in order, each with its own snapshot, and RFC 7641
     * §3.4/§4.4: a client takes a notification as newer only when its Observe value is greater than the last one's.
     */
    @Test
    void everyTransitionIsNotifiedWithAnIncreasingObserveNumber() throws Exception {
        observer = coap.observe(gateway.uri("/oic/sec/pstat"), 3);
        awaitNotifications(n -> !n.isEmpty(), "initial notification");
        post(Map.of("dos", Map.of("s", 2)));
        awaitNotifications(n -> n.size() >= 3, "the RFPRO transition");
        post(Map.of("dos", Map.of("s", 3)));
        CoapClientCli.Result r = observer.await(10);
        observer = null;

        List<JsonNode> notifications = Payloads.decodeSequence(r.payload());
        List<String> snapshots = new ArrayList<>();
        notifications.forEach(n -> snapshots.add(n.at("/dos/s").intValue() + (n.at("/dos/p").asBoolean() ? "p" : "")));
        assertEquals(List.of("3", "2p", "2", "3p", "3"), snapshots, "one notification per transition, in order");

        List<Integer> observe = new ArrayList<>();
        for (CoapClientCli.Pdu pdu : r.responses()) {
            observe.add(Integer.parseInt(pdu.option("Observe")));
        }
        for (int i = 1; i < observe.size(); i++) {
            assertTrue(observe.get(i) > observe.get(i - 1), "Observe values must increase: " + observe);
        }
    }
}
