package dev.baton.cli;

import dev.baton.Baton;
import dev.baton.BatonException;
import dev.baton.FencedLease;
import dev.baton.Versioned;
import dev.baton.spi.ConnectionUri;
import dev.baton.zookeeper.EmbeddedZooKeeper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code baton demo buffer}: the bounded buffer on a monitor, across processes. This class holds
 * the options and the top-level flow; {@link DemoBufferScript} drives the steps, {@link
 * DemoSupervisor} the processes (each a {@link DemoBufferNodeCommand} running a {@link
 * DemoBufferWorker}), {@link DemoBufferHistory} keeps what they report and checks the rules, and
 * {@link DemoReport} with {@link DemoBufferReport} print.
 *
 * <p>The bounds the rules use, and why:
 *
 * <ul>
 *   <li>Each await times out after the session timeout ({@code --ttl}): a safety net for a signal
 *       lost to a waiter that died (the engine keeps a dead waiter until its session expires, and a
 *       signal may go to it meanwhile).
 *   <li>A waiter may sleep while its condition holds for at most the session timeout plus 2s: a
 *       signal lost to a dead waiter is made up by the next signal or by the await's timeout, and a
 *       dead holder blocks the monitor until its session expires; the script keeps the two kills
 *       apart so that these stalls do not add up. The 2s cover the engine noticing the expiry and
 *       the hand-over.
 *   <li>Engine requests per produced item at most {@value #MAX_REQUESTS_PER_ITEM}: a put and a take
 *       cost about 10 (enter, read, compare-and-set, signal, release, each side), an await two
 *       more; anyone polling for a condition would pay that every few milliseconds instead.
 * </ul>
 *
 * <p>Threads: as {@link DemoCommand}: the main thread runs the flow and prints; the shutdown hook
 * (Ctrl-C) touches only the processes, the client and the engine, through {@link #cleanup()}.
 */
@Command(
        name = "buffer",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "A bounded buffer on a monitor: producers and consumers in separate JVMs, two kill -9s.",
            "",
            "Two producer and two consumer processes share a buffer of 4 items kept in Baton's"
                    + " key/value store under a monitor with the conditions not-full and not-empty."
                    + " A consumer is killed with SIGKILL while it waits, another while it holds"
                    + " the monitor. Ends with a summary; exit status 0 only if every item was"
                    + " taken exactly once, the buffer stayed within 0..4 items, no waiter slept"
                    + " while its condition held, and nobody polled.",
        })
final class DemoBufferCommand implements Callable<Integer> {
    /** The rule "nobody polled": engine requests per produced item, at most. */
    static final double MAX_REQUESTS_PER_ITEM = 20;

    /** Added to the session timeout for the rule "no waiter slept while its condition held". */
    static final Duration SLEEP_MARGIN = Duration.ofSeconds(2);

    @ParentCommand private DemoCommand demo;

    @Option(
            names = "--connect",
            paramLabel = "URI",
            description =
                    "Engine for the processes (default: $BATON_CONNECT, else embedded: a ZooKeeper"
                            + " server inside this process).")
    String connect;

    @Option(
            names = "--ttl",
            paramLabel = "DURATION",
            converter = Durations.class,
            defaultValue = "5s",
            description =
                    "Session timeout of the processes, and their await timeout, 2s..30s (default:"
                            + " ${DEFAULT-VALUE}).")
    Duration ttl;

    @Option(
            names = "--items",
            paramLabel = "N",
            defaultValue = "8",
            description =
                    "Items per producer per batch (three batches), 1..100 (default: ${DEFAULT-VALUE}).")
    int items;

    private final AtomicBoolean cleanedUp = new AtomicBoolean();
    private volatile DemoSupervisor supervisor;
    private volatile EmbeddedZooKeeper zk;
    private volatile Baton client;

    @Override
    public Integer call() {
        checkOptions();
        BatonCli root = demo.root();
        String uri = root.resolveConnect(connect != null ? connect : demo.connect, "embedded");
        BatonCli.rejectRedlock(uri);
        ConnectionUri parsed = ConnectionUri.parse(uri);
        if (parsed.scheme().equals("mem")) {
            throw CliException.usage(
                    "--connect "
                            + uri
                            + ": the demo's producers and consumers are separate processes, and mem"
                            + " is in-process only; use embedded, zookeeper://HOST:PORT or"
                            + " redis://HOST:PORT");
        }
        Duration sleepBound = ttl.plus(SLEEP_MARGIN);
        long start = System.nanoTime();
        DemoReport report = new DemoReport(root.out(), start, 10);
        DemoBufferReport texts = new DemoBufferReport(report);
        DemoBufferHistory history = new DemoBufferHistory();
        supervisor =
                new DemoSupervisor(
                        "demo-buffer-node",
                        List.of("--ttl", ttl.toString(), "--await", ttl.toString()),
                        root.verbose());
        DemoBufferScript script =
                new DemoBufferScript(supervisor, report, history, ttl, ttl, items, root.verbose());
        Thread hook = BatonCli.onShutdown("baton-demo-shutdown", this::cleanup);
        try {
            boolean embedded = parsed.scheme().equals("embedded");
            texts.header(embedded, uri, items, ttl, sleepBound);
            String serverUri = startEngine(parsed, report);
            // The demo's own client: checks that the engine has monitors, empties the buffer of an
            // earlier run, and reads the buffer at the end. Engine unreachable: exit status 69.
            client = root.connect(serverUri, Duration.ofSeconds(10), ttl, "demo");
            prepare(client, serverUri);

            report.heading(
                    "Phase 1: 2 producers make " + items + " items each; 2 consumers take them");
            script.start(serverUri);
            boolean drained = script.batch();

            report.heading(
                    "Phase 2: SIGKILL a consumer while it waits on not-empty; "
                            + items
                            + " more items each");
            if (drained) {
                script.killAWaiter();
                drained = script.batch();
            }

            report.heading(
                    "Phase 3: SIGKILL a consumer while it holds the monitor; "
                            + items
                            + " more items each");
            if (drained) {
                script.letTheDeadWaiterGo();
                script.batchWithAKilledHolder();
            }

            report.heading("Phase 4: shutdown and summary");
            script.shutdown();
            readFinal(history);
            DemoBufferReport.Checks checks =
                    new DemoBufferReport.Checks(
                            history.items(),
                            history.buffer(),
                            history.sleep(sleepBound.toNanos() / 1_000, DemoProtocol.nowMicros()),
                            history.requests(MAX_REQUESTS_PER_ITEM),
                            history.waits(),
                            script.waitKill(),
                            script.holdKill());
            texts.summary(checks);
            return texts.verdict(checks, (System.nanoTime() - start) / 1e9);
        } catch (RuntimeException e) {
            if (cleanedUp.get()) { // SIGINT/SIGTERM: the hook stopped everything under our feet
                report.interrupted();
                return ExitCodes.INTERRUPTED;
            }
            if (!(e instanceof DemoFailure)) {
                throw e;
            }
            report.failure(e.getMessage(), supervisor.nodes());
            return ExitCodes.FAILURE;
        } finally {
            report.flush();
            cleanup();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDownAlready) {
                // Ctrl-C during the demo: the hook runs cleanup, which is idempotent.
            }
        }
    }

    private void checkOptions() {
        if (ttl.compareTo(Duration.ofSeconds(2)) < 0 || ttl.compareTo(Duration.ofSeconds(30)) > 0) {
            throw CliException.usage(
                    "--ttl must be between 2s and 30s, but was " + Durations.format(ttl));
        }
        if (items < 1 || items > 100) {
            throw CliException.usage("--items must be between 1 and 100, but was " + items);
        }
    }

    /**
     * Fails with a one-line message if the engine has no monitors; deletes the buffer an earlier
     * run left.
     */
    private static void prepare(Baton client, String uri) {
        try {
            client.monitor(DemoBufferNodeCommand.MONITOR)
                    .tryEnter()
                    .ifPresent(FencedLease::release);
        } catch (BatonException e) {
            if (String.valueOf(e.getMessage()).contains("has no monitors")) {
                throw new CliException(
                        ExitCodes.FAILURE,
                        "--connect " + uri + ": this engine's backend has no monitors yet",
                        e);
            }
            throw e;
        }
        client.keyValue().delete(DemoBufferNodeCommand.KEY);
    }

    /** The buffer as the engine holds it now, for the check against the reports. */
    private void readFinal(DemoBufferHistory history) {
        try {
            Optional<Versioned> v = client.keyValue().get(DemoBufferNodeCommand.KEY);
            history.engineFinal(
                    v.map(x -> DemoBuffer.parse(x.asString())).orElse(DemoBuffer.EMPTY));
        } catch (RuntimeException e) {
            // Leave it unchecked: the event lines still carry the whole story.
        }
    }

    /** The engine the processes share: the one given, or an embedded ZooKeeper started here. */
    private String startEngine(ConnectionUri uri, DemoReport report) {
        if (!uri.scheme().equals("embedded")) {
            report.line(System.nanoTime(), "demo", "ENGINE", "using " + uri.raw());
            return uri.raw();
        }
        Path data = uri.path().isEmpty() ? null : Path.of("/" + uri.path());
        zk = EmbeddedZooKeeper.start(0, data);
        report.line(
                System.nanoTime(), "demo", "ZOOKEEPER", "embedded server listening at " + zk.uri());
        return zk.uri();
    }

    /** Stops the processes, then the client, then the engine. Main thread or shutdown hook. */
    private void cleanup() {
        if (!cleanedUp.compareAndSet(false, true)) {
            return;
        }
        DemoSupervisor s = supervisor;
        if (s != null) {
            s.destroyAll();
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
