package dev.baton.cli;

import dev.baton.Baton;
import dev.baton.Versioned;
import dev.baton.cli.DemoProtocol.Log;
import dev.baton.cli.DemoProtocol.Malformed;
import dev.baton.cli.DemoProtocol.Message;
import dev.baton.cli.DemoProtocol.Order;
import dev.baton.cli.DemoProtocol.Round;
import dev.baton.cli.DemoSupervisor.Exited;
import dev.baton.cli.DemoSupervisor.Incoming;
import dev.baton.cli.DemoSupervisor.Node;
import dev.baton.cli.DemoSupervisor.Printed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * The steps {@code baton demo} drives, and its reactions to what the servers report: start the
 * servers and wait for a leader's settlements; run the three auction rounds; SIGKILL the leader and
 * wait for another to take over; make the rest quit. Between steps it waits in {@link #await},
 * which handles each {@link Incoming} as it arrives: it records it in the {@link DemoHistory},
 * updates the nodes' state and prints one line through the {@link DemoReport}.
 *
 * <p>Threads: the main thread only; the {@link DemoSupervisor}'s reader threads reach it through
 * the inbox, so its state needs no locks.
 */
final class DemoScript {
    /** The first settlement by a server other than the killed leader. */
    private record Takeover(Node heir, long token, long atNanos) {}

    private final DemoSupervisor supervisor;
    private final DemoReport report;
    private final DemoHistory history;
    private final Duration ttl;
    private final Duration period;
    private final boolean verbose;
    private String leader; // server with an open term, as last reported
    private Node victim;
    private long killNanos;
    private Takeover takeover;

    DemoScript(
            DemoSupervisor supervisor,
            DemoReport report,
            DemoHistory history,
            Duration ttl,
            Duration period,
            boolean verbose) {
        this.supervisor = supervisor;
        this.report = report;
        this.history = history;
        this.ttl = ttl;
        this.period = period;
        this.verbose = verbose;
    }

    // ---- the steps ----

    /** Phase 1a: spawns {@code count} servers on {@code serverUri}; returns without waiting. */
    void startServers(int count, String serverUri) {
        for (int i = 1; i <= count; i++) {
            supervisor.spawn("server-" + i, serverUri);
        }
        report.line(
                System.nanoTime(),
                "demo",
                "SPAWN",
                supervisor.nodes().stream()
                        .map(n -> n.id + " (pid " + n.process.pid() + ")")
                        .collect(Collectors.joining(", ")));
    }

    /** Phase 1b: every server started, and a leader settled three times. */
    void awaitFirstSettlements() {
        await(
                "all servers to start and three settlements to run",
                Duration.ofSeconds(60),
                () ->
                        supervisor.nodes().stream().allMatch(n -> n.ready)
                                && history.settles().size() >= 3);
    }

    /**
     * Phase 2: every live server bids {@code bids} times in each round, starting together; the
     * demo's {@code client} resets the price before a round and reads the final price after it.
     */
    void auction(Baton client, int bids) {
        for (Round r : Round.values()) {
            report.roundStarts(r);
            client.keyValue().put(DemoNodeCommand.ITEM, "100 reserve");
            long startAt = System.currentTimeMillis() + 300;
            List<Node> bidders = supervisor.alive();
            history.roundStarted(r);
            bidders.forEach(n -> supervisor.send(n, Order.round(r, bids, startAt)));
            await(
                    "the round " + r.wire() + " reports",
                    Duration.ofSeconds(90),
                    () -> history.bidReports(r) == bidders.size());
            Optional<Versioned> fin = client.keyValue().get(DemoNodeCommand.ITEM);
            String[] value =
                    fin.map(v -> v.asString().split(" ", 2)).orElse(new String[] {"0", "-"});
            report.roundResult(
                    history.roundEnded(
                            r, Long.parseLong(value[0]), value.length > 1 ? value[1] : "-"));
        }
    }

    /** Phase 3: SIGKILL of the leader; another server must take over and settle twice. */
    void failover() {
        await(
                "a leader",
                Duration.ofSeconds(30),
                () -> leader != null && supervisor.node(leader).alive);
        victim = supervisor.node(leader);
        long victimToken = victim.token;
        killNanos = System.nanoTime();
        long killMicros = DemoProtocol.nowMicros();
        supervisor.kill(victim);
        history.endTerm(victim.id, killMicros);
        leader = null;
        report.line(
                killNanos,
                "demo",
                "KILL -9",
                String.format(
                        Locale.ROOT,
                        "%s (pid %d), the leader (token %d); its session expires in ~%s",
                        victim.id,
                        victim.process.pid(),
                        victimToken,
                        Durations.format(ttl)));
        await(
                "another server to take over the settlement job",
                ttl.multipliedBy(3).plusSeconds(20),
                () -> takeover != null);
        Node heir = takeover.heir();
        long heirToken = takeover.token();
        report.line(
                takeover.atNanos(),
                "demo",
                "FAILOVER",
                String.format(
                        Locale.ROOT,
                        "%s settles %.2fs after the kill; token %d %s %d",
                        heir.id,
                        failoverSeconds(),
                        heirToken,
                        heirToken > victimToken ? ">" : "<= (WRONG)",
                        victimToken));
        long settlesAtTakeover = history.settlesBy(heir.id);
        await(
                "one more settlement by " + heir.id,
                period.multipliedBy(2).plusSeconds(10),
                () -> history.settlesBy(heir.id) > settlesAtTakeover && !victim.alive);
    }

    /** Phase 4: every live server quits, followers first. */
    void shutdown() {
        // Followers first, so that the leader's exit does not hand the job to a quitting server.
        quit(supervisor.alive().stream().filter(n -> !n.id.equals(leader)).toList());
        quit(supervisor.alive());
    }

    /** The failover as measured, or null if no server took over. */
    DemoReport.Failover failoverResult() {
        return takeover == null
                ? null
                : new DemoReport.Failover(victim.id, takeover.heir().id, failoverSeconds());
    }

    private double failoverSeconds() {
        return (takeover.atNanos() - killNanos) / 1e9;
    }

    private void quit(List<Node> group) {
        supervisor.quit(group);
        try {
            await(
                    "servers to exit",
                    Duration.ofSeconds(20),
                    () -> group.stream().noneMatch(n -> n.alive));
        } catch (DemoFailure e) {
            group.stream().filter(n -> n.alive).forEach(supervisor::forceStop);
            throw e;
        }
    }

    // ---- the event loop ----

    /** Handles what the servers report until {@code done}; DemoFailure after {@code timeout}. */
    private void await(String what, Duration timeout, BooleanSupplier done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new DemoFailure(
                        "timed out after " + Durations.format(timeout) + " waiting for " + what);
            }
            Incoming in;
            try {
                in = supervisor.poll(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DemoFailure("interrupted while waiting for " + what);
            }
            if (in instanceof Exited x) {
                exited(x);
            } else if (in instanceof Printed p) {
                printed(p);
            }
        }
    }

    private void printed(Printed p) {
        Node n = p.node();
        if (p.line() instanceof Message m) {
            handle(n, m, p.atNanos());
        } else if (p.line() instanceof Log log) {
            if (verbose) {
                report.line(p.atNanos(), n.id, "log", log.text());
            }
        } else if (p.line() instanceof Malformed bad) {
            throw new DemoFailure(
                    n.id + " broke the demo protocol (" + bad.reason() + "): " + bad.text());
        }
    }

    private void handle(Node n, Message m, long atNanos) {
        switch (m.event()) {
            case READY -> {
                n.ready = true;
                n.client = m.text("client");
                report.line(
                        atNanos,
                        n.id,
                        "STARTED",
                        "pid " + m.number("pid") + ", client " + n.client + ", joins the election");
            }
            case LEADER -> {
                long token = m.number("token");
                history.termStarted(n.id, token, m.at());
                n.token = token;
                leader = n.id;
                report.line(atNanos, n.id, "LEADER", "elected (fencing token " + token + ")");
            }
            case SETTLE -> {
                long token = m.number("token");
                history.settle(n.id, m.number("n"), token, m.number("t0"), m.number("t1"));
                if (victim != null && n != victim && takeover == null) {
                    takeover = new Takeover(n, token, atNanos);
                }
                report.line(
                        atNanos, n.id, "SETTLE", "settle #" + m.number("n") + "  token " + token);
            }
            case FENCED -> {
                history.staleTokenRefused();
                report.line(
                        atNanos,
                        n.id,
                        "FENCED",
                        "refused to settle: ledger has token "
                                + m.number("ledgerToken")
                                + " > own "
                                + m.number("token"));
            }
            case CONFLICT -> {
                history.staleTokenRefused();
                report.line(
                        atNanos,
                        n.id,
                        "CONFLICT",
                        "the ledger changed under the leader (another writer)");
            }
            case LEADER_END -> {
                history.endTerm(n.id, m.at());
                if (n.id.equals(leader)) {
                    leader = null;
                }
                String state = m.text("state");
                report.line(
                        atNanos,
                        n.id,
                        "STEPDOWN",
                        switch (state) {
                            case "HELD" -> "stops leading and releases its lease";
                            case "LOST" -> "lease LOST: stops settling at once";
                            default -> "lease " + state + ": stops settling";
                        });
            }
            case ROUND_DONE -> roundDone(n, m, atNanos);
            case ERROR -> report.line(atNanos, n.id, "ERROR", m.text("message"));
            case ROUND_START, BYE -> {
                // Nothing to show: the round's report and the exit tell the story.
            }
            default ->
                    throw new DemoFailure(
                            n.id + " sent an event of the buffer demo: " + m.event().wire());
        }
    }

    private void roundDone(Node n, Message m, long atNanos) {
        Round r = m.round();
        List<DemoHistory.Write> writes = new ArrayList<>();
        for (long[] w : m.rows("writes")) {
            writes.add(new DemoHistory.Write(n.id, w[0], w[1], w[2]));
        }
        history.bids(
                r,
                new DemoHistory.Bids(
                        n.id,
                        m.number("bids"),
                        m.number("accepted"),
                        m.number("retries"),
                        m.number("waitMs"),
                        m.number("maxWaitMs"),
                        m.number("maxBid"),
                        writes));
        String detail =
                switch (r) {
                    case A -> "";
                    case B ->
                            ", "
                                    + m.number("retries")
                                    + " retries, "
                                    + m.number("accepted")
                                    + " became the price";
                    case C ->
                            ", waited "
                                    + m.number("waitMs")
                                    + "ms for the mutex (max "
                                    + m.number("maxWaitMs")
                                    + "ms)";
                };
        report.line(
                atNanos,
                n.id,
                "BIDS " + r.wire(),
                String.format(
                        Locale.ROOT,
                        "%d bids in %.2fs, highest %d%s",
                        m.number("bids"),
                        m.number("ms") / 1000.0,
                        m.number("maxBid"),
                        detail));
    }

    private void exited(Exited x) {
        Node n = x.node();
        n.alive = false;
        history.endTerm(n.id, DemoProtocol.nowMicros());
        if (n.id.equals(leader)) {
            leader = null;
        }
        if (n.killed) {
            report.line(
                    x.atNanos(),
                    n.id,
                    "GONE",
                    "process ended by SIGKILL (exit status " + x.code() + ")");
        } else if (n.quitting) {
            report.line(x.atNanos(), n.id, "EXITED", "exit status " + x.code());
        } else {
            throw new DemoFailure(
                    n.id + " exited unexpectedly with status " + x.code() + ": " + n.stderrTail());
        }
    }
}
