package dev.baton.cli;

import dev.baton.cli.DemoBufferWorker.Role;
import dev.baton.cli.DemoProtocol.BufferOrder;
import dev.baton.cli.DemoProtocol.Log;
import dev.baton.cli.DemoProtocol.Malformed;
import dev.baton.cli.DemoProtocol.Message;
import dev.baton.cli.DemoSupervisor.Exited;
import dev.baton.cli.DemoSupervisor.Incoming;
import dev.baton.cli.DemoSupervisor.Node;
import dev.baton.cli.DemoSupervisor.Printed;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * The steps {@code baton demo buffer} drives, and its reactions to what the producers and consumers
 * report: start two of each; run a batch of items; SIGKILL a consumer while it waits on {@code
 * not-empty} and start another; a second batch; once the dead waiter's session has surely expired,
 * a third batch during which a consumer is told to keep the monitor after a take and is SIGKILLed
 * while it holds it (and replaced); then everyone quits. Between steps it waits in {@link #await},
 * which handles each {@link Incoming} as it arrives: it records it in the {@link
 * DemoBufferHistory}, updates the processes' state and prints one line through the {@link
 * DemoReport}.
 *
 * <p>The two kills are kept apart (the second waits until the first victim's session is over) so
 * that each stall of the monitor is bounded by one session timeout, which is what the sleep rule's
 * bound assumes.
 *
 * <p>Threads: the main thread only; the {@link DemoSupervisor}'s reader threads reach it through
 * the inbox, so its state needs no locks.
 */
final class DemoBufferScript {
    /** A SIGKILL the script dealt: whom, when, and in what state. */
    record Kill(Node victim, long atNanos, long atMicros, long token, String state) {}

    private final DemoSupervisor supervisor;
    private final DemoReport report;
    private final DemoBufferHistory history;
    private final Duration ttl;
    private final Duration awaitTimeout;
    private final int items;
    private final boolean verbose;
    private final Map<Node, Role> roles = new HashMap<>();
    private final Map<Node, Integer> batchesDone = new HashMap<>();
    private final Map<Node, Long> tokens = new HashMap<>(); // last token each process reported
    private String serverUri;
    private int consumersSpawned;
    private int batches;
    private Node lingerer;
    private Kill waitKill;
    private Kill holdKill;
    private boolean resumed;

    DemoBufferScript(
            DemoSupervisor supervisor,
            DemoReport report,
            DemoBufferHistory history,
            Duration ttl,
            Duration awaitTimeout,
            int items,
            boolean verbose) {
        this.supervisor = supervisor;
        this.report = report;
        this.history = history;
        this.ttl = ttl;
        this.awaitTimeout = awaitTimeout;
        this.items = items;
        this.verbose = verbose;
    }

    // ---- the steps ----

    /** Spawns two producers and two consumers on {@code uri} and waits until all are connected. */
    void start(String uri) {
        this.serverUri = uri;
        spawn("producer-1", Role.PRODUCER, "p1");
        spawn("producer-2", Role.PRODUCER, "p2");
        spawnConsumer();
        spawnConsumer();
        report.line(
                System.nanoTime(),
                "demo",
                "SPAWN",
                supervisor.nodes().stream()
                        .map(n -> n.id + " (pid " + n.process.pid() + ")")
                        .collect(Collectors.joining(", ")));
        await(
                "all producers and consumers to connect",
                Duration.ofSeconds(60),
                () -> supervisor.nodes().stream().allMatch(n -> n.ready));
    }

    /**
     * Every producer makes {@link #items} more items; returns once they are done and every item
     * produced so far was taken, or false after a generous timeout (an item lost or stuck), which
     * the summary then shows.
     */
    boolean batch() {
        batches++;
        int batch = batches;
        List<Node> producers = live(Role.PRODUCER);
        producers.forEach(p -> supervisor.send(p, BufferOrder.produce(items)));
        return await(
                "batch " + batch + " to be made and taken",
                ttl.multipliedBy(3).plusSeconds(30),
                () ->
                        producers.stream().allMatch(p -> batchesDone.getOrDefault(p, 0) >= batch)
                                && history.taken() >= history.produced(),
                false);
    }

    /** SIGKILL of a consumer waiting on not-empty (the buffer is empty now); a new one starts. */
    void killAWaiter() {
        await(
                "a consumer waiting on " + DemoBufferNodeCommand.NOT_EMPTY,
                awaitTimeout.plusSeconds(10),
                () -> waitingConsumer() != null);
        Node victim = waitingConsumer();
        waitKill = kill(victim, "waiting on " + DemoBufferNodeCommand.NOT_EMPTY);
        report.line(
                waitKill.atNanos(),
                "demo",
                "KILL -9",
                String.format(
                        Locale.ROOT,
                        "%s (pid %d) while it waits on %s; its wait-queue entry stays until its"
                                + " session expires (~%s): a signal it gets meanwhile is lost",
                        victim.id,
                        victim.process.pid(),
                        DemoBufferNodeCommand.NOT_EMPTY,
                        Durations.format(ttl)));
        spawnConsumer();
    }

    /**
     * Lets the first victim's session expire (its kill plus the session timeout and a second)
     * before the next kill, so that the two stalls of the monitor cannot add up.
     */
    void letTheDeadWaiterGo() {
        long until = waitKill.atNanos() + ttl.plusSeconds(1).toNanos();
        long left = until - System.nanoTime();
        if (left > 0) {
            report.line(
                    System.nanoTime(),
                    "demo",
                    "PAUSE",
                    String.format(
                            Locale.ROOT,
                            "%.1fs, until %s's session has surely expired, before the next kill",
                            left / 1e9,
                            waitKill.victim().id));
            await("time to pass", Duration.ofNanos(left), () -> false, false);
        }
    }

    /**
     * Orders a consumer to keep the monitor after its next take, then runs a batch; the consumer is
     * SIGKILLed as soon as it reports that it holds the monitor, and a new one starts. Should the
     * other consumers have taken every item of the batch, one more batch follows (twice at most).
     * False if a batch timed out or no consumer could be killed holding the monitor.
     */
    boolean batchWithAKilledHolder() {
        lingerer =
                live(Role.CONSUMER).stream()
                        .filter(n -> !n.id.equals(lastSpawnedConsumer()))
                        .findFirst()
                        .orElse(live(Role.CONSUMER).get(0));
        supervisor.send(lingerer, BufferOrder.LINGER);
        report.line(
                System.nanoTime(),
                "demo",
                "ORDER",
                lingerer.id + ": keep the monitor after your next take");
        for (int tries = 0; tries < 3; tries++) {
            if (!batch()) {
                return false;
            }
            if (holdKill != null) {
                return true;
            }
        }
        return false;
    }

    /** Every live process quits; their exits are awaited. */
    void shutdown() {
        List<Node> group = supervisor.alive();
        supervisor.quit(group);
        try {
            await(
                    "producers and consumers to exit",
                    Duration.ofSeconds(20),
                    () -> group.stream().noneMatch(n -> n.alive));
        } catch (DemoFailure e) {
            group.stream().filter(n -> n.alive).forEach(supervisor::forceStop);
            throw e;
        }
    }

    Kill waitKill() {
        return waitKill;
    }

    Kill holdKill() {
        return holdKill;
    }

    Map<Node, Role> roles() {
        return Map.copyOf(roles);
    }

    // ---- helpers ----

    private void spawn(String id, Role role, String prefix) {
        Node n = supervisor.spawn(id, serverUri, "--role", role.name(), "--item-prefix", prefix);
        roles.put(n, role);
    }

    private void spawnConsumer() {
        consumersSpawned++;
        spawn("consumer-" + consumersSpawned, Role.CONSUMER, "c" + consumersSpawned);
        if (consumersSpawned > 2) {
            Node n = supervisor.node(lastSpawnedConsumer());
            report.line(
                    System.nanoTime(),
                    "demo",
                    "SPAWN",
                    n.id + " (pid " + n.process.pid() + ") replaces the killed consumer");
        }
    }

    private String lastSpawnedConsumer() {
        return "consumer-" + consumersSpawned;
    }

    private List<Node> live(Role role) {
        return supervisor.alive().stream().filter(n -> roles.get(n) == role).toList();
    }

    private Node waitingConsumer() {
        return live(Role.CONSUMER).stream()
                .filter(n -> history.waiting(n.id, DemoBufferNodeCommand.NOT_EMPTY))
                .findFirst()
                .orElse(null);
    }

    private Kill kill(Node victim, String state) {
        long atNanos = System.nanoTime();
        long atMicros = DemoProtocol.nowMicros();
        supervisor.kill(victim);
        history.end(victim.id, atMicros, "killed");
        return new Kill(victim, atNanos, atMicros, tokens.getOrDefault(victim, -1L), state);
    }

    // ---- the event loop ----

    /** Handles what the processes report until {@code done}; DemoFailure after {@code timeout}. */
    private void await(String what, Duration timeout, BooleanSupplier done) {
        await(what, timeout, done, true);
    }

    /**
     * Handles what the processes report until {@code done}, for at most {@code timeout}; then
     * throws DemoFailure if {@code failOnTimeout}, else reports the timeout and returns false.
     */
    private boolean await(
            String what, Duration timeout, BooleanSupplier done, boolean failOnTimeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                if (failOnTimeout) {
                    throw new DemoFailure(
                            "timed out after "
                                    + Durations.format(timeout)
                                    + " waiting for "
                                    + what);
                }
                if (!what.equals("time to pass")) {
                    report.line(
                            System.nanoTime(),
                            "demo",
                            "TIMEOUT",
                            "gave up after " + Durations.format(timeout) + " waiting for " + what);
                }
                return false;
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
        return true;
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
        history.record(n.id, m);
        switch (m.event()) {
            case READY -> {
                n.ready = true;
                n.client = m.text("client");
                report.line(
                        atNanos,
                        n.id,
                        "STARTED",
                        String.format(
                                Locale.ROOT,
                                "pid %d, %s, client %s",
                                m.number("pid"),
                                roles.get(n).name().toLowerCase(Locale.ROOT),
                                n.client));
            }
            case PUT, TOOK -> written(n, m, atNanos);
            case WAIT -> {
                String condition = m.text("condition");
                long size = m.number("size");
                tokens.put(n, m.number("token")); // the token it gives up, shown if killed now
                report.line(
                        atNanos,
                        n.id,
                        "WAIT",
                        String.format(
                                Locale.ROOT,
                                "on %s: %d/%d %s, gives up the monitor (token %d)",
                                condition,
                                size,
                                DemoBuffer.CAPACITY,
                                size == 0 ? "empty" : "full",
                                m.number("token")));
            }
            case WOKEN -> {
                String by = m.text("by");
                long token = m.number("token");
                tokens.put(n, token);
                report.line(
                        atNanos,
                        n.id,
                        "WOKEN",
                        String.format(
                                Locale.ROOT,
                                "from %s by %s; holds the monitor again (token %d)",
                                m.text("condition"),
                                by.equals("signal")
                                        ? "a signal"
                                        : "its " + Durations.format(awaitTimeout) + " timeout",
                                token));
            }
            case HOLDING -> {
                long token = m.number("token");
                tokens.put(n, token);
                report.line(
                        atNanos,
                        n.id,
                        "HOLDS",
                        "the monitor after taking "
                                + m.text("item")
                                + " (token "
                                + token
                                + "), as ordered");
                if (n == lingerer && holdKill == null) {
                    holdKill = kill(n, "holding the monitor");
                    report.line(
                            holdKill.atNanos(),
                            "demo",
                            "KILL -9",
                            String.format(
                                    Locale.ROOT,
                                    "%s (pid %d) while it holds the monitor (token %d); the others"
                                            + " wait until its session expires (~%s)",
                                    n.id,
                                    n.process.pid(),
                                    token,
                                    Durations.format(ttl)));
                    spawnConsumer();
                }
            }
            case STALE ->
                    report.line(
                            atNanos,
                            n.id,
                            "STALE",
                            "refused to write: the buffer has token "
                                    + m.number("bufferToken")
                                    + " > own "
                                    + m.number("token"));
            case CONFLICT ->
                    report.line(
                            atNanos,
                            n.id,
                            "CONFLICT",
                            "the buffer changed under the holder (token "
                                    + m.number("token")
                                    + "): another writer");
            case BATCH_DONE -> {
                batchesDone.merge(n, 1, Integer::sum);
                report.line(
                        atNanos,
                        n.id,
                        "BATCH",
                        String.format(
                                Locale.ROOT,
                                "done: %d items made in all, %d engine requests",
                                m.number("items"),
                                m.number("requests")));
            }
            case STOPPED -> {
                // Recorded; the exit follows.
            }
            case ERROR -> report.line(atNanos, n.id, "ERROR", m.text("message"));
            case BYE -> {
                // Nothing to show: the exit tells the story.
            }
            default ->
                    throw new DemoFailure(
                            n.id + " sent an event of the other demo: " + m.event().wire());
        }
    }

    /** A put or take: recorded, printed, and the end of the killed holder's stall noticed. */
    private void written(Node n, Message m, long atNanos) {
        boolean put = m.event() == DemoProtocol.Event.PUT;
        String item = m.text("item");
        String contents = m.text("buffer");
        long token = m.number("token");
        tokens.put(n, token);
        report.line(
                atNanos,
                n.id,
                put ? "PUT" : "TOOK",
                String.format(
                        Locale.ROOT,
                        "%-6s %s [%s] %d/%d, token %d",
                        item,
                        put ? "->" : "<-",
                        contents,
                        m.number("size"),
                        DemoBuffer.CAPACITY,
                        token));
        if (holdKill != null && !resumed && n != holdKill.victim()) {
            resumed = true;
            report.line(
                    atNanos,
                    "demo",
                    "RESUMED",
                    String.format(
                            Locale.ROOT,
                            "the monitor is free again %.2fs after the kill: %s wrote under token"
                                    + " %d %s %d",
                            (atNanos - holdKill.atNanos()) / 1e9,
                            n.id,
                            token,
                            token > holdKill.token() ? ">" : "<= (WRONG)",
                            holdKill.token()));
        }
    }

    private void exited(Exited x) {
        Node n = x.node();
        n.alive = false;
        if (n.killed) {
            report.line(
                    x.atNanos(),
                    n.id,
                    "GONE",
                    "process ended by SIGKILL (exit status " + x.code() + ")");
        } else if (n.quitting) {
            history.end(n.id, DemoProtocol.nowMicros(), "stopped");
            report.line(x.atNanos(), n.id, "EXITED", "exit status " + x.code());
        } else {
            throw new DemoFailure(
                    n.id + " exited unexpectedly with status " + x.code() + ": " + n.stderrTail());
        }
    }
}
