package dev.baton.verify.report;

import dev.baton.verify.CheckResult;
import dev.baton.verify.History;
import dev.baton.verify.HistoryEvent;
import dev.baton.verify.Verdict;
import dev.baton.verify.Violation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The HTML report of a {@code baton verify} run: one self-contained file (inline CSS and SVG, a few
 * lines of inline script, no external resources) with the run and its statistics, the verdict, the
 * command that reproduces the run, a timeline (a lane per client: waiting, holding, paused, killed,
 * lease lost, writes; a lane of nemesis faults; violations as vertical lines) and the table of
 * violations.
 *
 * <p>Sized for long runs: a 10-minute run of ~50k events renders to a few megabytes (see {@link
 * Timeline} for how). The output is also well-formed XML, so that tests can parse it.
 */
public final class HtmlReport {
    /** Violations listed in the table and drawn on the timeline; the summary counts them all. */
    static final int MAX_VIOLATIONS_SHOWN = 2000;

    private HtmlReport() {}

    /**
     * Writes {@link #render} to {@code file} as UTF-8, replacing it.
     *
     * @throws dev.baton.InvalidArgumentException as {@link #render}
     * @throws UncheckedIOException when the file cannot be written
     */
    public static void write(
            Path file, RunInfo info, History history, CheckResult result, Verdict verdict) {
        Text.requireNonNull("HtmlReport.write file", file);
        String html = render(info, history, result, verdict);
        try {
            Files.writeString(file, html, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write report " + file, e);
        }
    }

    /**
     * The report as one HTML document.
     *
     * @param verdict the classification of {@code result}'s violations
     * @throws dev.baton.InvalidArgumentException when an argument is null, or when the verdict does
     *     not classify exactly the result's violations
     */
    public static String render(
            RunInfo info, History history, CheckResult result, Verdict verdict) {
        Text.requireNonNull("HtmlReport.render info", info);
        Text.requireNonNull("HtmlReport.render history", history);
        Text.requireNonNull("HtmlReport.render result", result);
        Text.requireNonNull("HtmlReport.render verdict", verdict);
        Text.requireConsistent("HtmlReport.render", result, verdict);

        List<Text.Listed> all = Text.listed(verdict);
        List<Text.Listed> shown = all.subList(0, Math.min(all.size(), MAX_VIOLATIONS_SHOWN));
        Timeline timeline = history.events().isEmpty() ? null : Timeline.of(history);

        StringBuilder h = new StringBuilder(256 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>")
                .append("<title>baton verify: ")
                .append(Text.escape(Text.orDash(info.backend())))
                .append(verdict.passed() ? " PASS" : " FAIL")
                .append("</title><style>")
                .append(CSS)
                .append("</style></head><body>\n");
        h.append("<h1>baton verify: ")
                .append(Text.escape(Text.orDash(info.backend())))
                .append(info.fencing() ? ", fenced" : ", unfenced control run")
                .append("</h1>\n");
        banner(h, verdict);
        h.append("<div class=\"tables\">");
        runTable(h, info);
        statsTable(h, history, result);
        faultsTable(h, history);
        h.append("</div>\n<h2>Reproduce</h2><pre class=\"cmd\">")
                .append(Text.escape(Text.orDash(info.command())))
                .append("</pre>\n<h2>Timeline</h2>");
        if (timeline == null) {
            h.append("<p class=\"empty\">No events: the history is empty.</p>");
        } else {
            legend(h, timeline);
            h.append("<div class=\"timeline\"><div class=\"fixed\">")
                    .append(timeline.labelsSvg())
                    .append("</div><div class=\"scroll\" id=\"tl-scroll\">")
                    .append(timeline.plotSvg(shown))
                    .append("</div></div>\n");
        }
        violationsTable(h, all, shown, timeline, history);
        h.append("<script>").append(SCRIPT).append("</script>\n</body></html>\n");
        return h.toString();
    }

    private static void banner(StringBuilder h, Verdict verdict) {
        int counted = verdict.counted().size();
        int excused = verdict.excused().size();
        h.append("<div class=\"verdict ").append(verdict.passed() ? "pass" : "fail").append("\">");
        if (verdict.passed()) {
            h.append("PASS: no violation of what this mode promises");
        } else {
            h.append("FAIL: ")
                    .append(counted)
                    .append(counted == 1 ? " violation" : " violations")
                    .append(" of what this mode promises");
        }
        if (excused > 0) {
            h.append(" <span class=\"note\">(")
                    .append(excused)
                    .append(" excused: the mode does not promise to prevent ")
                    .append(excused == 1 ? "it" : "them")
                    .append(")</span>");
        }
        h.append("</div>\n");
    }

    private static void runTable(StringBuilder h, RunInfo info) {
        h.append("<table class=\"kv\"><caption>Run</caption>");
        row(h, "backend", Text.orDash(info.backend()));
        row(h, "engine", Text.orDash(info.engine()));
        row(h, "fencing", info.fencing() ? "on" : "off (control run)");
        row(h, "seed", Long.toString(info.seed()));
        row(h, "duration", Text.duration(info.duration()));
        row(h, "clients", Integer.toString(info.clients()));
        row(h, "ttl", Text.duration(info.ttl()));
        row(
                h,
                "faults enabled",
                info.faults().isEmpty() ? "none" : String.join(", ", info.faults()));
        for (String skipped : info.skipped()) {
            row(h, "skipped", skipped);
        }
        row(h, "started", Text.orDash(info.startedAt()));
        if (info.residue().isEmpty()) {
            row(h, "engine residue", "none");
        } else {
            for (String r : info.residue()) {
                rowClass(h, "engine residue", r, "bad");
            }
        }
        h.append("</table>");
    }

    private static void statsTable(StringBuilder h, History history, CheckResult result) {
        CheckResult.Stats s = result.stats();
        Text.Reads reads = Text.Reads.of(history);
        h.append("<table class=\"kv\"><caption>Operations</caption>");
        row(h, "events", Integer.toString(s.events()));
        row(
                h,
                "grants",
                s.grants()
                        + (s.grantsWithoutToken() == 0
                                ? ""
                                : " (" + s.grantsWithoutToken() + " without a token)"));
        row(
                h,
                "reads",
                reads.ok()
                        + " ok, "
                        + reads.rejected()
                        + " rejected, "
                        + reads.indeterminate()
                        + " indeterminate");
        row(
                h,
                "writes",
                s.writesAccepted()
                        + " accepted, "
                        + s.staleWritesRejected()
                        + " rejected, "
                        + s.writesIndeterminate()
                        + " indeterminate");
        row(
                h,
                "register",
                "final "
                        + Text.orDash(s.finalRegisterValue())
                        + " vs "
                        + s.acknowledgedIncrements()
                        + " acknowledged increments");
        row(h, "kills", Text.kills(s, ", "));
        row(h, "kill to next grant", Text.recovery(s, ", "));
        h.append("</table>");
    }

    private static void faultsTable(StringBuilder h, History history) {
        Map<String, Integer> faults = Text.faultCounts(history);
        h.append("<table class=\"kv\"><caption>Faults injected</caption>");
        if (faults.isEmpty()) {
            row(h, "none", "");
        }
        faults.forEach((name, n) -> row(h, name, Integer.toString(n)));
        h.append("</table>");
    }

    private static void row(StringBuilder h, String key, String value) {
        rowClass(h, key, value, null);
    }

    private static void rowClass(StringBuilder h, String key, String value, String cls) {
        h.append("<tr").append(cls == null ? "" : " class=\"" + cls + "\"").append("><th>");
        h.append(Text.escape(key)).append("</th><td>").append(Text.escape(value));
        h.append("</td></tr>");
    }

    private static void legend(StringBuilder h, Timeline t) {
        h.append("<div class=\"legend\">");
        swatch(h, "<rect class=\"wait\" x=\"1\" y=\"5\" width=\"20\" height=\"8\"/>", "waiting");
        swatch(h, "<rect class=\"hold\" x=\"1\" y=\"1\" width=\"20\" height=\"16\"/>", "holding");
        swatch(h, "<rect class=\"pause\" x=\"1\" y=\"1\" width=\"20\" height=\"16\"/>", "paused");
        swatch(h, "<path class=\"kill\" d=\"M6 4l10 10m0 -10l-10 10\"/>", "killed (kill -9)");
        swatch(h, "<path class=\"lost\" d=\"M7 2h8l-4 6z\"/>", "lease lost");
        swatch(h, "<path class=\"wok\" d=\"M8 5v9M12 5v9\"/>", "write accepted");
        swatch(h, "<path class=\"wrej\" d=\"M8 3v12M12 3v12\"/>", "write rejected");
        swatch(h, "<path class=\"wunk\" d=\"M8 5v9M12 5v9\"/>", "write unknown");
        swatch(
                h,
                "<rect class=\"band\" x=\"1\" y=\"3\" width=\"20\" height=\"12\" fill=\"#fde2a7\"/>",
                "fault");
        swatch(
                h,
                "<g class=\"viol counted\"><path class=\"vline\" d=\"M11 0v18\"/></g>",
                "violation");
        swatch(
                h,
                "<g class=\"viol excused\"><path class=\"vline\" d=\"M11 0v18\"/></g>",
                "excused");
        h.append("<span class=\"scale\">")
                .append(Text.escape(scale(t.pxPerSecond())))
                .append("; hover for details</span></div>");
    }

    private static String scale(double pxPerSecond) {
        return pxPerSecond >= 1
                ? String.format(Locale.ROOT, "%.1f px per second", pxPerSecond)
                : String.format(Locale.ROOT, "1 px = %.1f s", 1 / pxPerSecond);
    }

    private static void swatch(StringBuilder h, String svg, String label) {
        h.append("<span class=\"item\"><svg width=\"22\"")
                .append(" height=\"18\">")
                .append(svg)
                .append("</svg>")
                .append(Text.escape(label))
                .append("</span>");
    }

    private static void violationsTable(
            StringBuilder h,
            List<Text.Listed> all,
            List<Text.Listed> shown,
            Timeline t,
            History history) {
        h.append("<h2>Violations</h2>");
        if (all.isEmpty()) {
            h.append("<p class=\"empty\">None found.</p>");
            return;
        }
        long origin = history.events().isEmpty() ? 0 : history.events().get(0).nanos();
        h.append(
                "<table class=\"viols\"><thead><tr><th>#</th><th>kind</th><th>status</th>"
                        + "<th>explanation</th><th>times</th></tr></thead><tbody>");
        for (Text.Listed v : shown) {
            Violation violation = v.violation();
            h.append("<tr class=\"")
                    .append(v.counted() ? "counted" : "excused")
                    .append("\"><td>")
                    .append(v.number())
                    .append("</td><td>")
                    .append(violation.kind())
                    .append("</td><td>")
                    .append(v.counted() ? "counted" : "excused: " + Text.escape(v.excusedBecause()))
                    .append("</td><td>")
                    .append(Text.escape(violation.explanation()))
                    .append("</td><td class=\"times\">");
            long last = Long.MIN_VALUE;
            int listedTimes = 0;
            for (HistoryEvent e : violation.events()) {
                if (e.nanos() == last) {
                    continue;
                }
                if (listedTimes == 6) {
                    h.append(" ...");
                    break;
                }
                last = e.nanos();
                listedTimes++;
                h.append("<a href=\"#")
                        .append(v.anchor())
                        .append("\" data-x=\"")
                        .append(t == null ? "0" : Timeline.f1(t.x(e.nanos())))
                        .append("\">")
                        .append(Text.escape(Text.seconds(e.nanos(), origin)))
                        .append("</a> ");
            }
            h.append("</td></tr>");
        }
        h.append("</tbody></table>");
        if (shown.size() < all.size()) {
            h.append("<p class=\"note\">")
                    .append(all.size() - shown.size())
                    .append(" more violations are not listed or drawn, to keep this file small;")
                    .append(" the history has them all.</p>");
        }
    }

    private static final String CSS =
            String.join(
                    "\n",
                    "body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
                            + "margin:16px 24px;color:#1d2228}",
                    "h1{font-size:20px;margin:0 0 10px}h2{font-size:16px;margin:22px 0 8px}",
                    ".verdict{font-size:18px;font-weight:600;padding:10px 14px;border-radius:4px;"
                            + "color:#fff;margin-bottom:14px}",
                    ".verdict.pass{background:#2e7d32}.verdict.fail{background:#c62828}",
                    ".verdict .note{font-weight:400;font-size:14px;color:#fff;opacity:.9}",
                    ".tables{display:flex;flex-wrap:wrap;gap:28px;align-items:flex-start}",
                    "table{border-collapse:collapse}caption{text-align:left;font-weight:600;"
                            + "padding-bottom:4px}",
                    "th,td{text-align:left;padding:2px 10px 2px 0;vertical-align:top}",
                    "table.kv th{font-weight:400;color:#5a6270}table.kv tr.bad td{color:#c62828}",
                    "pre.cmd{background:#f4f5f7;padding:8px 10px;border-radius:4px;"
                            + "white-space:pre-wrap;word-break:break-all}",
                    ".legend{display:flex;flex-wrap:wrap;gap:14px;align-items:center;"
                            + "margin-bottom:6px;font-size:13px}",
                    ".legend .item{display:inline-flex;align-items:center;gap:4px}",
                    ".legend .scale{color:#5a6270}",
                    ".timeline{display:flex;border:1px solid #d8dce2;border-radius:4px}",
                    ".timeline .fixed{flex:none;border-right:1px solid #d8dce2;background:#fff}",
                    ".timeline .scroll{overflow-x:auto;flex:1}",
                    "svg text{font:11px system-ui,sans-serif;fill:#3b4350}",
                    "svg .lbl{font-size:12px;font-weight:600;text-anchor:end}",
                    ".axis text{text-anchor:middle;fill:#6b7380}",
                    ".grid{stroke:#e4e7eb;stroke-width:1;fill:none}",
                    ".lanebg{fill:#f6f7f9}",
                    ".wait{fill:#c3cad3}.hold{fill:#3b78c2}",
                    ".pause{fill:url(#hatch);stroke:#b07800;stroke-width:1;fill-opacity:.9}",
                    ".hatch{fill:#f0a830}",
                    ".wok{stroke:#2e8b57;stroke-width:1.5}.wrej{stroke:#8e44ad;stroke-width:2}",
                    ".wunk{stroke:#9aa0a8;stroke-width:1.5}",
                    ".lost{fill:#111}.lostline{stroke:#111;stroke-width:1;stroke-dasharray:2 2}",
                    ".kill{stroke:#111;stroke-width:2.5;fill:none}",
                    "text.incarnation{font-size:10px;fill:#6b7380}",
                    ".band{stroke:#8d939c;stroke-width:.5}.bandlbl{font-size:10px;fill:#2b313a}",
                    ".viol .vline{stroke-width:1.5;fill:none}",
                    ".viol .vhit{stroke:transparent;stroke-width:8;fill:none}",
                    ".viol.counted .vline{stroke:#e0191b}.viol.counted .vhead{fill:#e0191b}",
                    ".viol.excused .vline{stroke:#f08c00;stroke-dasharray:5 3}"
                            + ".viol.excused .vhead{fill:#f08c00}",
                    ".viol.many .vline{stroke-width:1;stroke-opacity:.45}",
                    ".viol.sel .vline,.viol:target .vline{stroke-width:3;stroke-opacity:1}",
                    "table.viols{margin-top:4px;width:100%}table.viols thead th{"
                            + "border-bottom:1px solid #c8cdd4}",
                    "table.viols td{border-bottom:1px solid #eceef1;padding:4px 10px 4px 0}",
                    "table.viols tr.counted td:nth-child(3){color:#c62828;font-weight:600}",
                    "table.viols tr.excused td:nth-child(3){color:#b86e00}",
                    "td.times{white-space:nowrap}td.times a{color:#1f5fa8}",
                    ".empty,.note{color:#5a6270}");

    // Scrolls the timeline to a violation and highlights it; without script the anchor still
    // jumps. No '<' or '&' in here: the document stays well-formed XML.
    private static final String SCRIPT =
            "for(const a of document.querySelectorAll('a[data-x]')){a.onclick=function(e){"
                    + "e.preventDefault();const s=document.getElementById('tl-scroll');"
                    + "if(!s)return;s.scrollLeft=Math.max(0,a.dataset.x-s.clientWidth/2);"
                    + "s.scrollIntoView({block:'nearest'});"
                    + "for(const g of document.querySelectorAll('.viol.sel'))"
                    + "g.classList.remove('sel');"
                    + "const g=document.getElementById(a.getAttribute('href').slice(1));"
                    + "if(g)g.classList.add('sel');};}";
}
