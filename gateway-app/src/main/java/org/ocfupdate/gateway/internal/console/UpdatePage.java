package org.ocfupdate.gateway.internal.console;

import java.io.IOException;
import java.util.Map;

import org.ocfupdate.pstat.api.PstatService;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The Web Console page "OCF Software Update" ({@code /system/console/ocf-update}), a plain servlet the console
 * frames. {@code GET state.json} is the live document the page polls (scripts may use it too); {@code POST action}
 * with {@code do=check|validate|update|cancel|use} changes state, guarded by {@link Csrf}. The page's script and
 * style are served by the console from this bundle's {@code res/} folder.
 */
@Component(service = Servlet.class, property = {"felix.webconsole.label=" + UpdatePage.LABEL,
        "felix.webconsole.title=OCF Software Update", "felix.webconsole.category=OCF"})
public class UpdatePage extends HttpServlet {
    static final String LABEL = "ocf-update";
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(UpdatePage.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final transient PstatService pstat;
    private final transient ConfigurationAdmin configAdmin;
    private final transient RateMeter meter = new RateMeter();
    private final transient Transitions transitions = new Transitions();

    @Activate
    public UpdatePage(@Reference PstatService pstat, @Reference ConfigurationAdmin configAdmin) {
        this.pstat = pstat;
        this.configAdmin = configAdmin;
        pstat.addListener(transitions);
    }

    @Deactivate
    void deactivate() {
        pstat.removeListener(transitions);
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        if (path.endsWith("/state.json")) {
            send(resp, HttpServletResponse.SC_OK, StateDocument.of(pstat, meter, transitions));
        } else if (path.endsWith("/" + LABEL) || path.endsWith("/" + LABEL + "/")) {
            page(req, resp);
        } else {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        if (!path.endsWith("/action")) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        String refused = Csrf.refusal(req.getHeader(Csrf.HEADER), req.getHeader("Origin"), req.getHeader("Referer"),
                req.getHeader("Host"));
        if (refused != null) {
            LOG.warn("Console request refused: {}", refused);
            send(resp, HttpServletResponse.SC_FORBIDDEN, Map.of("done", false, "message", refused));
            return;
        }
        String what = String.valueOf(req.getParameter("do"));
        Actions.Outcome o = switch (what) {
            case "check" -> Actions.check(pstat);
            case "validate" -> Actions.validate(pstat);
            case "update" -> Actions.update(pstat);
            case "cancel" -> Actions.cancel(pstat);
            case "use" -> ProviderRanking.use(String.valueOf(req.getParameter("provider")), pstat, configAdmin);
            default -> null;
        };
        if (o == null) {
            send(resp, HttpServletResponse.SC_BAD_REQUEST, Map.of("done", false, "message", "unknown action " + what));
            return;
        }
        LOG.info("Console ({}): {}: {}", req.getRemoteUser(), what, o.message());
        send(resp, o.done() ? HttpServletResponse.SC_OK : HttpServletResponse.SC_CONFLICT,
                Map.of("done", o.done(), "message", o.message()));
    }

    private static void send(HttpServletResponse resp, int status, Object body) throws IOException {
        resp.setStatus(status);
        resp.setContentType("application/json;charset=UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        JSON.writeValue(resp.getOutputStream(), body);
    }

    /** The page skeleton; the script fills it from state.json with textContent only (nothing is parsed as HTML). */
    private void page(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Object root = req.getAttribute("felix.webconsole.appRoot");
        String base = escape((root == null ? req.getContextPath() + req.getServletPath() : root) + "/" + LABEL);
        resp.setContentType("text/html;charset=UTF-8");
        resp.getWriter().print("""
                <link rel="stylesheet" href="%1$s/res/ocf-update.css">
                <div id="ocf-update" data-base="%1$s" data-csrf="%2$s">
                  <p id="ocf-connection" class="ocf-connection" role="status"></p>
                  <section><h2>State machine</h2>
                    <div class="ocf-states" id="ocf-states">
                      <span data-state="idle">idle</span><span class="ocf-arrow">&rarr;</span>
                      <span data-state="new_version_check">new_version_check</span><span class="ocf-arrow">&rarr;</span>
                      <span data-state="version_validation">version_validation</span><span class="ocf-arrow">&rarr;</span>
                      <span data-state="version_available">version_available</span><span class="ocf-arrow">&rarr;</span>
                      <span data-state="upgrading">upgrading</span><span class="ocf-arrow">&#8634; idle</span>
                    </div>
                    <p>State <b id="ocf-state"></b> (swupdatestate <span id="ocf-swupdatestate"></span>),
                       last result <span id="ocf-result"></span></p>
                    <p>Running version <b id="ocf-version"></b>; offered <b id="ocf-offer"></b></p>
                    <p>Recent transitions: <span id="ocf-transitions"></span></p>
                    <div class="ocf-buttons">
                      <button type="button" data-action="check" title="tm 256">Check</button>
                      <button type="button" data-action="validate" title="tm 64">Validate</button>
                      <button type="button" data-action="update" title="tm 128">Update</button>
                      <button type="button" data-action="cancel" title="only before installation">Cancel</button>
                    </div>
                    <p id="ocf-message" class="ocf-message" role="alert"></p>
                  </section>
                  <section><h2>Progress</h2>
                    <progress id="ocf-progress" max="1" value="0"></progress>
                    <span id="ocf-bytes"></span> <span id="ocf-rate"></span>
                    <p>Step: <span id="ocf-step"></span></p>
                  </section>
                  <section><h2>pstat</h2><table class="ocf-table"><tbody id="ocf-pstat"></tbody></table></section>
                  <section><h2>Providers</h2>
                    <table class="ocf-table"><thead><tr><th>Provider</th><th>Ranking</th><th>Status</th>
                      <th>In use</th><th></th></tr></thead><tbody id="ocf-providers"></tbody></table></section>
                  <section><h2>History</h2>
                    <table class="ocf-table"><thead><tr><th>Time</th><th>From</th><th>To</th><th>Provider</th>
                      <th>Result</th><th>Duration</th><th>Reason</th></tr></thead><tbody id="ocf-history"></tbody>
                    </table></section>
                  <section><h2>Trusted signing keys</h2>
                    <table class="ocf-table"><thead><tr><th>File</th><th>Algorithm</th><th>SHA-256 fingerprint</th>
                      </tr></thead><tbody id="ocf-keys"></tbody></table></section>
                </div>
                <script src="%1$s/res/ocf-update.js"></script>
                """.formatted(base, Csrf.TOKEN));
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
