package org.ocfupdate.pstat.internal.svr;

import org.ocfupdate.gateway.support.GatewayHome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.UUID;

import org.ocfupdate.gateway.support.AtomicStore;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * Owns {@code data/svr/}: loads the SVR state at start (creating the device identity on first start) and
 * saves each new state durably. The software version lives here too because it must survive exactly as the SVR
 * state does.
 */
@Component(service = SvrStore.class, configurationPid = OnboardingConfig.PID)
public class SvrStore {
    private static final Logger LOG = LoggerFactory.getLogger(SvrStore.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final AtomicStore store;
    private final String releaseVersion;
    /** {@code ownership=transfer}: a factory-new or reset device waits in RFOTM for an onboarding tool. */
    private final boolean transfer;
    private volatile SvrState state;

    @Activate
    public SvrStore(BundleContext context, OnboardingConfig onboarding) throws IOException {
        this(GatewayHome.data(context).resolve("svr"),
                Optional.ofNullable(context.getBundle().getHeaders().get("Ocf-Software-Version")).orElse("0.0.0"),
                "transfer".equals(onboarding.ownership().trim()));
    }

    public SvrStore(Path dir, String releaseVersion) throws IOException {
        this(dir, releaseVersion, false);
    }

    public SvrStore(Path dir, String releaseVersion, boolean transfer) throws IOException {
        this.store = new AtomicStore(dir, "svr.json");
        this.releaseVersion = releaseVersion;
        this.transfer = transfer;
        Optional<SvrState> saved = store.load(SvrStore::parse);
        if (saved.isPresent()) {
            state = saved.get();
            LOG.info("Device {} loaded from {}", state.di(), dir);
            checkWritable(dir);
        } else {
            state = SvrState.fresh(UUID.randomUUID(), UUID.randomUUID(), transfer);
            store.save(JSON.writeValueAsBytes(state));
            if (transfer) {
                LOG.info("First start: device {} created, waiting in RFOTM for an OCF onboarding tool (state in {})",
                        state.di(), dir);
            } else {
                LOG.info("First start: device {} created, owner {} (state in {})", state.di(), state.rowneruuid(), dir);
            }
        }
    }

    /**
     * A gateway started on a full (or read-only) data disk still serves what it has read; the operator learns at
     * once that every change of state will be refused (5.00) until space is freed, not at the first write.
     */
    private static void checkWritable(Path dir) {
        Path probe = dir.resolve(".write-probe");
        try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.allocate(4096));
            ch.force(true);
        } catch (IOException e) {
            LOG.error("Cannot write in {} ({}): the gateway serves its stored state, but every change (pstat, "
                    + "/oic/sec/acl2, /oic/sec/cred, /oc/swu, resource data, updates) is refused with 5.00 until "
                    + "the data disk has space again", dir, e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException e) {
                LOG.error("Cannot remove {}: {}", probe, e.getMessage());
            }
        }
    }

    /** A stored state, complete: a generation without what every transition needs is corrupt. */
    private static SvrState parse(byte[] body) throws IOException {
        SvrState s = JSON.readValue(body, SvrState.class);
        if (s.di() == null || s.piid() == null || s.dos() == null || s.rowneruuid() == null || s.update() == null) {
            throw new IOException("the SVR state lacks di, piid, dos, rowneruuid or update");
        }
        return s;
    }

    public SvrState state() {
        return state;
    }

    /** Saves durably, then makes it the current state; on failure nothing changes. */
    public synchronized void save(SvrState next) {
        try {
            store.save(JSON.writeValueAsBytes(next));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the SVR state: " + e.getMessage(), e);
        }
        state = next;
    }

    /** Makes {@code next} current without writing it: for details that the next save may carry. */
    public synchronized void keep(SvrState next) {
        state = next;
    }

    /** {@code /oic/d} {@code sv}: the running software version, the last installed or else the release. */
    public String softwareVersion() {
        String installed = state.version();
        return installed != null ? installed : releaseVersion;
    }

    /** {@code ownership=transfer}: a reset returns to RFOTM and waits for an onboarding tool. */
    public boolean transferMode() {
        return transfer;
    }

    /**
     * A factory reset of the security state: a new owner (or, with {@code ownership=transfer}, none: RFOTM, waiting
     * for an onboarding tool), idle; the identity ({@code di}, {@code piid}), the software and its version stay.
     */
    public SvrState resetState() {
        SvrState s = state;
        SvrState fresh = SvrState.fresh(s.di(), s.piid(), transfer);
        return new SvrState(s.di(), s.piid(), fresh.dos(), fresh.om(), fresh.rowneruuid(), fresh.update(), fresh.tm(),
                s.version(), s.result(), s.nv(), s.lastUpdate(), fresh.ownership(), null);
    }
}
