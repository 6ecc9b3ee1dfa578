package org.ocfupdate.pstat.internal.svr;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An access control entry of {@code oic.sec.acl2}: who ({@code uuid} or {@code conntype}), on what ({@code href}s
 * or a wildcard), may do what (CRUDN bits).
 *
 * @param aceid      unique within the ACL; 0 in a request asks the device to assign one
 * @param uuid       the subject's device UUID, or null for a connection-type subject
 * @param conntype   {@code auth-crypt} or {@code anon-clear}, or null for a UUID subject
 * @param resources  what it applies to
 * @param permission CRUDN bits: 1 create, 2 retrieve (and observe), 4 update, 8 delete, 16 notify
 */
public record Ace(int aceid, UUID uuid, String conntype, List<Target> resources, int permission) {
    public static final int CREATE = 1;
    public static final int RETRIEVE = 2;
    public static final int UPDATE = 4;
    public static final int DELETE = 8;
    public static final int NOTIFY = 16;
    static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** A resource an ACE applies to: an {@code href}, or a wildcard {@code wc} ({@code *}, {@code +}, {@code -}). */
    public record Target(String href, String wc) {
    }

    public Ace withId(int id) {
        return new Ace(id, uuid, conntype, resources, permission);
    }

    /** Does this entry name the subject of a request? */
    boolean matches(boolean secure, UUID subject) {
        if (uuid != null) {
            return secure && uuid.equals(subject);
        }
        // anon-clear applies to every client, auth-crypt to those on an authenticated, encrypted connection
        return "anon-clear".equals(conntype) || secure && "auth-crypt".equals(conntype);
    }

    /**
     * Does it cover {@code href}? Wildcards cover application resources only, never the core ({@code /oic/...}) or
     * configuration ({@code /oc/...}) resources: granting access to pstat, the ACL or {@code /oc/swu} takes an
     * explicit href (as OCF's wildcards match only non-configuration resources).
     */
    boolean covers(String href) {
        boolean application = !href.startsWith("/oic/") && !href.startsWith("/oc/");
        for (Target t : resources) {
            if (href.equals(t.href()) || t.wc() != null && application && !"-".equals(t.wc())) {
                return true;
            }
        }
        return false;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("aceid", aceid);
        m.put("subject", uuid != null ? Map.of("uuid", uuid.toString()) : Map.of("conntype", conntype));
        List<Map<String, Object>> rs = new ArrayList<>();
        for (Target t : resources) {
            rs.add(t.href() != null ? Map.of("href", t.href()) : Map.of("wc", t.wc()));
        }
        m.put("resources", rs);
        m.put("permission", permission);
        return m;
    }

    /**
     * Reads one ACE of an {@code aclist2}; {@code aceid} may be absent (0).
     *
     * @throws IllegalArgumentException with a short diagnostic when it is not a valid ACE
     */
    public static Ace parse(JsonNode n) {
        if (!n.isObject()) {
            throw new IllegalArgumentException("an ACE must be a map");
        }
        int aceid = 0;
        UUID uuid = null;
        String conntype = null;
        List<Target> targets = null;
        Integer permission = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "aceid" -> {
                    if (!v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() < 1) {
                        throw new IllegalArgumentException("aceid must be an integer >= 1");
                    }
                    aceid = v.intValue();
                }
                case "subject" -> {
                    if (v.hasNonNull("uuid") && v.size() == 1 && UUID_TEXT.matcher(v.get("uuid").asText()).matches()) {
                        uuid = UUID.fromString(v.get("uuid").textValue());
                    } else if (v.hasNonNull("conntype") && v.size() == 1
                            && List.of("auth-crypt", "anon-clear").contains(v.get("conntype").asText())) {
                        conntype = v.get("conntype").textValue();
                    } else if (v.has("role")) {
                        throw new IllegalArgumentException("role subjects are not supported");
                    } else {
                        throw new IllegalArgumentException(
                                "subject must be {uuid: UUID} or {conntype: auth-crypt|anon-clear}");
                    }
                }
                case "resources" -> targets = targets(v);
                case "permission" -> {
                    if (!v.isIntegralNumber() || v.intValue() < 0 || v.intValue() > 31) {
                        throw new IllegalArgumentException("permission must be 0..31");
                    }
                    permission = v.intValue();
                }
                case "validity" -> throw new IllegalArgumentException("validity periods are not supported");
                default -> throw new IllegalArgumentException("unknown ACE property " + e.getKey());
            }
        }
        if ((uuid == null && conntype == null) || targets == null || permission == null) {
            throw new IllegalArgumentException("an ACE needs subject, resources and permission");
        }
        return new Ace(aceid, uuid, conntype, targets, permission);
    }

    private static List<Target> targets(JsonNode v) {
        if (!v.isArray() || v.isEmpty()) {
            throw new IllegalArgumentException("resources must be a non-empty array");
        }
        List<Target> out = new ArrayList<>();
        for (JsonNode r : v) {
            String href = r.path("href").isTextual() ? r.get("href").textValue() : null;
            String wc = r.path("wc").isTextual() ? r.get("wc").textValue() : null;
            if (href != null && (!href.startsWith("/") || href.length() > 256)) {
                throw new IllegalArgumentException("href must be an absolute path, e.g. /oic/sec/pstat");
            }
            if (wc != null && !List.of("*", "+", "-").contains(wc)) {
                throw new IllegalArgumentException("wc must be *, + or -");
            }
            if ((href == null) == (wc == null)) {
                throw new IllegalArgumentException("each resource needs exactly one of href and wc");
            }
            out.add(new Target(href, wc));
        }
        return List.copyOf(out);
    }
}
