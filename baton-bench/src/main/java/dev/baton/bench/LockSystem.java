package dev.baton.bench;

import java.time.Duration;

/**
 * One lock implementation under benchmark (Baton or a peer), on one engine. The harness creates one
 * {@link Client} per simulated service instance and runs every scenario through this interface
 * only, so that all systems do exactly the same work.
 *
 * <p>Threads: {@link #client()} may be called from any thread; a {@link Client} may be used by
 * several threads at once (waiters spread over client instances share them); a {@link Held} is
 * released by the thread that acquired it.
 */
public interface LockSystem extends AutoCloseable {

    /** The {@code system} column of results.csv: baton, redisson-rlock, curator-mutex, ... */
    String name();

    /** The {@code backend} column: {@code redis} or {@code zookeeper}. */
    String backend();

    /** A new client instance with its own connections, as one service instance would have. */
    Client client() throws Exception;

    /** Closes what the system itself opened (not the clients, which the harness closes). */
    @Override
    default void close() throws Exception {}

    /** One client instance. */
    interface Client extends AutoCloseable {
        /**
         * Acquires the lock named {@code key}, waiting at most {@code timeout}.
         *
         * @return the grant, or {@code null} if not acquired in time
         */
        Held acquire(String key, Duration timeout) throws Exception;
    }

    /** A grant to release. */
    interface Held {
        void release() throws Exception;
    }
}
