package dev.baton.bench;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One engine server started for a benchmark run, with every system that runs against it. All
 * systems of an engine share the one server, so their numbers are comparable.
 */
public interface BenchEngine extends AutoCloseable {

    /** The {@code backend} column: {@code redis} or {@code zookeeper}. */
    String backend();

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
