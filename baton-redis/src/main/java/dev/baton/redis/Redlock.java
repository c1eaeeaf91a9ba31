package dev.baton.redis;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.spi.ConnectionUri;

/**
 * A client of Redlock (antirez's algorithm) over independent Redis masters: {@code
 * redlock://h1:p1,h2:p2,h3:p3[/namespace]}. Use an odd number of at least 3 masters that share
 * nothing (no replication between them); at least 2 are required.
 *
 * <pre>{@code
 * try (Redlock redlock = Redlock.connect("redlock://a:6379,b:6379,c:6379")) {
 *     redlock.mutex("reports/daily").withLease(Duration.ofSeconds(5), lease -> build());
 * }
 * }</pre>
 *
 * <p><b>What it does not promise.</b> Redlock grants carry no fencing token, so this entry point
 * hands out plain {@link dev.baton.Lease}s, and {@link Baton#connect(String)} refuses {@code
 * redlock://}. A holder paused past its TTL can still act after another client was granted the
 * lock; safety rests on bounded network delay, process pauses and clock drift. Choose it for
 * efficiency locks that tolerate a rare double execution; when correctness matters use fenced
 * {@code redis://} or ZooKeeper. See docs/REDLOCK.md.
 *
 * <p>Thread-safe. Closing marks every held lease lost ({@code CLIENT_CLOSED}), deletes its keys and
 * disconnects.
 */
public final class Redlock implements AutoCloseable {
    private final Baton core;

    private Redlock(Baton core) {
        this.core = core;
    }

    /** Connects with default configuration. */
    public static Redlock connect(String uri) {
        return connect(uri, BatonConfig.defaults());
    }

    /**
     * Connects with {@code config} (lease TTL, safety margin, connect timeout, client name).
     *
     * @throws dev.baton.InvalidUriException if the URI is not {@code redlock://} with at least 2
     *     distinct masters, or has parameters or a bad namespace
     * @throws dev.baton.BackendUnavailableException if fewer than a majority of the masters answer
     *     within the connect timeout (nothing is left running)
     */
    public static Redlock connect(String uri, BatonConfig config) {
        // Check the URI before any thread starts.
        RedlockBackendProvider.hosts(ConnectionUri.parse(uri));
        return new Redlock(Baton.connect(uri, config, RedlockBackendProvider.opener()));
    }

    /** A mutex handle; see {@link RedlockMutex}. */
    public RedlockMutex mutex(String name) {
        return new RedlockMutex(core.mutex(name));
    }

    /** This client's identity, the holder named in its leases. */
    public String clientId() {
        return core.clientId();
    }

    /** The URI this client connected to. */
    public String uri() {
        return core.uri();
    }

    public BatonConfig config() {
        return core.config();
    }

    @Override
    public void close() {
        core.close();
    }

    @Override
    public String toString() {
        return "Redlock{" + clientId() + " → " + uri() + "}";
    }
}
