package dev.baton.bench.scenario;

import dev.baton.bench.EngineCounter;
import dev.baton.bench.Results;
import java.util.Optional;

/**
 * The engine's CPU time around a timed round, read from the engine itself (Redis: {@code INFO
 * cpu}), so that server-side cost is told from client-side: the server's (the master's, when there
 * is a replica) and, where the engine has one, its replica's. Records {@code
 * server_cpu_us_per_<op>} and {@code replica_cpu_us_per_<op>}: CPU microseconds per operation of
 * the round. Either is left out when the engine does not tell.
 *
 * <p>Threads: used by the harness's driving thread only, before and after a round's workers run.
 */
public final class ServerCpu {
    private final Optional<EngineCounter> server;
    private final Optional<EngineCounter> replica;

    /**
     * @param server the server's CPU microseconds, if it tells
     * @param replica the replica's CPU microseconds, if there is one and it tells
     */
    public ServerCpu(Optional<EngineCounter> server, Optional<EngineCounter> replica) {
        this.server = server;
        this.replica = replica;
    }

    /** CPU microseconds so far; 0 for what the engine does not tell. */
    record Reading(long server, long replica) {}

    /** Reads both counters now. */
    Reading read() throws Exception {
        return new Reading(
                server.isPresent() ? server.get().commands() : 0,
                replica.isPresent() ? replica.get().commands() : 0);
    }

    /**
     * Records the CPU between two readings per operation as {@code server_cpu_us_per_<op>} and
     * {@code replica_cpu_us_per_<op>}, for what the engine tells; nothing if {@code ops} is 0.
     */
    void record(Results.Round r, Reading before, Reading after, String op, long ops) {
        if (ops <= 0) {
            return;
        }
        if (server.isPresent()) {
            r.add("server_cpu_us_per_" + op, "us", (double) (after.server - before.server) / ops);
        }
        if (replica.isPresent()) {
            r.add(
                    "replica_cpu_us_per_" + op,
                    "us",
                    (double) (after.replica - before.replica) / ops);
        }
    }
}
