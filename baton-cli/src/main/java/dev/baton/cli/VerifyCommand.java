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
import java.util.Arrays;
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
            "With --workload buffer, odd clients produce and even ones consume items of a bounded"
                    + " buffer kept in a fenced store, under a monitor with the conditions"
                    + " not-full and not-empty; the checker adds the buffer's rules: capacity"
                    + " respected, no item duplicated or lost, no lost wake-up.",
            "",
            "Exit status: 0 no violation of what the mode promises, 1 violations (or residue),"
                    + " 64 usage error.",
        })
final class VerifyCommand implements Callable<Integer> {
    @ParentCommand private BatonCli root;

    @Option(names = "--backend", required = true, description = "zookeeper, redis or redlock.")
    String backend;

    @Option(
            names = "--workload",
            defaultValue = "register",
            description =
                    "register (a mutex and a fenced register) or buffer (a monitor and a fenced"
                            + " bounded buffer; zookeeper and redis). Default: ${DEFAULT-VALUE}.")
    String workload;

    @Option(
            names = "--capacity",
            defaultValue = "" + VerifyOptions.DEFAULT_CAPACITY,
            description = "The buffer's capacity (1-1000). Default: ${DEFAULT-VALUE}.")
    int capacity;

    @Option(
            names = "--control",
            defaultValue = "none",
            description =
                    "none, or two-step: the buffer's control, whose awaits release the monitor and"
                            + " join the wait queue in two steps 200 ms apart, so that signals"
                            + " sent in the gap are lost; the lost wake-up rule must flag it (exit"
                            + " 1). Default: ${DEFAULT-VALUE}.")
    String control;

    @Option(
            names = "--connect",
            description =
                    "Use this engine instead of starting one (client faults only; engine faults"
                            + " are skipped). Default: start one.")
    String connect;

    @Option(
            names = "--clients",
            defaultValue = "5",
            description = "Client processes (1-32). Default: ${DEFAULT-VALUE}.")
    int clients;

    @Option(
            names = "--duration",
            converter = Durations.class,
            defaultValue = "60s",
            description = "How long the workload runs. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(
            names = "--ttl",
            converter = Durations.class,
            defaultValue = "2s",
            description = "Lease TTL / ZooKeeper session timeout. Default: ${DEFAULT-VALUE}.")
    Duration ttl;

    @Option(
            names = "--faults",
            defaultValue = "all",
            description =
                    "Comma-separated: kill, pause, delay, blackhole, reset, expire,"
                            + " restart-member, restart-leader, partition (zookeeper), restart"
                            + " (redis, redlock); or all, none. Default: ${DEFAULT-VALUE}.")
    String faults;

    @Option(names = "--seed", description = "Nemesis seed. Default: random, printed.")
    Long seed;

    @Option(
            names = "--no-fencing",
            description =
                    "The register's control: the store accepts every token (expect violations)."
                            + " Default: fenced.")
    boolean noFencing;

    @Option(
            names = "--report",
            description =
                    "Report directory. Default: verify-report/BACKEND-SEED (with -buffer,"
                            + " -control or -two-step added).")
    Path report;

    @Override
    public Integer call() {
        long s = seed != null ? seed : ThreadLocalRandom.current().nextLong(1, 1_000_000);
        if (!VerifyOptions.BACKENDS.contains(backend)) {
            throw InvalidArgumentException.mustBe(
                    "--backend", "one of zookeeper, redis, redlock", backend);
        }
        VerifyOptions.Workload kind =
                Arrays.stream(VerifyOptions.Workload.values())
                        .filter(w -> w.label().equals(workload))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        InvalidArgumentException.mustBe(
                                                "--workload", "register or buffer", workload));
        if (!control.equals("none") && !control.equals("two-step")) {
            throw InvalidArgumentException.mustBe("--control", "none or two-step", control);
        }
        boolean twoStep = control.equals("two-step");
        boolean buffer = kind == VerifyOptions.Workload.BUFFER;
        List<Fault> parsed = Fault.parse(faults, backend);
        Path dir =
                report != null
                        ? report
                        : Path.of(
                                "verify-report",
                                backend
                                        + "-"
                                        + s
                                        + (buffer ? "-buffer" : "")
                                        + (noFencing ? "-control" : "")
                                        + (twoStep ? "-two-step" : ""));
        String command =
                "bin/baton verify --backend "
                        + backend
                        + (buffer ? " --workload buffer --capacity " + capacity : "")
                        + (twoStep ? " --control two-step" : "")
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
                        command,
                        kind,
                        capacity,
                        twoStep);
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
