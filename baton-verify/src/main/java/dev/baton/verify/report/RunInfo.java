package dev.baton.verify.report;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a {@code baton verify} run was, for its summary and report.
 *
 * @param backend {@code zookeeper}, {@code redis} or {@code redlock}
 * @param engine how the engine was run ("3-member ZooKeeper ensemble in network namespaces", the
 *     {@code --connect} URI, ...)
 * @param fencing whether the store checked fencing tokens ({@code false} for {@code --no-fencing},
 *     the control)
 * @param seed the nemesis seed
 * @param duration the workload's length
 * @param clients client processes running at once
 * @param ttl the lease TTL (ZooKeeper: the session timeout)
 * @param faults the faults the nemesis could choose from
 * @param skipped faults that were asked for but not run, each with the reason
 * @param residue engine entries still present after the run and the wait for expiry; empty when the
 *     engine was left clean
 * @param command the command line that reproduces the run
 * @param startedAt wall-clock start, for the reader
 */
public record RunInfo(
        String backend,
        String engine,
        boolean fencing,
        long seed,
        Duration duration,
        int clients,
        Duration ttl,
        List<String> faults,
        List<String> skipped,
        List<String> residue,
        String command,
        Instant startedAt) {

    public RunInfo {
        faults = List.copyOf(faults);
        skipped = List.copyOf(skipped);
        residue = List.copyOf(residue);
    }
}
