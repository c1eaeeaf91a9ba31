package dev.baton.verify.report;

import dev.baton.verify.CheckResult;
import dev.baton.verify.History;
import dev.baton.verify.Verdict;
import dev.baton.verify.Violation;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one-screen text summary printed at the end of a {@code baton verify} run: what ran, the
 * faults injected, the operations, recovery times, violations per kind, engine residue, and a last
 * line {@code VERDICT: PASS} or {@code VERDICT: FAIL (...)} that scripts can grep.
 *
 * <p>At most {@value #MAX_WIDTH} columns and 35 lines: long values are cut with "...", lists are
 * cut after a few entries, and only the first {@value #SHOWN_EXPLANATIONS} violation explanations
 * are shown (the HTML report has them all).
 */
public final class SummaryTable {
    /** The widest line rendered. */
    public static final int MAX_WIDTH = 100;

    static final int SHOWN_EXPLANATIONS = 3;
    private static final int LINES_PER_EXPLANATION = 3;
    private static final int SHOWN_LIST_ENTRIES = 2;
    private static final String INDENT = "  ";

    private SummaryTable() {}

    /**
     * Renders the summary, lines separated by '\n', ending with the verdict line and a newline.
     *
     * @param history the run's history, for what the result does not count (faults, reads)
     * @param verdict the classification of {@code result}'s violations
     * @throws dev.baton.InvalidArgumentException when an argument is null, or when the verdict does
     *     not classify exactly the result's violations
     */
    public static String render(
            RunInfo info, History history, CheckResult result, Verdict verdict) {
        Text.requireNonNull("SummaryTable.render info", info);
        Text.requireNonNull("SummaryTable.render history", history);
        Text.requireNonNull("SummaryTable.render result", result);
        Text.requireNonNull("SummaryTable.render verdict", verdict);
        Text.requireConsistent("SummaryTable.render", result, verdict);

        List<String> lines = new ArrayList<>();
        CheckResult.Stats s = result.stats();

        lines.add(
                "baton verify: "
                        + Text.orDash(info.backend())
                        + ", fencing "
                        + (info.fencing() ? "on" : "OFF (control run)"));
        lines.add(INDENT + "engine    " + Text.orDash(info.engine()));
        lines.add(
                INDENT
                        + String.format(
                                Locale.ROOT,
                                "seed %d   duration %s   clients %d   ttl %s   started %s",
                                info.seed(),
                                Text.duration(info.duration()),
                                info.clients(),
                                Text.duration(info.ttl()),
                                Text.orDash(info.startedAt())));

        Map<String, Integer> faults = Text.faultCounts(history);
        List<String> injected = new ArrayList<>();
        faults.forEach((name, n) -> injected.add(name + " x" + n));
        lines.add(
                INDENT
                        + "faults    "
                        + (info.faults().isEmpty() ? "none" : String.join(", ", info.faults())));
        lines.add(
                INDENT
                        + "injected  "
                        + (injected.isEmpty() ? "none" : String.join(", ", injected)));
        for (String skipped : cut(info.skipped())) {
            lines.add(INDENT + "skipped   " + skipped);
        }

        Text.Reads reads = Text.Reads.of(history);
        lines.add("Operations");
        lines.add(
                row(
                        "grants",
                        s.grants()
                                + (s.grantsWithoutToken() == 0
                                        ? ""
                                        : "   (" + s.grantsWithoutToken() + " without a token)")));
        lines.add(
                row(
                        "reads",
                        "ok "
                                + reads.ok()
                                + "   rejected "
                                + reads.rejected()
                                + "   indeterminate "
                                + reads.indeterminate()));
        lines.add(
                row(
                        "writes",
                        "accepted "
                                + s.writesAccepted()
                                + "   rejected "
                                + s.staleWritesRejected()
                                + "   indeterminate "
                                + s.writesIndeterminate()));
        lines.add(
                row(
                        "register",
                        "final "
                                + Text.orDash(s.finalRegisterValue())
                                + " vs "
                                + s.acknowledgedIncrements()
                                + " acknowledged increments"
                                + (s.writesIndeterminate() == 0
                                        ? ""
                                        : " (+ up to " + s.writesIndeterminate() + " unknown)")));

        lines.add("Recovery");
        lines.add(row("kills", Text.kills(s, "   ")));
        lines.add(row("kill -> grant", Text.recovery(s, "   ")));

        lines.add(String.format(Locale.ROOT, "%-24s %8s %8s", "Violations", "counted", "excused"));
        Map<Violation.Kind, int[]> byKind = byKind(verdict);
        byKind.forEach(
                (kind, n) ->
                        lines.add(String.format(Locale.ROOT, "  %-22s %8d %8d", kind, n[0], n[1])));

        List<String> residue = info.residue();
        if (residue.isEmpty()) {
            lines.add("Engine residue: none");
        } else {
            lines.add("Engine residue: " + residue.size() + " entries left behind");
            for (String r : cut(residue)) {
                lines.add(INDENT + r);
            }
        }

        List<Text.Listed> listed = Text.listed(verdict);
        for (Text.Listed l : listed.subList(0, Math.min(SHOWN_EXPLANATIONS, listed.size()))) {
            String head =
                    l.number()
                            + ". "
                            + l.violation().kind()
                            + (l.counted() ? "" : " (excused: " + l.excusedBecause() + ")")
                            + ": ";
            lines.addAll(wrap(head + l.violation().explanation()));
        }
        if (listed.size() > SHOWN_EXPLANATIONS) {
            lines.add("... and " + (listed.size() - SHOWN_EXPLANATIONS) + " more (see report)");
        }

        lines.add(verdictLine(verdict, byKind));

        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            out.append(fit(line)).append('\n');
        }
        return out.toString();
    }

    /** The last line: "VERDICT: PASS" or "VERDICT: FAIL (n violations: k KIND, ...)". */
    static String verdictLine(Verdict verdict, Map<Violation.Kind, int[]> byKind) {
        int excused = verdict.excused().size();
        String excusedNote = excused == 0 ? "" : excused + " excused";
        if (verdict.passed()) {
            return "VERDICT: PASS" + (excused == 0 ? "" : " (" + excusedNote + ")");
        }
        List<String> kinds = new ArrayList<>();
        byKind.forEach(
                (kind, n) -> {
                    if (n[0] > 0) {
                        kinds.add(n[0] + " " + kind);
                    }
                });
        int counted = verdict.counted().size();
        String line =
                "VERDICT: FAIL ("
                        + counted
                        + (counted == 1 ? " violation: " : " violations: ")
                        + String.join(", ", kinds)
                        + (excused == 0 ? "" : "; " + excusedNote)
                        + ")";
        // Scripts grep this line, so it is shortened rather than cut mid-word.
        return line.length() <= MAX_WIDTH
                ? line
                : "VERDICT: FAIL ("
                        + counted
                        + " violations of "
                        + kinds.size()
                        + " kinds"
                        + (excused == 0 ? "" : "; " + excusedNote)
                        + ")";
    }

    /** Kind -> {counted, excused}, every kind present, in declaration order. */
    private static Map<Violation.Kind, int[]> byKind(Verdict verdict) {
        Map<Violation.Kind, int[]> out = new EnumMap<>(Violation.Kind.class);
        for (Violation.Kind k : Violation.Kind.values()) {
            out.put(k, new int[2]);
        }
        verdict.counted().forEach(v -> out.get(v.kind())[0]++);
        verdict.excused().forEach(x -> out.get(x.violation().kind())[1]++);
        return out;
    }

    private static String row(String label, String value) {
        return String.format(Locale.ROOT, "  %-14s %s", label, value);
    }

    /** The first few entries of a list, then how many more. */
    private static List<String> cut(List<String> entries) {
        if (entries.size() <= SHOWN_LIST_ENTRIES) {
            return entries;
        }
        List<String> out = new ArrayList<>(entries.subList(0, SHOWN_LIST_ENTRIES - 1));
        out.add("... and " + (entries.size() - SHOWN_LIST_ENTRIES + 1) + " more (see report)");
        return out;
    }

    /**
     * Word-wraps a violation to at most {@value #LINES_PER_EXPLANATION} lines, continuation lines
     * indented; the rest is cut with "...".
     */
    static List<String> wrap(String text) {
        String indent = "     ";
        List<String> out = new ArrayList<>();
        String rest = text.strip().replaceAll("\\s+", " ");
        while (!rest.isEmpty()) {
            String prefix = out.isEmpty() ? "" : indent;
            int room = MAX_WIDTH - prefix.length();
            if (rest.length() <= room) {
                out.add(prefix + rest);
                break;
            }
            if (out.size() == LINES_PER_EXPLANATION - 1) {
                out.add(prefix + rest.substring(0, room - 3) + "...");
                break;
            }
            int cutAt = rest.lastIndexOf(' ', room);
            if (cutAt <= room / 2) {
                cutAt = room; // one long token: break it rather than leave a short line
            }
            out.add(prefix + rest.substring(0, cutAt).stripTrailing());
            rest = rest.substring(cutAt).stripLeading();
        }
        return out;
    }

    private static String fit(String line) {
        String flat = line.replaceAll("[\\r\\n\\t]", " ");
        return flat.length() <= MAX_WIDTH ? flat : flat.substring(0, MAX_WIDTH - 3) + "...";
    }
}
