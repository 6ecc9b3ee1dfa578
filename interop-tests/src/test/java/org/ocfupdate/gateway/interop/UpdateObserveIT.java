package org.ocfupdate.gateway.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * docs/software-update.md §2, Observers: every transition of a check → validation → available chain that runs as
 * fast as the machine allows (a small package on a USB "medium") reaches observers, in order, each with its own
 * snapshot and a greater Observe number — seen by Debian's coap-client and by a Californium client at once.
 */
class UpdateObserveIT {
    @TempDir
    Path tmp;

    @Test
    void everyTransitionOfAFastChainIsNotifiedInOrder() throws Exception {
        Path home = tmp.resolve("home");
        Path media = Files.createDirectories(tmp.resolve("media"));
        Path vendor = Files.createDirectories(tmp.resolve("vendor"));
        KillDuringInstallIT.ocfPkg(vendor, "keygen", "--private", "key.pem", "--public", "pub.pem");
        Files.writeString(vendor.resolve("notes.txt"), "release notes\n");
        KillDuringInstallIT.ocfPkg(vendor, "create", "--key", "key.pem", "--version", "1.0.1", "--out",
                Files.createDirectories(media.resolve("USB1")).resolve("update.zip").toString(), "--file", "notes.txt");
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/org.ocfupdate.trust.cfg"), "keys=" + vendor.resolve("pub.pem") + "\n");
        Files.writeString(home.resolve("etc/org.ocfupdate.provider.usb.cfg"), "roots=" + media + "\ncheckOnInsert=false\n");

        try (GatewayProcess gateway = new GatewayProcess(home).start()) {
            CoapClientCli coap = new CoapClientCli(Files.createDirectories(tmp.resolve("coap")));
            CoapClientCli.Running libcoap = coap.observe(gateway.uri("/oic/sec/pstat"), 6);
            List<JsonNode> californium = new CopyOnWriteArrayList<>();
            CoapConfig.register();
            UdpConfig.register();
            CoapClient client = new CoapClient(gateway.secureUri("/oic/sec/pstat", null, null));
            client.setEndpoint(gateway.ownerDtlsEndpoint());
            CoapObserveRelation relation = client.observe(new CoapHandler() {
                @Override
                public void onLoad(CoapResponse response) {
                    californium.add(Payloads.decode(response.getPayload()));
                }

                @Override
                public void onError() {
                }
            });
            for (int i = 0; i < 100 && (californium.isEmpty() || libcoap.payloadSoFar().length == 0); i++) {
                Thread.sleep(50);
            }
            assertEquals("2.04", coap.post(gateway.uri("/oic/sec/pstat"), Payloads.cbor(Map.of("tm", 256))).code());
            for (int i = 0; i < 200 && californium.stream().noneMatch(n -> n.get("cm").asInt() == 320); i++) {
                Thread.sleep(50);
            }
            Thread.sleep(200); // nothing more should come; the cancel's own answer below is not a notification
            List<JsonNode> notified = List.copyOf(californium);
            relation.proactiveCancel();
            client.shutdown();
            CoapClientCli.Result r = libcoap.await(20);

            List<String> expected = List.of("0/0", "0/256", "256/64", "320/0");
            assertEquals(expected, modes(notified), "Californium client");
            assertEquals(expected, modes(Payloads.decodeSequence(r.payload())), "coap-client-gnutls");
            List<Integer> observe = new ArrayList<>();
            r.responses().forEach(pdu -> observe.add(Integer.parseInt(pdu.option("Observe"))));
            for (int i = 1; i < observe.size(); i++) {
                assertTrue(observe.get(i) > observe.get(i - 1), "Observe numbers increase: " + observe);
            }
        }
    }

    static List<String> modes(List<JsonNode> notifications) {
        return notifications.stream().map(n -> n.get("cm").asInt() + "/" + n.get("tm").asInt()).toList();
    }
}
