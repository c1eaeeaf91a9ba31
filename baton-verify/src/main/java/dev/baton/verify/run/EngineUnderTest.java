package dev.baton.verify.run;

import dev.baton.faults.FaultProxy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * The engine under test, as the runner and nemesis see it: how clients reach it (each client key
 * through its own {@link FaultProxy}s, one per server, kept across the client's incarnations), the
 * engine faults it can take, and what it still holds after the run.
 *
 * <p>Threads: created and closed by the runner's thread; faults are begun and healed by the nemesis
 * thread only; {@link #proxies} may be called from both.
 */
interface EngineUnderTest extends AutoCloseable {

    /** "zookeeper", "redis" or "redlock". */
    String backend();

    /** How the engine runs, for the report. */
    String description();

    /** The URI the client with this key connects with (through its proxies; created on demand). */
    String clientUri(String clientKey);

    /** The client's proxies, one per server (empty before {@link #clientUri}). */
    List<FaultProxy> proxies(String clientKey);

    /** Why the engine cannot take this engine fault, or empty if it can. */
    Optional<String> unsupported(Fault fault);

    /** Begins an engine fault; returns what was done, for the history. */
    String begin(Fault fault, Random random, Duration ttl);

    /** Heals the fault begun last (restart what was killed, remove partitions). */
    String heal();

    /** Entries the engine still holds for the lock (empty when clean). */
    List<String> residue(String lockName);

    @Override
    void close();
}
