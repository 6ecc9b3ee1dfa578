package org.ocfupdate.gateway.internal.console;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.ocfupdate.pstat.api.Dpm;
import org.ocfupdate.pstat.api.Pstat;
import org.ocfupdate.pstat.api.PstatService;
import org.ocfupdate.pstat.api.UpdateRecord;
import org.ocfupdate.pstat.api.UpdateState;
import org.ocfupdate.pstat.api.UpdateStatus;

/** The console's live document ({@code state.json}): pstat, the update status, providers, history and keys. */
public final class StateDocument {
    /** The dpm bits of {@code cm}/{@code tm} by name (OCF Security, oic.sec.dpmtype; 256 from the update spec). */
    private static final Map<Integer, String> BITS = Map.of(Dpm.RESET, "reset", Dpm.TAKE_OWNER, "takeowner", 4,
            "bootstrap", Dpm.SECURITY_MANAGEMENT_SERVICES, "secmgmt", Dpm.PROVISION_CREDENTIALS, "provcreds",
            Dpm.PROVISION_ACLS, "provacls", Dpm.ISVV, "isvv", Dpm.ISSU, "issu", Dpm.ISAC, "isac");
    static final int HISTORY_ROWS = 50;

    private StateDocument() {
    }

    static Map<String, Object> of(PstatService pstat, RateMeter meter, Transitions transitions) {
        Pstat p = pstat.current();
        UpdateStatus s = pstat.status();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("state", name(s.state()));
        doc.put("transitions", transitions.list());
        Map<String, Object> ps = new LinkedHashMap<>();
        ps.put("dos", Map.of("s", p.dos().value(), "name", p.dos().name(), "p", p.pending()));
        ps.put("isop", p.isop());
        ps.put("cm", bits(p.cm()));
        ps.put("tm", bits(p.tm()));
        ps.put("om", p.om());
        ps.put("sm", p.sm());
        ps.put("rowneruuid", p.rowneruuid().toString());
        doc.put("pstat", ps);
        doc.put("swupdatestate", s.state().swUpdateState());
        doc.put("result", Map.of("code", s.result().code(), "name", s.result().name().toLowerCase(Locale.ROOT)));
        doc.put("version", s.runningVersion());
        doc.put("lastUpdate", s.lastUpdate());
        doc.put("offer", offer(s));
        doc.put("providers", pstat.providers());
        Map<String, Object> progress = new LinkedHashMap<>();
        progress.put("bytes", s.bytes());
        progress.put("total", s.total());
        progress.put("rate", meter.sample(s.bytes(), System.nanoTime()));
        progress.put("step", s.step());
        doc.put("progress", progress);
        List<Map<String, Object>> rows = new ArrayList<>();
        List<UpdateRecord> history = pstat.history();
        for (int i = history.size() - 1; i >= 0 && rows.size() < HISTORY_ROWS; i--) {
            UpdateRecord r = history.get(i);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("time", r.time());
            row.put("from", r.from());
            row.put("to", r.to());
            row.put("provider", r.provider());
            row.put("result", r.result().name().toLowerCase(Locale.ROOT));
            row.put("duration", r.durationMs());
            row.put("reason", r.reason());
            rows.add(row);
        }
        doc.put("history", rows);
        doc.put("keys", pstat.trustedKeys());
        return doc;
    }

    /** The offer of the action in hand (validating, available, upgrading); null in idle and while checking. */
    private static Map<String, Object> offer(UpdateStatus s) {
        boolean held = s.state() == UpdateState.VERSION_VALIDATION || s.state() == UpdateState.VERSION_AVAILABLE
                || s.state() == UpdateState.UPGRADING;
        if (!held || s.offeredVersion() == null || s.offeredVersion().isEmpty()) {
            return null;
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("version", s.offeredVersion());
        o.put("provider", s.offeredBy());
        return o;
    }

    static String name(UpdateState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    static Map<String, Object> bits(int value) {
        return Map.of("value", value, "bits", bitNames(value));
    }

    /** The names of the dpm bits set in {@code value}, lowest first. */
    public static List<String> bitNames(int value) {
        List<String> names = new ArrayList<>();
        for (int bit = 1; bit <= Dpm.MAX; bit <<= 1) {
            if ((value & bit) != 0) {
                names.add(BITS.getOrDefault(bit, String.valueOf(bit)));
            }
        }
        return names;
    }
}
