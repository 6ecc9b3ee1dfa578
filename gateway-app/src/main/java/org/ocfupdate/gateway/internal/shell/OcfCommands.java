package org.ocfupdate.gateway.internal.shell;

import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.ocfupdate.gateway.internal.console.Actions;
import org.ocfupdate.gateway.internal.console.ProviderRanking;
import org.ocfupdate.gateway.internal.console.StateDocument;
import org.ocfupdate.pstat.api.Pstat;
import org.ocfupdate.pstat.api.ProviderInfo;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.api.UpdateRecord;
import org.ocfupdate.pstat.api.UpdateStatus;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands {@code ocf:*} for the shell and scripts: the console page's view and actions as text. Each returns
 * its output; a refusal is one line starting with "refused:", never a stack trace.
 */
@Component(service = OcfCommands.class, property = {"osgi.command.scope=ocf", "osgi.command.function=pstat",
        "osgi.command.function=check", "osgi.command.function=validate", "osgi.command.function=update",
        "osgi.command.function=cancel", "osgi.command.function=providers", "osgi.command.function=history"})
public class OcfCommands {
    private final PstatService pstat;
    private final ConfigurationAdmin configAdmin;

    @Activate
    public OcfCommands(@Reference PstatService pstat, @Reference ConfigurationAdmin configAdmin) {
        this.pstat = pstat;
        this.configAdmin = configAdmin;
    }

    @Descriptor("shows /oic/sec/pstat and the software-update state, versions and progress")
    public String pstat() {
        Pstat p = pstat.current();
        UpdateStatus s = pstat.status();
        StringBuilder b = new StringBuilder();
        line(b, "state", s.state().name().toLowerCase() + " (swupdatestate " + s.state().swUpdateState()
                + ", last result " + s.result().code() + " " + s.result().name().toLowerCase() + ")");
        line(b, "version", s.runningVersion() + (s.offeredVersion() != null && !s.offeredVersion().isEmpty()
                ? ", offered " + s.offeredVersion() + (s.offeredBy() != null ? " from " + s.offeredBy() : "") : ""));
        if (s.step() != null) {
            line(b, "step", s.step() + (s.total() > 0 || s.bytes() > 0 ? ", " + s.bytes() + " of "
                    + (s.total() < 0 ? "?" : s.total()) + " bytes" : ""));
        }
        line(b, "dos", p.dos() + (p.pending() ? " (pending)" : "") + ", isop " + p.isop());
        line(b, "cm", bits(p.cm()));
        line(b, "tm", bits(p.tm()));
        line(b, "om/sm", p.om() + "/" + p.sm());
        line(b, "rowneruuid", p.rowneruuid().toString());
        return b.toString();
    }

    @Descriptor("starts an availability check, as a tm 256 write does")
    public String check() {
        return Actions.check(pstat).message();
    }

    @Descriptor("starts a validation (fetch and verify), as a tm 64 write does")
    public String validate() {
        return Actions.validate(pstat).message();
    }

    @Descriptor("starts an update (validation first unless a package is staged), as a tm 128 write does")
    public String update() {
        return Actions.update(pstat).message();
    }

    @Descriptor("cancels a running check or validation (an installation cannot be cancelled)")
    public String cancel() {
        return Actions.cancel(pstat).message();
    }

    @Descriptor("lists the update providers, the one in use first")
    public String providers() {
        List<ProviderInfo> all = pstat.providers();
        if (all.isEmpty()) {
            return "no update provider is present";
        }
        StringBuilder b = new StringBuilder(String.format("%-3s %-10s %8s  %s%n", "use", "provider", "ranking", "status"));
        for (ProviderInfo p : all) {
            b.append(String.format("%-3s %-10s %8d  %s%n", p.inUse() ? "*" : "", p.name(), p.ranking(), p.status()));
        }
        return b.toString();
    }

    @Descriptor("makes a provider the one in use (persisted as the engine's preferredProvider)")
    public String providers(@Descriptor("the provider's name, e.g. usb or http") String use) {
        return ProviderRanking.use(use, pstat, configAdmin).message();
    }

    @Descriptor("shows the update history, newest first")
    public String history() {
        List<UpdateRecord> all = pstat.history();
        if (all.isEmpty()) {
            return "no update yet";
        }
        StringBuilder b = new StringBuilder();
        for (int i = all.size() - 1; i >= 0; i--) {
            UpdateRecord r = all.get(i);
            b.append(String.format("%s  %s -> %s  %s  %s (%.1f s)  %s%n", r.time(), r.from(),
                    r.to().isEmpty() ? "-" : r.to(), r.provider().isEmpty() ? "-" : r.provider(),
                    r.result().name().toLowerCase(), r.durationMs() / 1000.0, r.reason()));
        }
        return b.toString();
    }

    private static void line(StringBuilder b, String name, String value) {
        b.append(String.format("%-11s %s%n", name, value));
    }

    static String bits(int value) {
        List<String> names = StateDocument.bitNames(value);
        return value + (names.isEmpty() ? "" : " (" + String.join(", ", names) + ")");
    }
}
