package org.ocfupdate.gateway.itest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.junit.jupiter.api.Test;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.api.provider.UpdateProvider;
import org.osgi.framework.ServiceRegistration;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A benchmark inside the integration run (it needs a provider that answers instantly, which only a bundle can
 * register): over loopback CoAP, the time from a tm write to the first notification that shows it, and from tm 64
 * to the notification with cm 320. Prints "bench:" lines (docs/benchmarks.md); asserts only that every
 * notification arrived, in order.
 */
class NotificationLatencyTest {
    /**
     * Rounds measured after those that warm the JIT. With 2 and 10 (until issue 15's last round) most measured rounds
     * ran while the JIT still compiled the verification and DTLS code; the figures of both settings are in
     * docs/benchmarks.md.
     */
    static final int WARM_UP = 10;
    static final int ROUNDS = WARM_UP + 30;

    @Test
    void tmWriteToNotificationAndValidationToCm320() throws Exception {
        GatewayBundlesTest.ephemeralPortWithoutMulticast();
        UpdatePathTest.trustAKeyAndRegisterAProvider();
        PstatService pstat = GatewayBundlesTest.service(PstatService.class);
        UpdatePathTest.base(); // the test configuration's endpoints are up
        // the instant provider wins over any other registered one
        ServiceRegistration<UpdateProvider> fast = GatewayBundlesTest.CONTEXT.registerService(UpdateProvider.class,
                new UpdatePathTest.FolderProvider(), new Hashtable<>(Map.of("service.ranking", 100, "provider.name", "instant")));
        List<long[]> firstTm = new ArrayList<>();
        List<long[]> toCm320 = new ArrayList<>();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String sv = UpdatePathTest.device().get("sv").asText();
                UpdatePathTest.offer(UpdatePathTest.bump(sv) + "-r" + round, Map.of("files/r.txt", new byte[] {1}));
                List<JsonNode> seen = new CopyOnWriteArrayList<>();
                List<Long> at = new CopyOnWriteArrayList<>();
                CoapClient observer = GatewayBundlesTest.ownerClient("/oic/sec/pstat");
                CoapObserveRelation rel = observer.observe(new CoapHandler() {
                    @Override
                    public void onLoad(CoapResponse r) {
                        at.add(System.nanoTime());
                        try {
                            seen.add(GatewayBundlesTest.CBOR.readTree(r.getPayload()));
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }

                    @Override
                    public void onError() {
                    }
                });
                while (seen.isEmpty()) {
                    Thread.sleep(5);
                }
                CoapClient writer = GatewayBundlesTest.ownerClient("/oic/sec/pstat");
                long t0 = System.nanoTime();
                writer.post(GatewayBundlesTest.CBOR.writeValueAsBytes(Map.of("tm", 64)), 10000);
                for (int i = 0; i < 400 && seen.stream().noneMatch(n -> n.get("cm").asInt() == 320); i++) {
                    Thread.sleep(5);
                }
                rel.proactiveCancel();
                observer.shutdown();
                writer.shutdown();
                int tmAt = indexOf(seen, n -> n.get("tm").asInt() == 64);
                int cmAt = indexOf(seen, n -> n.get("cm").asInt() == 320);
                assertTrue(tmAt > 0 && cmAt > tmAt, "notifications in order: " + seen);
                if (round >= WARM_UP) { // the first rounds warm the JIT
                    firstTm.add(new long[] {at.get(tmAt) - t0});
                    toCm320.add(new long[] {at.get(cmAt) - t0});
                }
                // install it: back to idle, with the next round's version newer still
                pstat.update(org.ocfupdate.pstat.api.PstatChange.tm(128), true);
                UpdatePathTest.awaitIdleAfterUpgrade();
            }
        } finally {
            fast.unregister();
            UpdatePathTest.offered = null;
        }
        System.out.println("bench: tm 64 write -> first notification with tm 64: " + stats(firstTm));
        System.out.println("bench: tm 64 write -> notification with cm 320 (instant provider, real 1-file package): "
                + stats(toCm320));
    }

    static int indexOf(List<JsonNode> seen, java.util.function.Predicate<JsonNode> p) {
        for (int i = 0; i < seen.size(); i++) {
            if (p.test(seen.get(i))) {
                return i;
            }
        }
        return -1;
    }

    static String stats(List<long[]> ns) {
        List<Long> sorted = ns.stream().map(a -> a[0]).sorted().toList();
        return String.format("median %.1f ms, max %.1f ms over %d rounds", sorted.get(sorted.size() / 2) / 1e6,
                sorted.get(sorted.size() - 1) / 1e6, sorted.size());
    }
}
