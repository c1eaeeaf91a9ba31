package dev.baton.verify.run;

import dev.baton.verify.CheckResult;
import dev.baton.verify.History;
import dev.baton.verify.HistoryEvent;
import dev.baton.verify.HistoryEvent.Op;
import dev.baton.verify.HistoryEvent.Type;
import dev.baton.verify.Verdict;
import dev.baton.verify.Violation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-fault rows of a run, for docs/SAFETY.md: how often each fault was injected, and which
 * violations fell inside its window (from its start to 2 TTLs after its heal, the time a lease
 * needs to notice and the engine to re-grant). A violation outside every window is counted under
 * "(no fault)". A violation inside two overlapping windows is counted for both; the nemesis runs
 * one fault at a time, so only the 2-TTL tails can overlap. A lost update is a verdict on the whole
 * register, counted under "(whole run)".
 */
public record FaultMatrix(List<Row> rows) {

    /** One fault's line. */
    public record Row(String fault, int injected, int counted, int excused) {}

    public static FaultMatrix of(
            History history, CheckResult result, Verdict verdict, Duration ttl) {
        Map<String, long[]> open = new LinkedHashMap<>();
        Map<String, Integer> injected = new LinkedHashMap<>();
        List<Object[]> windows = new ArrayList<>(); // {fault, start, end}
        for (HistoryEvent e : history.events()) {
            if (e.op() != Op.NEMESIS || !"nemesis".equals(e.process()) || e.detail() == null) {
                continue;
            }
            String fault = e.detail().split(" ", 2)[0];
            if (e.type() == Type.INVOKE) {
                open.put(fault, new long[] {e.nanos()});
                injected.merge(fault, 1, Integer::sum);
            } else {
                long[] start = open.remove(fault);
                if (start != null) {
                    windows.add(new Object[] {fault, start[0], e.nanos() + ttl.toNanos() * 2});
                }
            }
        }
        open.forEach((f, start) -> windows.add(new Object[] {f, start[0], Long.MAX_VALUE}));
        Map<String, int[]> counts = new LinkedHashMap<>();
        injected.keySet().forEach(f -> counts.put(f, new int[2]));
        List<Violation> excused =
                verdict.excused().stream().map(Verdict.Excused::violation).toList();
        for (Violation v : result.violations()) {
            int column = excused.contains(v) ? 1 : 0;
            if (v.kind() == Violation.Kind.LOST_UPDATE) {
                // One verdict on the whole register, not an event in time.
                counts.computeIfAbsent("(whole run)", k -> new int[2])[column]++;
                continue;
            }
            long t = v.events().get(v.events().size() - 1).nanos();
            boolean any = false;
            for (Object[] w : windows) {
                if (t >= (long) w[1] && t <= (long) w[2]) {
                    counts.computeIfAbsent((String) w[0], k -> new int[2])[column]++;
                    any = true;
                }
            }
            if (!any) {
                counts.computeIfAbsent("(no fault)", k -> new int[2])[column]++;
            }
        }
        List<Row> rows = new ArrayList<>();
        counts.forEach((f, c) -> rows.add(new Row(f, injected.getOrDefault(f, 0), c[0], c[1])));
        return new FaultMatrix(rows);
    }

    /** A small text table. */
    public String render() {
        StringBuilder b = new StringBuilder();
        b.append(
                String.format(
                        Locale.ROOT,
                        "%-16s %9s %9s %9s%n",
                        "FAULT",
                        "INJECTED",
                        "VIOLATED",
                        "EXCUSED"));
        for (Row r : rows) {
            b.append(
                    String.format(
                            Locale.ROOT,
                            "%-16s %9d %9d %9d%n",
                            r.fault(),
                            r.injected(),
                            r.counted(),
                            r.excused()));
        }
        return b.toString();
    }
}
