package dev.baton.verify.report;

import dev.baton.InvalidArgumentException;
import dev.baton.verify.CheckResult;
import dev.baton.verify.Checker;
import dev.baton.verify.History;
import dev.baton.verify.HistoryEvent;
import dev.baton.verify.HistoryEvent.Op;
import dev.baton.verify.HistoryEvent.Type;
import dev.baton.verify.Verdict;
import dev.baton.verify.Violation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Formatting and history conventions shared by {@link SummaryTable} and {@link HtmlReport}. */
final class Text {
    static final String NEMESIS = "nemesis";

    private Text() {}

    /** Rejects a null argument of a public entry point, naming it. */
    static void requireNonNull(String what, Object value) {
        if (value == null) {
            throw InvalidArgumentException.mustBe(what, "non-null", null);
        }
    }

    /**
     * Rejects a verdict that does not classify exactly the result's violations: a report built from
     * both would otherwise count one set and show another.
     */
    static void requireConsistent(String where, CheckResult result, Verdict verdict) {
        int classified = verdict.counted().size() + verdict.excused().size();
        if (classified != result.violations().size()) {
            throw InvalidArgumentException.mustBe(
                    where + ": the verdict's counted + excused violations",
                    "the result's " + result.violations().size() + " violations",
                    classified);
        }
    }

    /**
     * Whether a process is a client (has a lane, its reads count): not the nemesis, and not the
     * runner's read of the register after the run ({@link Checker#FINAL_READ}).
     */
    static boolean isClient(String process) {
        return !process.equals(NEMESIS) && !process.equals(Checker.FINAL_READ);
    }

    /**
     * The timeline lane of a process: incarnations of one client ({@code c3}, {@code c3#2}) share
     * the lane named by the part before '#'.
     */
    static String lane(String process) {
        int hash = process.indexOf('#');
        return hash < 0 ? process : process.substring(0, hash);
    }

    /** Orders lanes as people count: c2 before c10. */
    static final Comparator<String> NATURAL =
            (a, b) -> {
                int na = trailingDigits(a);
                int nb = trailingDigits(b);
                String pa = a.substring(0, na);
                String pb = b.substring(0, nb);
                int byPrefix = pa.compareTo(pb);
                if (byPrefix != 0 || na == a.length() || nb == b.length()) {
                    return byPrefix != 0 ? byPrefix : a.compareTo(b);
                }
                String da = a.substring(na).replaceFirst("^0+(?=.)", "");
                String db = b.substring(nb).replaceFirst("^0+(?=.)", "");
                int byLength = Integer.compare(da.length(), db.length());
                return byLength != 0 ? byLength : da.compareTo(db);
            };

    /** The index where the string's trailing run of digits starts (its length if none). */
    private static int trailingDigits(String s) {
        int i = s.length();
        while (i > 0 && Character.isDigit(s.charAt(i - 1))) {
            i--;
        }
        return i;
    }

    /** The fault name of a nemesis detail: its first word ("pause" of "pause c3 for 4.2 s"). */
    static String faultName(String detail) {
        if (detail == null || detail.isBlank()) {
            return "(unnamed)";
        }
        String trimmed = detail.strip();
        int space = trimmed.indexOf(' ');
        return space < 0 ? trimmed : trimmed.substring(0, space);
    }

    /** Faults injected, by name in order of first injection: one per {@code NEMESIS invoke}. */
    static Map<String, Integer> faultCounts(History history) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (HistoryEvent e : history.events()) {
            if (e.op() == Op.NEMESIS && e.type() == Type.INVOKE) {
                counts.merge(faultName(e.detail()), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** Clients' READ completions: ok, fail (the store rejected the token), info (unknown). */
    record Reads(int ok, int rejected, int indeterminate) {
        static Reads of(History history) {
            int ok = 0;
            int rejected = 0;
            int indeterminate = 0;
            for (HistoryEvent e : history.events()) {
                if (e.op() == Op.READ && isClient(e.process())) {
                    switch (e.type()) {
                        case OK -> ok++;
                        case FAIL -> rejected++;
                        case INFO -> indeterminate++;
                        case INVOKE -> {}
                    }
                }
            }
            return new Reads(ok, rejected, indeterminate);
        }
    }

    /** One violation as the report lists it: counted ones first, then the excused ones. */
    record Listed(int number, Violation violation, String excusedBecause) {
        boolean counted() {
            return excusedBecause == null;
        }

        /** The anchor id of the violation's marker in the timeline. */
        String anchor() {
            return "v" + number;
        }
    }

    static List<Listed> listed(Verdict verdict) {
        List<Listed> out = new ArrayList<>();
        for (Violation v : verdict.counted()) {
            out.add(new Listed(out.size() + 1, v, null));
        }
        for (Verdict.Excused x : verdict.excused()) {
            out.add(new Listed(out.size() + 1, x.violation(), x.reason()));
        }
        return out;
    }

    /** Seconds since {@code origin}, with millisecond precision: "12.345 s". */
    static String seconds(long nanos, long origin) {
        return String.format(Locale.ROOT, "%.3f s", (nanos - origin) / 1e9);
    }

    /** A duration for people: "60 s", "2.5 s", "750 ms"; "-" when absent. */
    static String duration(Duration d) {
        if (d == null) {
            return "-";
        }
        long millis = d.toMillis();
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis % 1000 == 0) {
            long s = millis / 1000;
            return s >= 120 && s % 60 == 0 ? s + " s (" + s / 60 + " min)" : s + " s";
        }
        return String.format(Locale.ROOT, "%.3f", millis / 1000.0).replaceAll("0+$", "") + " s";
    }

    /** The kill counts and kill-to-grant times, fields joined by {@code sep}. */
    static String kills(CheckResult.Stats s, String sep) {
        return s.kills()
                + sep
                + "of holders "
                + s.holderKills()
                + sep
                + "followed by a grant "
                + s.recoveries();
    }

    /** "max X ms{sep}p99 Y ms", or "-" when no holder kill was followed by a grant. */
    static String recovery(CheckResult.Stats s, String sep) {
        return s.recoveries() == 0
                ? "-"
                : "max "
                        + millis(s.recoveryMaxMillis())
                        + sep
                        + "p99 "
                        + millis(s.recoveryP99Millis());
    }

    static String millis(double ms) {
        return String.format(Locale.ROOT, "%.1f ms", ms);
    }

    static String orDash(Object o) {
        return o == null ? "-" : o.toString();
    }

    /**
     * Text made safe for HTML and XML element content and attribute values. Control characters
     * other than tab and newlines become U+FFFD: they are not allowed in XML, and the report stays
     * well-formed XML so that it can be checked by a parser.
     */
    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String r =
                    switch (c) {
                        case '&' -> "&amp;";
                        case '<' -> "&lt;";
                        case '>' -> "&gt;";
                        case '"' -> "&quot;";
                        case '\'' -> "&#39;";
                        default ->
                                c < 0x20 && c != '\t' && c != '\n' && c != '\r' ? "\uFFFD" : null;
                    };
            if (r != null && out == null) {
                out = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (out != null) {
                if (r != null) {
                    out.append(r);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? s : out.toString();
    }
}
