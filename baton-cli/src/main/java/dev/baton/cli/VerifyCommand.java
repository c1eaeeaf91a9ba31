package dev.baton.cli;

import dev.baton.InvalidArgumentException;
import dev.baton.verify.run.Fault;
import dev.baton.verify.run.VerifyOptions;
import dev.baton.verify.run.VerifyRun;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code baton verify}: a Jepsen-style safety run on one machine; see docs/SAFETY.md. */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Check mutual exclusion under real faults.",
            "",
            "Client processes loop acquire -> read-modify-write a register through a fenced store"
                    + " -> release, while a seeded nemesis kills, pauses and cuts off clients and"
                    + " kills, restarts or partitions engine servers. A checker then looks for"
                    + " grants before the old holder's loss signal, token inversions, stale writes"
                    + " accepted, lost updates and engine state left behind.",
            "",
            "Exit status: 0 no violation of what the mode promises, 1 violations (or residue),"
                    + " 64 usage error.",
        })
final class VerifyCommand implements Callable<Integer> {
    @ParentCommand private BatonCli root;

    @Option(names = "--backend", required = true, description = "zookeeper, redis or redlock.")
    String backend;

    @Option(
            names = "--connect",
            description =
                    "Use this engine instead of starting one (client faults only; engine faults"
                            + " are skipped).")
    String connect;

    @Option(names = "--clients", defaultValue = "5", description = "Client processes (1-32).")
    int clients;

    @Option(
            names = "--duration",
            converter = Durations.class,
            defaultValue = "60s",
            description = "How long the workload runs (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(
            names = "--ttl",
            converter = Durations.class,
            defaultValue = "2s",
            description = "Lease TTL / ZooKeeper session timeout (default ${DEFAULT-VALUE}).")
    Duration ttl;

    @Option(
            names = "--faults",
            defaultValue = "all",
            description =
                    "Comma-separated: kill, pause, delay, blackhole, reset, expire,"
                            + " restart-member, restart-leader, partition (zookeeper), restart"
                            + " (redis, redlock); or all, none.")
    String faults;

    @Option(names = "--seed", description = "Nemesis seed (default: random, printed).")
    Long seed;

    @Option(
            names = "--no-fencing",
            description = "The control: the store accepts every token (expect violations).")
    boolean noFencing;

    @Option(
            names = "--report",
            description = "Report directory (default: verify-report/BACKEND-SEED).")
    Path report;

    @Override
    public Integer call() {
        long s = seed != null ? seed : ThreadLocalRandom.current().nextLong(1, 1_000_000);
        if (!VerifyOptions.BACKENDS.contains(backend)) {
            throw InvalidArgumentException.mustBe(
                    "--backend", "one of zookeeper, redis, redlock", backend);
        }
        List<Fault> parsed = Fault.parse(faults, backend);
        Path dir =
                report != null
                        ? report
                        : Path.of(
                                "verify-report", backend + "-" + s + (noFencing ? "-control" : ""));
        String command =
                "bin/baton verify --backend "
                        + backend
                        + (connect == null ? "" : " --connect " + connect)
                        + " --clients "
                        + clients
                        + " --duration "
                        + Durations.format(duration)
                        + " --ttl "
                        + Durations.format(ttl)
                        + " --faults "
                        + (parsed.isEmpty()
                                ? "none"
                                : String.join(",", parsed.stream().map(Fault::label).toList()))
                        + " --seed "
                        + s
                        + (noFencing ? " --no-fencing" : "");
        VerifyOptions options =
                new VerifyOptions(
                        backend,
                        Optional.ofNullable(connect),
                        clients,
                        duration,
                        ttl,
                        parsed,
                        s,
                        !noFencing,
                        dir,
                        command);
        PrintWriter out = root.out();
        out.println(command);
        out.flush();
        PrintStream progress =
                new PrintStream(new WriterOutputStream(out), true, StandardCharsets.UTF_8);
        VerifyRun.Outcome outcome = VerifyRun.run(options, progress);
        out.println();
        out.print(outcome.summary());
        out.println("report: " + dir.resolve("report.html"));
        out.println("history: " + dir.resolve("history.jsonl"));
        out.flush();
        return outcome.exitCode();
    }

    /** Progress lines go to the command's own writer, so tests capture them. */
    private static final class WriterOutputStream extends java.io.OutputStream {
        private final PrintWriter out;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        WriterOutputStream(PrintWriter out) {
            this.out = out;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                out.println(line.toString(StandardCharsets.UTF_8));
                out.flush();
                line.reset();
            } else {
                line.write(b);
            }
        }
    }
}
