package dev.baton.cli;

import dev.baton.cli.DemoBufferHistory.BufferCheck;
import dev.baton.cli.DemoBufferHistory.ItemsCheck;
import dev.baton.cli.DemoBufferHistory.RequestsCheck;
import dev.baton.cli.DemoBufferHistory.Sleep;
import dev.baton.cli.DemoBufferHistory.SleepCheck;
import dev.baton.cli.DemoBufferHistory.Wait;
import dev.baton.cli.DemoBufferScript.Kill;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What {@code baton demo buffer} prints besides its event lines (which go through {@link
 * DemoReport#line}): the header, and at the end the summary table of the four rules and the verdict
 * (PASS or FAIL, and the exit status that goes with it).
 *
 * <p>Threads: the main thread only.
 */
final class DemoBufferReport {
    /** The rules' outcomes, computed once so the summary and the verdict agree. */
    record Checks(
            ItemsCheck items,
            BufferCheck buffer,
            SleepCheck sleep,
            RequestsCheck requests,
            List<Wait> waits,
            Kill waitKill,
            Kill holdKill) {}

    private final DemoReport report;

    DemoBufferReport(DemoReport report) {
        this.report = report;
    }

    void header(boolean embedded, String engine, int items, Duration ttl, Duration sleepBound) {
        List<String> h =
                List.of(
                        "Baton demo buffer: producers and consumers on a monitor, across processes",
                        "",
                        "  2 producer and 2 consumer processes (separate JVMs) share a bounded buffer"
                                + " of "
                                + DemoBuffer.CAPACITY
                                + " items,",
                        "  kept in Baton's key/value store under the monitor \""
                                + DemoBufferNodeCommand.MONITOR
                                + "\" ("
                                + (embedded ? "an embedded ZooKeeper" : engine)
                                + ").",
                        "  Producers wait on \"not-full\", consumers on \"not-empty\"; each put"
                                + " signals not-empty,",
                        "  each take signals not-full. Every write is a compare-and-set fenced by"
                                + " the writer's token.",
                        "  1. Each producer makes " + items + " items; the consumers take them.",
                        "  2. The demo kills a consumer (SIGKILL) while it waits on not-empty; a"
                                + " new one replaces it.",
                        "  3. Later it kills a consumer while it holds the monitor: the others"
                                + " wait until its",
                        "     session expires (session timeout "
                                + Durations.format(ttl)
                                + "); a new consumer replaces it.",
                        "  4. A summary checks: every item taken exactly once, 0.."
                                + DemoBuffer.CAPACITY
                                + " items in the buffer,",
                        "     no waiter asleep over "
                                + Durations.format(sleepBound)
                                + " while its condition held, and engine requests per"
                                + " item (no polling).",
                        "",
                        "  Each line is one event: seconds since start, who reported it, what"
                                + " happened.");
        h.forEach(report::text);
    }

    /** The summary table: one row per rule, one per kill. */
    void summary(Checks c) {
        report.text("");
        report.text("Summary");
        List<String[]> rows = new ArrayList<>();
        ItemsCheck items = c.items();
        rows.add(
                new String[] {
                    "items",
                    items.produced()
                            + " produced, "
                            + items.taken()
                            + " taken"
                            + (items.ok()
                                    ? ", each exactly once"
                                    : problems(
                                            items.duplicated(),
                                            prefixed("lost: ", items.lost()),
                                            prefixed("never produced: ", items.unknown()))),
                    ok(items.ok())
                });
        BufferCheck buffer = c.buffer();
        rows.add(
                new String[] {
                    "buffer",
                    buffer.ok()
                            ? String.format(
                                    Locale.ROOT,
                                    "%d writes replay in version order, 0..%d items (max %d),"
                                            + " tokens increasing, none stale; the engine agrees",
                                    buffer.writes(),
                                    DemoBuffer.CAPACITY,
                                    buffer.maxSize())
                            : buffer.problems().size() + " problems" + problems(buffer.problems()),
                    ok(buffer.ok())
                });
        SleepCheck sleep = c.sleep();
        rows.add(new String[] {"waits", counts(c.waits()), ""});
        rows.add(new String[] {"asleep", waits(sleep), ok(sleep.ok())});
        RequestsCheck req = c.requests();
        rows.add(
                new String[] {
                    "requests",
                    String.format(
                            Locale.ROOT,
                            "%d engine requests for %d items: %.1f per item (bound %.0f: no"
                                    + " polling)",
                            req.requests(),
                            req.items(),
                            req.perItem(),
                            req.bound()),
                    ok(req.ok())
                });
        rows.add(new String[] {"", byProcess(req.byProcess()), ""});
        rows.add(killRow("kill -9 waiting", c.waitKill()));
        rows.add(killRow("kill -9 holding", c.holdKill()));
        Table.format(rows).forEach(l -> report.text("  " + l));
    }

    /** PASS, or FAIL with every rule that broke; returns the exit status. */
    int verdict(Checks c, double totalSeconds) {
        List<String> failed = new ArrayList<>();
        if (!c.items().ok()) {
            failed.add("an item was lost, duplicated or invented");
        }
        if (!c.buffer().ok()) {
            failed.add("the buffer broke its capacity, order or fencing");
        }
        if (!c.sleep().ok()) {
            failed.add("a waiter slept while its condition held");
        }
        if (!c.requests().ok()) {
            failed.add("too many engine requests per item (polling)");
        }
        if (c.waitKill() == null) {
            failed.add("no consumer was killed while waiting");
        }
        if (c.holdKill() == null) {
            failed.add("no consumer was killed while holding the monitor");
        }
        report.text("");
        if (failed.isEmpty()) {
            report.text(
                    String.format(
                            Locale.ROOT,
                            "PASS: every item taken exactly once, the buffer within 0..%d, no"
                                    + " waiter asleep while it could go on, %.1f requests per item"
                                    + " (%.1fs total)",
                            DemoBuffer.CAPACITY,
                            c.requests().perItem(),
                            totalSeconds));
            return ExitCodes.OK;
        }
        report.text("FAIL: " + String.join("; ", failed));
        return ExitCodes.FAILURE;
    }

    /** "12 on not-full, 7 on not-empty (15 signalled, 2 timed out, 1 killed, 1 stopped)". */
    private static String counts(List<Wait> waits) {
        Map<String, Long> byCondition =
                waits.stream()
                        .collect(
                                Collectors.groupingBy(
                                        Wait::condition, TreeMap::new, Collectors.counting()));
        Map<String, Long> byEnd =
                waits.stream()
                        .collect(
                                Collectors.groupingBy(
                                        Wait::end, TreeMap::new, Collectors.counting()));
        if (waits.isEmpty()) {
            return "no waits";
        }
        return byCondition.entrySet().stream()
                        .map(e -> e.getValue() + " on " + e.getKey())
                        .collect(Collectors.joining(", "))
                + " ("
                + byEnd.entrySet().stream()
                        .map(
                                e ->
                                        e.getValue()
                                                + " "
                                                + END_WORDS.getOrDefault(e.getKey(), e.getKey()))
                        .collect(Collectors.joining(", "))
                + ")";
    }

    private static final Map<String, String> END_WORDS =
            Map.of(
                    "signal", "signalled",
                    "timeout", "timed out",
                    "killed", "killed",
                    "stopped", "stopped by quit",
                    "open", "still waiting");

    private static String waits(SleepCheck sleep) {
        Sleep longest = sleep.longest();
        String worst =
                longest == null
                        ? "no waits"
                        : String.format(
                                Locale.ROOT,
                                "longest asleep while its condition held: %.2fs (%s on %s)",
                                longest.heldMicros() / 1e6,
                                longest.during().process(),
                                longest.during().condition());
        String bound = String.format(Locale.ROOT, ", bound %.1fs", sleep.boundMicros() / 1e6);
        if (sleep.ok()) {
            return worst + bound;
        }
        return sleep.violations().size()
                + " over the bound"
                + bound
                + ": "
                + sleep.violations().stream()
                        .limit(3)
                        .map(
                                s ->
                                        String.format(
                                                Locale.ROOT,
                                                "%s on %s %.2fs",
                                                s.during().process(),
                                                s.during().condition(),
                                                s.heldMicros() / 1e6))
                        .collect(Collectors.joining(", "));
    }

    private static String byProcess(Map<String, Long> byProcess) {
        return byProcess.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private static String[] killRow(String what, Kill k) {
        if (k == null) {
            return new String[] {what, "did not happen", "FAILED"};
        }
        return new String[] {
            what,
            k.victim().id
                    + " (pid "
                    + k.victim().process.pid()
                    + ", last token "
                    + k.token()
                    + ") while "
                    + k.state(),
            "done"
        };
    }

    @SafeVarargs
    private static String problems(List<String>... lists) {
        List<String> all = new ArrayList<>();
        for (List<String> l : lists) {
            all.addAll(l);
        }
        String shown = all.stream().limit(4).collect(Collectors.joining("; "));
        return ": " + shown + (all.size() > 4 ? "; and " + (all.size() - 4) + " more" : "");
    }

    private static List<String> prefixed(String prefix, List<String> items) {
        return items.isEmpty() ? List.of() : List.of(prefix + String.join(", ", items));
    }

    private static String ok(boolean b) {
        return b ? "ok" : "FAILED";
    }
}
