package dev.baton.bench;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One engine server started for a benchmark run, with every system that runs against it. All
 * systems of an engine share the one server, so their numbers are comparable.
 */
public interface BenchEngine extends AutoCloseable {

    /**
     * The {@code backend} column, also the engine's name for {@code --engines}: {@code redis},
     * {@code redis-replicated} or {@code zookeeper}.
     */
    String backend();

    /** One line for the log: where the server (or servers) run. */
    default String describe() {
        return backend() + " at " + batonUri();
    }

    /** The URI Baton connects with (renewal and auction scenarios use Baton directly). */
    String batonUri();

    /**
     * Counts the work the server did: Redis {@code INFO commandstats} calls, which include the
     * commands a Lua script runs; ZooKeeper requests. Cheap enough to read during any round.
     */
    EngineCounter counter();

    /**
     * CPU microseconds the engine process has used, if it tells (Redis: {@code used_cpu_user +
     * used_cpu_sys} of {@code INFO cpu}), to tell server-side cost from client-side. Cheap to read
     * around timed rounds.
     */
    default Optional<EngineCounter> cpuMicros() {
        return Optional.empty();
    }

    /**
     * CPU microseconds of the engine's replica, if it has one and it tells: what each write costs
     * the replica that the master streams it to. Cheap to read around timed rounds.
     */
    default Optional<EngineCounter> replicaCpuMicros() {
        return Optional.empty();
    }

    /**
     * Whether the untimed counting scenarios ({@code engine-cost}, {@code renewal-10k}) run on this
     * engine. A variant of another engine whose counts are the same by construction (the replicated
     * Redis: a replica changes nothing its master's clients send or the master runs for them) says
     * no, to save their time.
     */
    default boolean countsOnItsOwn() {
        return true;
    }

    /**
     * Starts counting what clients send: Redis commands (a script call is one command), ZooKeeper
     * requests. Counting may slow the engine (Redis: {@code MONITOR}), so the harness opens it only
     * around the engine-cost and renewal scenarios, never around timed ones.
     */
    CommandCount openCommandCount() throws Exception;

    /** A count of client commands, open until closed. Thread-safe. */
    interface CommandCount extends EngineCounter, AutoCloseable {
        /** Commands by name (upper case) up to the latest {@link #commands()}; may be empty. */
        default Map<String, Long> byName() {
            return Map.of();
        }

        @Override
        void close();
    }

    /** Every system on this engine, Baton first; the harness closes them. */
    List<LockSystem> systems();

    /** Stops the server. */
    @Override
    void close();
}
