package org.ocfupdate.pstat.internal.coap;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.ocfupdate.pstat.api.DeviceOnboardingState;
import org.ocfupdate.pstat.api.OwnershipTransfer;
import org.ocfupdate.pstat.api.PstatChange;
import org.ocfupdate.pstat.api.PstatRefusedException;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.update.engine.UpdateCore;
import org.ocfupdate.gateway.support.GatewayHome;
import org.ocfupdate.pstat.internal.svr.OnboardingConfig;
import org.ocfupdate.pstat.internal.svr.SvrState;
import org.ocfupdate.pstat.internal.svr.SvrStore;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The ownership-transfer state of the device (docs/onboarding.md): doxm and its write rules, the Random PIN, and
 * what the DTLS server asks per handshake ({@link TransferSecurity}). The doxm state itself is SVR state
 * ({@link SvrState#ownership()}), so it is kept across restarts and updates as pstat is.
 *
 * <p>Every change is made while holding the pstat service's monitor: {@code PstatServiceImpl} makes each of its
 * transitions under it, so neither overwrites the SVR state the other just saved.
 */
@Component(service = {TransferSecurity.class, Onboarding.class, OwnershipTransfer.class},
        configurationPid = OnboardingConfig.PID)
@Designate(ocd = OnboardingConfig.class)
public class Onboarding implements TransferSecurity, OwnershipTransfer {
    private static final Logger LOG = LoggerFactory.getLogger(Onboarding.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<String> READ_ONLY = Set.of("oxms", "sct", "rt", "if", "n", "id");

    /** A refused write: the CoAP code and a short diagnostic; nothing changed. */
    public static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        private final ResponseCode code;

        Refusal(ResponseCode code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        public ResponseCode code() {
            return code;
        }
    }

    private final SvrStore store;
    private final PstatService pstat;
    /** The SVR state's one writer: doxm's read and write run on its thread, with no transition in between. */
    private final UpdateCore machine;
    private final List<Integer> oxms;
    private final Path certificate;
    private final Path key;
    /** The Random PIN of the transfer now waiting, or null. */
    private volatile String pin;

    @Activate
    public Onboarding(BundleContext context, @Reference SvrStore store, @Reference PstatService pstat,
            @Reference UpdateCore machine, OnboardingConfig config) {
        this(store, pstat, machine, config.oxms(), file(GatewayHome.home(context), config.manufacturerCertificate()),
                file(GatewayHome.home(context), config.manufacturerKey()));
    }

    Onboarding(SvrStore store, PstatService pstat, UpdateCore machine, String oxms, Path certificate, Path key) {
        this.store = store;
        this.pstat = pstat;
        this.machine = machine;
        this.certificate = certificate;
        this.key = key;
        this.oxms = oxms(oxms, usable(certificate, key));
    }

    /**
     * Whether the manufacturer certificate and key can serve a handshake, checked once at start: a method the device
     * cannot complete is not offered in {@code oxms} (an onboarding tool then picks another) rather than failing
     * every certificate handshake later. The log says why.
     */
    static boolean usable(Path certificate, Path key) {
        if (certificate == null && key == null) {
            return false;
        }
        String problem;
        if (certificate == null || key == null) {
            problem = (certificate == null ? "manufacturerKey is set but manufacturerCertificate is not"
                    : "manufacturerCertificate is set but manufacturerKey is not");
        } else {
            problem = TransferCertificateProvider.check(certificate, key);
        }
        if (problem != null) {
            LOG.error("Manufacturer certificate {} / key {} unusable: {}; certificate transfer (oxm 2) not offered",
                    certificate, key, problem);
        }
        return problem == null;
    }

    private static Path file(Path home, String name) {
        return name == null || name.isBlank() ? null : home.resolve(name.trim());
    }

    /**
     * The configured methods; default 0 and 1, and 2 with a usable manufacturer certificate. A 2 configured without
     * one is left out (logged by {@link #usable}, or here when no certificate is configured at all).
     */
    static List<Integer> oxms(String configured, boolean certificate) {
        if (configured == null || configured.isBlank()) {
            return certificate ? List.of(0, 1, 2) : List.of(0, 1);
        }
        Set<Integer> out = new TreeSet<>();
        for (String part : configured.split(",")) {
            int m;
            try {
                m = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("oxms: " + part.trim() + " is not a number (0, 1, 2)");
            }
            if (m < 0 || m > 2) {
                throw new IllegalArgumentException("oxms: " + m + " is not a transfer method (0, 1, 2)");
            }
            if (m == 2 && !certificate) {
                LOG.error("oxms: 2 needs a usable manufacturerCertificate and manufacturerKey; certificate transfer "
                        + "(oxm 2) not offered");
                continue;
            }
            out.add(m);
        }
        return List.copyOf(out);
    }

    @Override
    public UUID deviceUuid() {
        return store.state().di();
    }

    @Override
    public int transferOxm() {
        SvrState s = store.state();
        int oxm = s.oxmsel();
        return s.ownership() != null && s.dos() == DeviceOnboardingState.RFOTM && oxms.contains(oxm) ? oxm : NONE;
    }

    @Override
    public byte[] randomPinPsk() {
        String p = pin;
        return transferOxm() == 1 && p != null ? OwnerPsk.randomPin(p, deviceUuid()) : null;
    }

    @Override
    public Path manufacturerCertificate() {
        return certificate;
    }

    @Override
    public Path manufacturerKey() {
        return key;
    }

    /** The Random PIN while a Random-PIN transfer waits for the tool (for the Web Console), else empty. */
    @Override
    public Optional<String> waitingPin() {
        return transferOxm() == 1 ? Optional.ofNullable(pin) : Optional.empty();
    }

    /** doxm as GET shows it. A device that owns itself shows what it always showed. */
    Map<String, Object> doxm() {
        SvrState s = store.state();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("oxms", s.ownership() == null ? List.of(0) : oxms);
        m.put("oxmsel", s.oxmsel());
        m.put("sct", DoxmResource.SCT);
        m.put("owned", s.owned());
        m.put("deviceuuid", s.di().toString());
        m.put("devowneruuid", s.devowneruuid().toString());
        m.put("rowneruuid", s.rowneruuid().toString());
        return m;
    }

    /**
     * A doxm write (docs/onboarding.md, "doxm"): anonymously, over plain CoAP in RFOTM, {@code oxmsel} alone (one of
     * {@code oxms}); over the transfer session in RFOTM {@code devowneruuid}, {@code deviceuuid},
     * {@code rowneruuid} and {@code owned}; nothing else, ever. All or nothing.
     *
     * @throws Refusal 4.01 for a write the channel may not make, 4.00 for one the state does not allow or a bad value
     */
    void writeDoxm(JsonNode body, Peer peer) throws Refusal {
        // on the state machine's thread, which writes the rest of the SVR state: a transition between this read and
        // this write would otherwise be undone on disk, or undo this write
        machine.<Void, Refusal>call(() -> {
            writeOnMachine(body, peer);
            return null;
        });
    }

    private void writeOnMachine(JsonNode body, Peer peer) throws Refusal {
        if (!body.isObject() || body.isEmpty()) {
            throw new Refusal(ResponseCode.BAD_REQUEST, "payload must be a non-empty CBOR map");
        }
        Integer oxmsel = null;
        Boolean owned = null;
        UUID deviceuuid = null;
        UUID devowneruuid = null;
        UUID rowneruuid = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "oxmsel" -> {
                    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                        throw new Refusal(ResponseCode.BAD_REQUEST, "oxmsel must be an integer");
                    }
                    oxmsel = v.intValue();
                }
                case "owned" -> {
                    if (!v.isBoolean()) {
                        throw new Refusal(ResponseCode.BAD_REQUEST, "owned must be a boolean");
                    }
                    owned = v.booleanValue();
                }
                case "deviceuuid" -> deviceuuid = uuid("deviceuuid", v);
                case "devowneruuid" -> devowneruuid = uuid("devowneruuid", v);
                case "rowneruuid" -> rowneruuid = uuid("rowneruuid", v);
                default -> throw new Refusal(ResponseCode.BAD_REQUEST,
                        (READ_ONLY.contains(e.getKey()) ? "read-only property " : "unknown property ") + e.getKey());
            }
        }
        boolean transferFields = owned != null || deviceuuid != null || devowneruuid != null || rowneruuid != null;
        SvrState s = store.state();
        if (s.ownership() == null || s.dos() != DeviceOnboardingState.RFOTM) {
            throw new Refusal(ResponseCode.BAD_REQUEST, "doxm is written only during an ownership transfer "
                    + "(dos.s RFOTM), not in " + s.dos());
        }
        if (!peer.secure()) {
            if (transferFields) {
                throw new Refusal(ResponseCode.UNAUTHORIZED, "over plain CoAP only oxmsel may be written; "
                        + "owned, deviceuuid, devowneruuid and rowneruuid need the ownership-transfer session");
            }
            if (!oxms.contains(oxmsel)) {
                throw new Refusal(ResponseCode.BAD_REQUEST, "oxmsel " + oxmsel + " is not one of oxms " + oxms);
            }
            store.save(s.withOwnership(s.ownership().withOxmsel(oxmsel)));
            pin = oxmsel == 1 ? newPin(s.di()) : null;
            LOG.info("Ownership transfer method chosen: oxmsel {}", oxmsel);
            return;
        }
        if (!peer.transfer()) {
            throw new Refusal(ResponseCode.BAD_REQUEST,
                    "doxm is written only anonymously (oxmsel) or over the ownership-transfer session");
        }
        if (oxmsel != null) {
            throw new Refusal(ResponseCode.BAD_REQUEST,
                    "oxmsel is written anonymously over plain CoAP, before the transfer session");
        }
        if (rowneruuid != null) {
            try {
                // one rowneruuid for every SVR: the device owner (docs/spec-interpretation.md)
                pstat.update(new PstatChange(null, null, null, rowneruuid), true);
            } catch (PstatRefusedException e) {
                throw new Refusal(ResponseCode.BAD_REQUEST, e.getMessage());
            }
            s = store.state();
        }
        SvrState.Ownership o = s.ownership();
        SvrState next = s.withOwnership(new SvrState.Ownership(owned != null ? owned : o.owned(),
                devowneruuid != null ? devowneruuid : o.devowneruuid(), o.oxmsel()));
        if (deviceuuid != null) {
            next = next.withDi(deviceuuid);
        }
        if (!next.equals(s)) {
            store.save(next);
        }
        if (deviceuuid != null && !deviceuuid.equals(s.di())) {
            LOG.warn("Device identity changed by the ownership transfer: {} -> {}", s.di(), deviceuuid);
        }
        if (owned != null && owned && !o.owned()) {
            pin = null;
            LOG.warn("Device {} owned by {} (transfer method {})", next.di(), next.devowneruuid(), o.oxmsel());
        }
    }

    private static UUID uuid(String name, JsonNode v) throws Refusal {
        Optional<UUID> u = v.isTextual() ? Optional.ofNullable(Peer.uuid(v.textValue().getBytes(
                java.nio.charset.StandardCharsets.UTF_8))) : Optional.empty();
        if (u.isEmpty() || v.textValue().length() != 36) {
            throw new Refusal(ResponseCode.BAD_REQUEST, name + " must be a UUID string");
        }
        return u.get();
    }

    /**
     * A new 8-digit PIN for a Random-PIN transfer: on stdout once, where the operator reads it (and on the Web
     * Console while the transfer waits); the log says only that one was made.
     */
    private static String newPin(UUID device) {
        String p = String.format("%08d", RANDOM.nextInt(100_000_000));
        System.out.println("Random PIN for the ownership transfer of device " + device + ": PIN " + p);
        LOG.warn("Random PIN made for the ownership transfer of device {}: shown on stdout and on the Web Console "
                + "page ocf-update, not in the log", device);
        return p;
    }

    /** The transfer methods offered (doxm {@code oxms}). */
    List<Integer> oxms() {
        return new ArrayList<>(oxms);
    }
}
