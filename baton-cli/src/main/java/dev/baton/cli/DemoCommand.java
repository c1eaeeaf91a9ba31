package dev.baton.cli;

import dev.baton.Baton;
import dev.baton.spi.ConnectionUri;
import dev.baton.zookeeper.EmbeddedZooKeeper;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code baton demo}: redundant servers on ZooKeeper, end to end, in separate OS processes. This
 * class holds the options and the top-level flow; the parts live beside it:
 *
 * <ul>
 *   <li>{@link DemoScript}: the steps of each phase, and the reactions to what the servers report;
 *   <li>{@link DemoSupervisor}: the server processes (spawn, kill, quit, read their output);
 *   <li>{@link DemoProtocol}: the lines they exchange, written by {@link DemoNodeCommand} (the
 *       server) and parsed here;
 *   <li>{@link DemoHistory}: what they reported, and the checks over it;
 *   <li>{@link DemoReport}: everything printed, from the header to the verdict.
 * </ul>
 *
 * <p>Threads: the main thread runs the flow and is the only one that prints or touches the demo's
 * state; the supervisor's reader threads only enqueue what the servers print. The shutdown hook
 * (Ctrl-C) touches only the processes, the client and the engine, through {@link #cleanup()}, which
 * is idempotent.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        subcommands = DemoBufferCommand.class,
        description = {
            "Redundant servers, live: leader election, an auction, a kill -9 and a failover.",
            "",
            "Three child JVMs elect a leader that runs a job every 2s, bid in an auction three"
                    + " ways, then the leader is killed with SIGKILL and the next one takes over."
                    + " Ends with a summary of the checked invariants; exit status 0 only if all"
                    + " held.",
            "",
            "`baton demo buffer`: producers and consumers on a monitor (see its --help).",
        })
final class DemoCommand implements Callable<Integer> {
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

    private final AtomicBoolean cleanedUp = new AtomicBoolean();

    /** The {@code baton} command, for the subcommand {@code buffer}. */
    BatonCli root() {
        return root;
    }

    private volatile DemoSupervisor supervisor;
    private volatile EmbeddedZooKeeper zk;
    private volatile Baton client;

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
        PrintWriter out = root.out();
        DemoReport report = new DemoReport(out, System.nanoTime());
        DemoHistory history = new DemoHistory();
        supervisor = new DemoSupervisor(ttl, period, root.verbose());
        DemoScript script =
                new DemoScript(supervisor, report, history, ttl, period, root.verbose());
        Thread hook = BatonCli.onShutdown("baton-demo-shutdown", this::cleanup);
        try {
            report.header(servers, parsed.scheme().equals("embedded"), period, ttl);
            report.heading("Phase 1: leader election; only the leader settles");
            String serverUri = startEngine(parsed, report);
            script.startServers(servers, serverUri);
            // The demo's own client (resets and reads the auction) connects while the servers
            // start.
            client = root.connect(serverUri, Duration.ofSeconds(10), ttl, "demo");
            script.awaitFirstSettlements();

            report.heading(
                    String.format(
                            Locale.ROOT,
                            "Phase 2: auction on \"%s\", %d servers x %d bids per round",
                            DemoNodeCommand.ITEM,
                            servers,
                            bids));
            script.auction(client, bids);

            report.heading("Phase 3: failover; SIGKILL the leader, the next server takes over");
            script.failover();

            report.heading("Phase 4: shutdown and summary");
            script.shutdown();
            List<String> ids = supervisor.nodes().stream().map(n -> n.id).toList();
            report.summary(ids, history, script.failoverResult());
            return report.verdict(history, script.failoverResult());
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

    /** The engine the servers share: the one given, or an embedded ZooKeeper started here. */
    private String startEngine(ConnectionUri uri, DemoReport report) {
        if (!uri.scheme().equals("embedded")) {
            report.line(System.nanoTime(), "demo", "ENGINE", "using the ZooKeeper at " + uri.raw());
            return uri.raw();
        }
        Path data = uri.path().isEmpty() ? null : Path.of("/" + uri.path());
        zk = EmbeddedZooKeeper.start(0, data);
        report.line(
                System.nanoTime(), "demo", "ZOOKEEPER", "embedded server listening at " + zk.uri());
        return zk.uri();
    }

    /** Stops the servers, then the client, then the engine. Main thread or shutdown hook. */
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
