package dev.baton.verify.run;

import dev.baton.InvalidArgumentException;
import dev.baton.spi.ConnectionUri;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a {@code baton verify} run does; immutable and validated when built, so that a bad value is
 * reported before any process starts.
 *
 * @param backend {@code zookeeper}, {@code redis} or {@code redlock}
 * @param connect the user's engine, or empty to start our own (which the nemesis may kill)
 * @param clients client processes at once, 1–32
 * @param duration how long the workload runs, 1 s – 24 h
 * @param ttl the lease TTL (ZooKeeper: session timeout), 1–60 s
 * @param faults what the nemesis may inject (empty: none)
 * @param seed the nemesis' seed
 * @param fencing whether the store checks tokens ({@code false}: the control)
 * @param reportDir where history.jsonl, report.html and summary.txt go
 * @param command the command line that reproduces the run, for the report
 * @param workload what the clients do: a register under a mutex, or a bounded buffer under a
 *     monitor (zookeeper and redis only: Redlock has no monitors)
 * @param capacity the buffer's capacity, 1–1000 (buffer workload)
 * @param twoStep the buffer workload's control: awaits that release the monitor and join the wait
 *     queue in two steps, so signals get lost (expect violations)
 */
public record VerifyOptions(
        String backend,
        Optional<String> connect,
        int clients,
        Duration duration,
        Duration ttl,
        List<Fault> faults,
        long seed,
        boolean fencing,
        Path reportDir,
        String command,
        Workload workload,
        int capacity,
        boolean twoStep) {

    public static final Set<String> BACKENDS = Set.of("zookeeper", "redis", "redlock");

    /** The buffer's capacity when none is given. */
    public static final int DEFAULT_CAPACITY = 4;

    /** What the client processes do. */
    public enum Workload {
        /** Acquire a mutex, read-modify-write a fenced register, release. */
        REGISTER,
        /** Producers and consumers of a fenced bounded buffer under a monitor. */
        BUFFER;

        /** The name on the command line. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A register run (the workload of {@code baton verify} before there were others). */
    public VerifyOptions(
            String backend,
            Optional<String> connect,
            int clients,
            Duration duration,
            Duration ttl,
            List<Fault> faults,
            long seed,
            boolean fencing,
            Path reportDir,
            String command) {
        this(
                backend,
                connect,
                clients,
                duration,
                ttl,
                faults,
                seed,
                fencing,
                reportDir,
                command,
                Workload.REGISTER,
                DEFAULT_CAPACITY,
                false);
    }

    public VerifyOptions {
        if (backend == null || !BACKENDS.contains(backend)) {
            throw InvalidArgumentException.mustBe(
                    "--backend", "one of zookeeper, redis, redlock", backend);
        }
        if (clients < 1 || clients > 32) {
            throw InvalidArgumentException.mustBe("--clients", "between 1 and 32", clients);
        }
        if (duration == null
                || duration.compareTo(Duration.ofSeconds(1)) < 0
                || duration.compareTo(Duration.ofHours(24)) > 0) {
            throw InvalidArgumentException.mustBe("--duration", "between 1 s and 24 h", duration);
        }
        if (ttl == null
                || ttl.compareTo(Duration.ofSeconds(1)) < 0
                || ttl.compareTo(Duration.ofSeconds(60)) > 0) {
            throw InvalidArgumentException.mustBe("--ttl", "between 1 s and 60 s", ttl);
        }
        faults = List.copyOf(faults);
        for (Fault f : faults) {
            if (!f.appliesTo(backend)) {
                throw InvalidArgumentException.mustBe(
                        "--faults entry for --backend " + backend,
                        "one that applies to it",
                        f.label());
            }
        }
        connect = connect == null ? Optional.empty() : connect;
        if (connect.isPresent()) {
            String scheme = ConnectionUri.parse(connect.get()).scheme();
            if (!scheme.equals(backend)) {
                throw InvalidArgumentException.mustBe(
                        "--connect for --backend " + backend,
                        "a " + backend + ":// URI",
                        connect.get());
            }
        }
        if (reportDir == null || (Files.exists(reportDir) && !Files.isDirectory(reportDir))) {
            throw InvalidArgumentException.mustBe(
                    "--report", "a directory, or a path where one can be created", reportDir);
        }
        command = command == null ? "" : command;
        if (workload == null) {
            throw InvalidArgumentException.mustBe("--workload", "register or buffer", null);
        }
        if (workload == Workload.BUFFER && backend.equals("redlock")) {
            throw InvalidArgumentException.mustBe(
                    "--backend for --workload buffer",
                    "zookeeper or redis (Redlock has no monitors)",
                    backend);
        }
        if (capacity < 1 || capacity > 1000) {
            throw InvalidArgumentException.mustBe("--capacity", "between 1 and 1000", capacity);
        }
        if (twoStep && workload != Workload.BUFFER) {
            throw InvalidArgumentException.mustBe(
                    "--control two-step", "used with --workload buffer", workload.label());
        }
    }
}
