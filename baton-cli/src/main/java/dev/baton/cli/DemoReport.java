package dev.baton.cli;

import dev.baton.cli.DemoHistory.LostUpdates;
import dev.baton.cli.DemoHistory.RoundResult;
import dev.baton.cli.DemoProtocol.Round;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Everything {@code baton demo} prints: the header, the phase headings, one line per event (seconds
 * since the start, who, what, detail), each auction round's result, and at the end the summary
 * table and the verdict (PASS or FAIL, and the exit status that goes with it). It decides how
 * things read, never what happens: {@link DemoScript} and {@link DemoCommand} call it.
 *
 * <p>Threads: the main thread only, so lines never interleave; each line is flushed as printed.
 */
final class DemoReport {
    /** How the leader's SIGKILL ended: who took over, and how long after the kill. */
    record Failover(String victim, String heir, double seconds) {}

    private final PrintWriter out;
    private final long startNanos;
    private final int whoWidth;

    /** Times in the output count from {@code startNanos} ({@link System#nanoTime()}). */
    DemoReport(PrintWriter out, long startNanos) {
        this(out, startNanos, 9);
    }

    /** As above, with the "who" column {@code whoWidth} characters wide. */
    DemoReport(PrintWriter out, long startNanos, int whoWidth) {
        this.out = out;
        this.startNanos = startNanos;
        this.whoWidth = whoWidth;
    }

    void header(int servers, boolean embedded, Duration period, Duration ttl) {
        out.println("Baton demo: redundant servers with leases and fencing tokens");
        out.println();
        out.printf(
                "  %d server processes (separate JVMs) share %s ZooKeeper.%n",
                servers, embedded ? "an embedded" : "one");
        out.printf(
                "  1. They elect a leader; only the leader runs the \"settlement\" job, every %s,%n"
                        + "     and writes its fencing token into a ledger that refuses older tokens.%n",
                Durations.format(period));
        out.printf(
                "  2. They bid on \"%s\" three ways: no coordination, optimistic updates, a mutex.%n",
                DemoNodeCommand.ITEM);
        out.printf(
                "  3. The demo kills the leader with SIGKILL; the next server takes over when the%n"
                        + "     dead one's session expires (session timeout %s).%n",
                Durations.format(ttl));
        out.println("  4. A summary checks: no overlap, tokens strictly increasing, no lost bids.");
        out.println();
        out.println(
                "  Each line is one event: seconds since start, who reported it, what happened.");
        out.flush();
    }

    /** A line of text as it is (the buffer demo's header, summary and verdict). */
    void text(String line) {
        out.println(line.stripTrailing());
        out.flush();
    }

    void heading(String text) {
        out.println();
        out.println(text);
        out.flush();
    }

    /** One event; with no {@code who} and no {@code what}, a continuation of the line above. */
    void line(long atNanos, String who, String what, String detail) {
        String time =
                who.isEmpty() && what.isEmpty()
                        ? ""
                        : String.format(Locale.ROOT, "%.2fs", (atNanos - startNanos) / 1e9);
        out.println(
                String.format(
                                Locale.ROOT,
                                "%8s  %-" + whoWidth + "s %-10s %s",
                                time,
                                who,
                                what,
                                detail)
                        .stripTrailing());
        out.flush();
    }

    void roundStarts(Round r) {
        out.println();
        out.println("  Round " + r.wire() + ": " + title(r));
    }

    private static String title(Round r) {
        return switch (r) {
            case A -> "no coordination: get, think, put";
            case B -> "optimistic: keyValue().update(max(price, bid)), retried on conflict";
            case C ->
                    "under the mutex \""
                            + DemoNodeCommand.ITEM
                            + "\": lock, get, think, put, unlock";
        };
    }

    void roundResult(RoundResult r) {
        long now = System.nanoTime();
        String verdict = r.highestSurvived() ? "kept" : "LOST";
        line(
                now,
                "demo",
                "RESULT " + r.round().wire(),
                String.format(
                        Locale.ROOT,
                        "final price %d (%s), highest bid %d (%s): %s",
                        r.finalAmount(),
                        r.finalBy(),
                        r.highest(),
                        r.highestBy(),
                        verdict));
        switch (r.round()) {
            case A -> {
                LostUpdates lu = r.lost();
                line(
                        now,
                        "",
                        "",
                        lu.count()
                                + " of "
                                + r.bids()
                                + " writes were overwritten by a bidder who never saw them"
                                + (lu.count() == 0 ? " (lucky timing this run)" : ""));
                if (lu.priceDrops() > 0) {
                    line(
                            now,
                            "",
                            "",
                            lu.priceDrops()
                                    + " times a higher bid was replaced by a lower one, e.g.");
                    lu.examples().forEach(x -> line(now, "", "", "  " + x));
                }
            }
            case B ->
                    line(
                            now,
                            "",
                            "",
                            "no bid lost: "
                                    + r.retries()
                                    + " conflicts retried; "
                                    + (r.bids() - r.accepted())
                                    + " bids were outbid before landing");
            case C ->
                    line(
                            now,
                            "",
                            "",
                            String.format(
                                    Locale.ROOT,
                                    "no bid lost, no retries: %dms spent waiting for the mutex"
                                            + " (longest wait %dms)",
                                    r.waitMs(),
                                    r.maxWaitMs()));
        }
    }

    /** The two tables: the leadership checks, then the auction rounds. */
    void summary(List<String> servers, DemoHistory history, Failover failover) {
        out.println();
        out.println("Summary");
        List<String[]> rows = new ArrayList<>();
        rows.add(
                new String[] {
                    "settlement runs",
                    servers.stream()
                            .map(id -> id + ": " + history.settlesBy(id))
                            .collect(Collectors.joining(", ")),
                    ""
                });
        int settleOverlaps = history.settleOverlaps();
        int termOverlaps = history.termOverlaps();
        rows.add(
                new String[] {
                    "overlaps",
                    settleOverlaps
                            + " between settlement runs, "
                            + termOverlaps
                            + " between leadership terms",
                    ok(settleOverlaps == 0 && termOverlaps == 0)
                });
        rows.add(
                new String[] {
                    "fencing tokens",
                    history.termTokens().stream()
                                    .map(String::valueOf)
                                    .collect(Collectors.joining(" < "))
                            + (history.tokensIncreasing()
                                    ? " (strictly increasing)"
                                    : " (NOT increasing)"),
                    ok(history.tokensIncreasing())
                });
        rows.add(
                new String[] {
                    "stale writes",
                    history.staleRefusals() + " ledger writes refused or conflicting",
                    ok(history.staleRefusals() == 0)
                });
        rows.add(
                new String[] {
                    "failover",
                    failover == null
                            ? "no server took over"
                            : String.format(
                                    Locale.ROOT,
                                    "%.2fs, SIGKILL of %s to first settlement by %s",
                                    failover.seconds(),
                                    failover.victim(),
                                    failover.heir()),
                    ok(failover != null)
                });
        Table.format(rows).forEach(l -> out.println(("  " + l).stripTrailing()));
        out.println();
        List<String[]> auction = new ArrayList<>();
        auction.add(
                new String[] {
                    "auction round",
                    "bids",
                    "accepted",
                    "lost",
                    "retried",
                    "waited",
                    "final",
                    "highest",
                    ""
                });
        for (RoundResult r : history.rounds()) {
            auction.add(
                    new String[] {
                        r.round().wire() + " " + r.round().discipline(),
                        Long.toString(r.bids()),
                        Long.toString(r.accepted()),
                        Long.toString(r.lost().count()),
                        Long.toString(r.retries()),
                        r.round() == Round.C ? r.waitMs() + "ms" : "-",
                        Long.toString(r.finalAmount()),
                        Long.toString(r.highest()),
                        r.checked() ? ok(r.held()) : "not checked: no coordination"
                    });
        }
        Table.format(auction, 1, 2, 3, 4, 5, 6, 7)
                .forEach(l -> out.println(("  " + l).stripTrailing()));
        out.flush();
    }

    private static String ok(boolean b) {
        return b ? "ok" : "FAILED";
    }

    /** PASS, or FAIL with every check that failed; returns the exit status. */
    int verdict(DemoHistory history, Failover failover) {
        List<String> failed = new ArrayList<>();
        if (history.settleOverlaps() + history.termOverlaps() > 0) {
            failed.add("two servers settled at the same time");
        }
        if (!history.tokensIncreasing()) {
            failed.add("fencing tokens did not strictly increase");
        }
        if (history.staleRefusals() > 0) {
            failed.add("the ledger saw a stale or concurrent writer");
        }
        for (RoundResult r : history.rounds()) {
            if (r.checked() && !r.held()) {
                failed.add("round " + r.round().wire() + " lost the highest bid");
            }
        }
        if (failover == null) {
            failed.add("no failover happened");
        }
        out.println();
        if (failed.isEmpty()) {
            out.printf(
                    Locale.ROOT,
                    "PASS: one leader at a time, tokens strictly increasing, no lost bids under"
                            + " coordination, failover in %.1fs (%.1fs total)%n",
                    failover.seconds(),
                    (System.nanoTime() - startNanos) / 1e9);
            return ExitCodes.OK;
        }
        out.println("FAIL: " + String.join("; ", failed));
        return ExitCodes.FAILURE;
    }

    /** The demo was aborted: the reason, and what each server last said on stderr. */
    void failure(String reason, Collection<DemoSupervisor.Node> nodes) {
        out.println();
        out.println("FAIL: " + reason);
        nodes.stream()
                .filter(n -> !n.stderrTail().isEmpty())
                .forEach(n -> out.println("  " + n.id + " stderr: " + n.stderrTail()));
    }

    void interrupted() {
        out.println();
        out.println("Interrupted: the servers and ZooKeeper were stopped.");
    }

    void flush() {
        out.flush();
    }
}
