package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.Baton;
import dev.baton.Versioned;
import dev.baton.spi.ConnectionUri;
import dev.baton.zookeeper.EmbeddedZooKeeper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code baton demo}: redundant servers on ZooKeeper, end to end, in separate OS processes.
 *
 * <p>Threads: per child, one thread reads its stdout (JSON events) and one its stderr; both only
 * enqueue into {@link #inbox}. The main thread owns all other state — nodes, history, round
 * reports, the output — and is the only one that prints, so lines never interleave and the state
 * needs no locks. The shutdown hook (Ctrl-C) touches only the processes and the engine, through
 * {@link #cleanup()}, which is idempotent.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Redundant servers, live: leader election, an auction, a kill -9 and a failover.",
            "",
            "Three child JVMs elect a leader that runs a job every 2s, bid in an auction three"
                    + " ways, then the leader is killed with SIGKILL and the next one takes over."
                    + " Ends with a summary of the checked invariants; exit status 0 only if all"
                    + " held.",
        })
final class DemoCommand implements Callable<Integer> {
    private static final List<String> ROUNDS = List.of("a", "b", "c");

    @ParentCommand private BatonCli root;

    @Option(
            names = "--connect",
            paramLabel = "URI",
            description =
                    "Engine for the servers (default: $BATON_CONNECT, else embedded: a ZooKeeper"
                            + " server inside this process).")
    String connect;

    @Option(
            names = "--ttl",
            paramLabel = "DURATION",
            converter = Durations.class,
            defaultValue = "5s",
            description = "Session timeout of the servers, 1s..60s (default: ${DEFAULT-VALUE}).")
    Duration ttl;

    @Option(
            names = "--bids",
            paramLabel = "N",
            defaultValue = "20",
            description = "Bids per server per auction round, 1..500 (default: ${DEFAULT-VALUE}).")
    int bids;

    @Option(
            names = "--servers",
            paramLabel = "N",
            defaultValue = "3",
            description = "Server processes, 2..5 (default: ${DEFAULT-VALUE}).")
    int servers;

    @Option(names = "--period", converter = Durations.class, defaultValue = "2s", hidden = true)
    Duration period;

    /** A child's report, stamped on arrival. */
    private record Incoming(Node node, ObjectNode event, long atNanos) {}

    /** Parent-side view of one server process; fields other than the tail belong to main. */
    private static final class Node {
        final String id;
        final Process process;
        final BufferedWriter stdin;
        final Deque<String> stderrTail = new ArrayDeque<>(); // guarded by itself
        boolean ready;
        boolean alive = true;
        boolean killed;
        boolean quitting;
        long token = -1;
        String client = "?";

        Node(String id, Process process) {
            this.id = id;
            this.process = process;
            this.stdin =
                    new BufferedWriter(
                            new OutputStreamWriter(
                                    process.getOutputStream(), StandardCharsets.UTF_8));
        }

        void send(String command) {
            try {
                stdin.write(command);
                stdin.newLine();
                stdin.flush();
            } catch (IOException e) {
                // Dead already: its exit event tells the story.
            }
        }

        String stderrTail() {
            synchronized (stderrTail) {
                return String.join(" | ", stderrTail);
            }
        }
    }

    /** Outcome of one auction round, computed by the parent from the servers' reports. */
    private record Round(
            String name,
            String discipline,
            long bids,
            long accepted,
            long retries,
            long waitMs,
            long maxWaitMs,
            long finalAmount,
            String finalBy,
            long highest,
            String highestBy,
            DemoHistory.LostUpdates lost) {
        boolean highestSurvived() {
            return finalAmount == highest;
        }
    }

    /** Aborts the demo with a one-line reason; cleanup still runs. */
    private static final class DemoFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DemoFailure(String message) {
            super(message);
        }
    }

    private final BlockingQueue<Incoming> inbox = new LinkedBlockingQueue<>();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final List<Process> processes = new CopyOnWriteArrayList<>(); // for cleanup()
    private final Map<String, List<Incoming>> reports = new LinkedHashMap<>();
    private final DemoHistory history = new DemoHistory();
    private final List<Round> rounds = new ArrayList<>();
    private final AtomicBoolean cleanedUp = new AtomicBoolean();
    private volatile EmbeddedZooKeeper zk;
    private volatile Baton client;
    private PrintWriter out;
    private long startNanos;
    private String leader; // server with an open term, as last reported
    private Node victim;
    private long killNanos;
    private Incoming takeover; // first settlement by another server after the kill

    @Override
    public Integer call() {
        checkOptions();
        String uri = root.resolveConnect(connect, "embedded");
        BatonCli.rejectRedlock(uri);
        ConnectionUri parsed = ConnectionUri.parse(uri);
        if (parsed.scheme().equals("mem")) {
            throw CliException.usage(
                    "--connect "
                            + uri
                            + ": the demo's servers are separate processes, and mem is in-process"
                            + " only; use embedded, zookeeper://HOST:PORT or redis://HOST:PORT");
        }
        out = root.out();
        startNanos = System.nanoTime();
        Thread hook = BatonCli.onShutdown("baton-demo-shutdown", this::cleanup);
        try {
            header(parsed);
            heading("Phase 1: leader election; only the leader settles");
            String serverUri = startEngine(parsed);
            phase1(serverUri);
            phase2();
            phase3();
            return phase4();
        } catch (RuntimeException e) {
            if (cleanedUp.get()) { // SIGINT/SIGTERM: the hook stopped everything under our feet
                out.println();
                out.println("Interrupted: the servers and ZooKeeper were stopped.");
                return ExitCodes.INTERRUPTED;
            }
            if (!(e instanceof DemoFailure)) {
                throw e;
            }
            out.println();
            out.println("FAIL: " + e.getMessage());
            nodes.values().stream()
                    .filter(n -> !n.stderrTail().isEmpty())
                    .forEach(n -> out.println("  " + n.id + " stderr: " + n.stderrTail()));
            return ExitCodes.FAILURE;
        } finally {
            out.flush();
            cleanup();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDownAlready) {
                // Ctrl-C during the demo: the hook runs cleanup, which is idempotent.
            }
        }
    }

    private void checkOptions() {
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Duration.ofSeconds(60)) > 0) {
            throw CliException.usage(
                    "--ttl must be between 1s and 60s, but was " + Durations.format(ttl));
        }
        if (bids < 1 || bids > 500) {
            throw CliException.usage("--bids must be between 1 and 500, but was " + bids);
        }
        if (servers < 2 || servers > 5) {
            throw CliException.usage("--servers must be between 2 and 5, but was " + servers);
        }
        if (period.compareTo(Duration.ofMillis(100)) < 0) {
            throw CliException.usage(
                    "--period must be at least 100ms, but was " + Durations.format(period));
        }
    }

    private String startEngine(ConnectionUri uri) {
        if (!uri.scheme().equals("embedded")) {
            line(System.nanoTime(), "demo", "ENGINE", "using the ZooKeeper at " + uri.raw());
            return uri.raw();
        }
        Path data = uri.path().isEmpty() ? null : Path.of("/" + uri.path());
        zk = EmbeddedZooKeeper.start(0, data);
        line(System.nanoTime(), "demo", "ZOOKEEPER", "embedded server listening at " + zk.uri());
        return zk.uri();
    }

    private void header(ConnectionUri uri) {
        out.println("Baton demo: redundant servers with leases and fencing tokens");
        out.println();
        out.printf(
                "  %d server processes (separate JVMs) share %s ZooKeeper.%n",
                servers, uri.scheme().equals("embedded") ? "an embedded" : "one");
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

    // ---- phases ----

    private void phase1(String serverUri) {
        for (int i = 1; i <= servers; i++) {
            spawn("server-" + i, serverUri);
        }
        line(
                System.nanoTime(),
                "demo",
                "SPAWN",
                nodes.values().stream()
                        .map(n -> n.id + " (pid " + n.process.pid() + ")")
                        .collect(Collectors.joining(", ")));
        // The demo's own client (resets and reads the auction) connects while the servers start.
        client = root.connect(serverUri, Duration.ofSeconds(10), ttl, "demo");
        await(
                "all servers to start and three settlements to run",
                Duration.ofSeconds(60),
                () ->
                        nodes.values().stream().allMatch(n -> n.ready)
                                && history.settles().size() >= 3);
    }

    private void phase2() {
        heading(
                String.format(
                        Locale.ROOT,
                        "Phase 2: auction on \"%s\", %d servers x %d bids per round",
                        DemoNodeCommand.ITEM,
                        servers,
                        bids));
        for (String r : ROUNDS) {
            out.println();
            out.println("  Round " + r + ": " + roundTitle(r));
            client.keyValue().put(DemoNodeCommand.ITEM, "100 reserve");
            long startAt = System.currentTimeMillis() + 300;
            List<Node> bidders = alive();
            reports.put(r, new ArrayList<>());
            bidders.forEach(n -> n.send("round " + r + " " + bids + " " + startAt));
            await(
                    "the round " + r + " reports",
                    Duration.ofSeconds(90),
                    () -> reports.get(r).size() == bidders.size());
            Round outcome = outcome(r);
            rounds.add(outcome);
            printOutcome(outcome);
        }
    }

    private void phase3() {
        heading("Phase 3: failover; SIGKILL the leader, the next server takes over");
        await("a leader", Duration.ofSeconds(30), () -> leader != null && nodes.get(leader).alive);
        victim = nodes.get(leader);
        long victimToken = victim.token;
        victim.killed = true;
        killNanos = System.nanoTime();
        long killMicros = DemoNodeCommand.nowMicros();
        victim.process.destroyForcibly(); // SIGKILL: no goodbye, the session must time out
        history.endTerm(victim.id, killMicros);
        leader = null;
        line(
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
        Node heir = takeover.node();
        long heirToken = takeover.event().path("token").asLong();
        line(
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

    private int phase4() {
        heading("Phase 4: shutdown and summary");
        // Followers first, so that the leader's exit does not hand the job to a quitting server.
        List<Node> followers = alive().stream().filter(n -> !n.id.equals(leader)).toList();
        quit(followers);
        quit(alive());
        summary();
        return verdict();
    }

    private void quit(List<Node> group) {
        group.forEach(
                n -> {
                    n.quitting = true;
                    n.send("quit");
                });
        try {
            await(
                    "servers to exit",
                    Duration.ofSeconds(20),
                    () -> group.stream().noneMatch(n -> n.alive));
        } catch (DemoFailure e) {
            group.stream().filter(n -> n.alive).forEach(n -> n.process.destroyForcibly());
            throw e;
        }
    }

    // ---- children ----

    private void spawn(String id, String serverUri) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        // Fast start on a small machine: the children live for seconds.
        cmd.addAll(
                List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m", "-Xshare:auto"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(BatonCli.class.getName());
        cmd.addAll(
                List.of(
                        "demo-node",
                        "--connect",
                        serverUri,
                        "--id",
                        id,
                        "--ttl",
                        ttl.toString(),
                        "--period",
                        period.toString()));
        if (root.verbose()) {
            cmd.add("--verbose");
        }
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new DemoFailure("cannot start " + id + ": " + e.getMessage());
        }
        processes.add(p);
        Node node = new Node(id, p);
        nodes.put(id, node);
        reader(node, p.getInputStream(), true).start();
        reader(node, p.getErrorStream(), false).start();
    }

    private static String javaBinary() {
        return ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * Reads one stream of a child. Stdout lines that are JSON objects become events; at stdout's
     * end it waits for the process and reports its exit. Stderr lines are kept (last few) for
     * failure reports, and shown with --verbose.
     */
    private Thread reader(Node node, java.io.InputStream stream, boolean stdout) {
        Thread t =
                new Thread(
                        () -> {
                            try (BufferedReader r =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    stream, StandardCharsets.UTF_8))) {
                                String line;
                                while ((line = r.readLine()) != null) {
                                    ObjectNode ev = stdout ? Json.parseObject(line) : null;
                                    if (ev == null) {
                                        keep(node, line);
                                        ev = Json.object().put("ev", "log").put("text", line);
                                    }
                                    inbox.add(new Incoming(node, ev, System.nanoTime()));
                                }
                            } catch (IOException e) {
                                // The process is gone; fall through to its exit status.
                            }
                            if (stdout) {
                                int code = waitFor(node.process);
                                inbox.add(
                                        new Incoming(
                                                node,
                                                Json.object().put("ev", "exit").put("code", code),
                                                System.nanoTime()));
                            }
                        },
                        "baton-demo-" + node.id + (stdout ? "-out" : "-err"));
        t.setDaemon(true);
        return t;
    }

    private static void keep(Node node, String line) {
        synchronized (node.stderrTail) {
            node.stderrTail.addLast(line);
            while (node.stderrTail.size() > 5) {
                node.stderrTail.removeFirst();
            }
        }
    }

    private static int waitFor(Process p) {
        while (true) {
            try {
                return p.waitFor();
            } catch (InterruptedException e) {
                Thread.interrupted();
            }
        }
    }

    private List<Node> alive() {
        return nodes.values().stream().filter(n -> n.alive).toList();
    }

    // ---- event loop (main thread only) ----

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
                in = inbox.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DemoFailure("interrupted while waiting for " + what);
            }
            if (in != null) {
                handle(in);
            }
        }
    }

    private void handle(Incoming in) {
        Node n = in.node();
        JsonNode e = in.event();
        long at = e.path("at").asLong();
        long token = e.path("token").asLong();
        switch (e.path("ev").asText()) {
            case "ready" -> {
                n.ready = true;
                n.client = e.path("client").asText();
                line(
                        in.atNanos(),
                        n.id,
                        "STARTED",
                        "pid "
                                + e.path("pid").asLong()
                                + ", client "
                                + n.client
                                + ", joins the election");
            }
            case "leader" -> {
                history.termStarted(n.id, token, at);
                n.token = token;
                leader = n.id;
                line(in.atNanos(), n.id, "LEADER", "elected (fencing token " + token + ")");
            }
            case "settle" -> {
                history.settle(
                        n.id,
                        e.path("n").asLong(),
                        token,
                        e.path("t0").asLong(),
                        e.path("t1").asLong());
                if (victim != null && n != victim && takeover == null) {
                    takeover = in;
                }
                line(
                        in.atNanos(),
                        n.id,
                        "SETTLE",
                        "settle #" + e.path("n").asLong() + "  token " + token);
            }
            case "fenced" -> {
                history.staleTokenRefused();
                line(
                        in.atNanos(),
                        n.id,
                        "FENCED",
                        "refused to settle: ledger has token "
                                + e.path("ledgerToken").asLong()
                                + " > own "
                                + token);
            }
            case "conflict" -> {
                history.staleTokenRefused();
                line(
                        in.atNanos(),
                        n.id,
                        "CONFLICT",
                        "the ledger changed under the leader (another writer)");
            }
            case "leader-end" -> {
                history.endTerm(n.id, at);
                if (n.id.equals(leader)) {
                    leader = null;
                }
                line(
                        in.atNanos(),
                        n.id,
                        "STEPDOWN",
                        switch (e.path("state").asText()) {
                            case "HELD" -> "stops leading and releases its lease";
                            case "LOST" -> "lease LOST: stops settling at once";
                            default -> "lease " + e.path("state").asText() + ": stops settling";
                        });
            }
            case "round-done" -> {
                reports.computeIfAbsent(e.path("round").asText(), k -> new ArrayList<>()).add(in);
                line(
                        in.atNanos(),
                        n.id,
                        "BIDS " + e.path("round").asText(),
                        String.format(
                                Locale.ROOT,
                                "%d bids in %.2fs, highest %d%s",
                                e.path("bids").asLong(),
                                e.path("ms").asLong() / 1000.0,
                                e.path("maxBid").asLong(),
                                roundDetail(e)));
            }
            case "error" -> line(in.atNanos(), n.id, "ERROR", e.path("message").asText());
            case "log" -> {
                if (root.verbose()) {
                    line(in.atNanos(), n.id, "log", e.path("text").asText());
                }
            }
            case "exit" -> {
                n.alive = false;
                history.endTerm(n.id, DemoNodeCommand.nowMicros());
                if (n.id.equals(leader)) {
                    leader = null;
                }
                int code = e.path("code").asInt();
                if (n.killed) {
                    line(
                            in.atNanos(),
                            n.id,
                            "GONE",
                            "process ended by SIGKILL (exit status " + code + ")");
                } else if (n.quitting) {
                    line(in.atNanos(), n.id, "EXITED", "exit status " + code);
                } else {
                    throw new DemoFailure(
                            n.id
                                    + " exited unexpectedly with status "
                                    + code
                                    + ": "
                                    + n.stderrTail());
                }
            }
            default -> {
                // "bye", "round-start" and future events: nothing to show.
            }
        }
    }

    private static String roundDetail(JsonNode e) {
        return switch (e.path("round").asText()) {
            case "b" ->
                    ", "
                            + e.path("retries").asLong()
                            + " retries, "
                            + e.path("accepted").asLong()
                            + " became the price";
            case "c" ->
                    ", waited "
                            + e.path("waitMs").asLong()
                            + "ms for the mutex (max "
                            + e.path("maxWaitMs").asLong()
                            + "ms)";
            default -> "";
        };
    }

    // ---- auction results ----

    private static String roundTitle(String r) {
        return switch (r) {
            case "a" -> "no coordination: get, think, put";
            case "b" -> "optimistic: keyValue().update(max(price, bid)), retried on conflict";
            default ->
                    "under the mutex \""
                            + DemoNodeCommand.ITEM
                            + "\": lock, get, think, put, unlock";
        };
    }

    private Round outcome(String r) {
        List<Incoming> rs = reports.get(r);
        long placed = 0;
        long accepted = 0;
        long retries = 0;
        long waitMs = 0;
        long maxWaitMs = 0;
        long highest = 0;
        String highestBy = "-";
        List<DemoHistory.Write> writes = new ArrayList<>();
        for (Incoming in : rs) {
            JsonNode e = in.event();
            placed += e.path("bids").asLong();
            accepted += e.path("accepted").asLong();
            retries += e.path("retries").asLong();
            waitMs += e.path("waitMs").asLong();
            maxWaitMs = Math.max(maxWaitMs, e.path("maxWaitMs").asLong());
            if (e.path("maxBid").asLong() > highest) {
                highest = e.path("maxBid").asLong();
                highestBy = in.node().id;
            }
            for (JsonNode w : e.path("writes")) {
                writes.add(
                        new DemoHistory.Write(
                                in.node().id,
                                w.get(0).asLong(),
                                w.get(1).asLong(),
                                w.get(2).asLong()));
            }
        }
        DemoHistory.LostUpdates lost = DemoHistory.lostUpdates(writes);
        if (r.equals("a")) {
            accepted = placed - lost.count();
        }
        Optional<Versioned> fin = client.keyValue().get(DemoNodeCommand.ITEM);
        String[] value = fin.map(v -> v.asString().split(" ", 2)).orElse(new String[] {"0", "-"});
        return new Round(
                r,
                switch (r) {
                    case "a" -> "none";
                    case "b" -> "optimistic";
                    default -> "mutex";
                },
                placed,
                accepted,
                retries,
                waitMs,
                maxWaitMs,
                Long.parseLong(value[0]),
                value.length > 1 ? value[1] : "-",
                highest,
                highestBy,
                lost);
    }

    private void printOutcome(Round r) {
        long now = System.nanoTime();
        String verdict = r.highestSurvived() ? "kept" : "LOST";
        line(
                now,
                "demo",
                "RESULT " + r.name(),
                String.format(
                        Locale.ROOT,
                        "final price %d (%s), highest bid %d (%s): %s",
                        r.finalAmount(),
                        r.finalBy(),
                        r.highest(),
                        r.highestBy(),
                        verdict));
        switch (r.name()) {
            case "a" -> {
                DemoHistory.LostUpdates lu = r.lost();
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
            case "b" ->
                    line(
                            now,
                            "",
                            "",
                            "no bid lost: "
                                    + r.retries()
                                    + " conflicts retried; "
                                    + (r.bids() - r.accepted())
                                    + " bids were outbid before landing");
            default ->
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

    // ---- summary ----

    private double failoverSeconds() {
        return takeover == null ? Double.NaN : (takeover.atNanos() - killNanos) / 1e9;
    }

    private void summary() {
        out.println();
        out.println("Summary");
        List<String[]> rows = new ArrayList<>();
        rows.add(
                new String[] {
                    "settlement runs",
                    nodes.keySet().stream()
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
                    takeover == null
                            ? "no server took over"
                            : String.format(
                                    Locale.ROOT,
                                    "%.2fs, SIGKILL of %s to first settlement by %s",
                                    failoverSeconds(),
                                    victim.id,
                                    takeover.node().id),
                    ok(takeover != null)
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
        for (Round r : rounds) {
            auction.add(
                    new String[] {
                        r.name() + " " + r.discipline(),
                        Long.toString(r.bids()),
                        Long.toString(r.accepted()),
                        Long.toString(r.lost().count()),
                        Long.toString(r.retries()),
                        r.name().equals("c") ? r.waitMs() + "ms" : "-",
                        Long.toString(r.finalAmount()),
                        Long.toString(r.highest()),
                        r.name().equals("a")
                                ? "not checked: no coordination"
                                : ok(r.highestSurvived() && r.lost().count() == 0)
                    });
        }
        Table.format(auction, 1, 2, 3, 4, 5, 6, 7)
                .forEach(l -> out.println(("  " + l).stripTrailing()));
        out.flush();
    }

    private static String ok(boolean b) {
        return b ? "ok" : "FAILED";
    }

    private int verdict() {
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
        for (Round r : rounds) {
            if (!r.name().equals("a") && (!r.highestSurvived() || r.lost().count() > 0)) {
                failed.add("round " + r.name() + " lost the highest bid");
            }
        }
        if (takeover == null) {
            failed.add("no failover happened");
        }
        out.println();
        if (failed.isEmpty()) {
            out.printf(
                    Locale.ROOT,
                    "PASS: one leader at a time, tokens strictly increasing, no lost bids under"
                            + " coordination, failover in %.1fs (%.1fs total)%n",
                    failoverSeconds(),
                    (System.nanoTime() - startNanos) / 1e9);
            return ExitCodes.OK;
        }
        out.println("FAIL: " + String.join("; ", failed));
        return ExitCodes.FAILURE;
    }

    // ---- output (main thread) ----

    private void heading(String text) {
        out.println();
        out.println(text);
        out.flush();
    }

    private void line(long atNanos, String who, String what, String detail) {
        String time =
                who.isEmpty() && what.isEmpty()
                        ? ""
                        : String.format(Locale.ROOT, "%.2fs", (atNanos - startNanos) / 1e9);
        out.println(
                String.format(Locale.ROOT, "%8s  %-9s %-10s %s", time, who, what, detail)
                        .stripTrailing());
        out.flush();
    }

    // ---- cleanup (main thread or shutdown hook) ----

    private void cleanup() {
        if (!cleanedUp.compareAndSet(false, true)) {
            return;
        }
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        for (Process p : processes) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Baton c = client;
        if (c != null) {
            c.close();
        }
        EmbeddedZooKeeper z = zk;
        if (z != null) {
            z.close();
        }
    }
}
