package dev.baton;

import dev.baton.internal.Connector;
import java.util.List;
import java.util.Optional;

/**
 * A client of one coordination engine, and the factory of its primitives.
 *
 * <pre>{@code
 * try (Baton baton = Baton.connect("zookeeper://127.0.0.1:2181")) {   // or embedded, mem
 *     Mutex orders = baton.mutex("orders/42");
 *     try (FencedLease lease = orders.acquire(Duration.ofSeconds(5))) {
 *         store.write(order, lease.fencingToken());   // the resource checks the token
 *     }
 * }
 * }</pre>
 *
 * <p>URIs: {@code zookeeper://host:port[,host:port…][/namespace]}; {@code embedded} or {@code
 * embedded:/data/dir} (an in-process ZooKeeper server, needs baton-zookeeper); {@code mem} or
 * {@code mem:name} (in-JVM, for tests and examples). Backends are found with {@link
 * java.util.ServiceLoader}.
 *
 * <p>A client is thread-safe. Closing it marks every held lease {@link LeaseState#LOST} with {@link
 * LeaseLoss.Reason#CLIENT_CLOSED}, releases their grants, ends watches and disconnects.
 */
public interface Baton extends AutoCloseable {

    /** Connects with default configuration. */
    static Baton connect(String uri) {
        return connect(uri, BatonConfig.defaults());
    }

    /**
     * Connects with {@code config}.
     *
     * @throws InvalidUriException if the URI is malformed or no backend serves its scheme
     * @throws BackendUnavailableException if the engine cannot be reached within the connect
     *     timeout (nothing is left running)
     */
    static Baton connect(String uri, BatonConfig config) {
        return Connector.connect(uri, config);
    }

    /**
     * Connects through {@code provider} instead of the provider registered for the URI's scheme.
     * For a backend module's own entry point to a mode that {@link #connect(String, BatonConfig)}
     * refuses (as {@code dev.baton.redis.Redlock} does for its unfenced scheme), and for tests.
     *
     * @throws InvalidUriException if the URI is malformed or the provider refuses it
     * @throws BackendUnavailableException if the engine cannot be reached within the connect
     *     timeout (nothing is left running)
     */
    static Baton connect(String uri, BatonConfig config, dev.baton.spi.BackendProvider provider) {
        return Connector.connect(uri, config, provider);
    }

    /** This client's identity: the holder named in its leases and in other clients' messages. */
    String clientId();

    /** The URI this client connected to. */
    String uri();

    BatonConfig config();

    Mutex mutex(String name);

    Semaphore semaphore(String name, int permits);

    ReadWriteLock readWriteLock(String name);

    Election election(String name);

    /**
     * The monitor {@code name}: a fair exclusive lock with condition variables (wait and signal
     * across processes). Unrelated to a mutex of the same name.
     */
    Monitor monitor(String name);

    KeyValueStore keyValue();

    /**
     * Subscribes to changes of keys and locks under {@code prefix} ({@code ""} for all). Delivery
     * is on Baton's dispatcher; see {@link WatchListener}.
     */
    Subscription watch(String prefix, WatchListener listener);

    /**
     * The leases this client holds now ({@link LeaseState#HELD} or {@link LeaseState#IN_DOUBT}), in
     * no particular order: a snapshot, for diagnostics and dashboards.
     */
    List<FencedLease> leases();

    /**
     * Whether the engine answered this client's last request or keep-alive. A client that cannot
     * reach its engine keeps trying; its leases go in doubt, then lost by their own deadlines, and
     * its watches get {@link WatchEvent.Type#DISCONNECTED}, then {@link
     * WatchEvent.Type#RECONNECTED} and a RESYNC when the engine answers again.
     */
    ConnectionState connectionState();

    /** The engine's current view of a lock name, of any primitive kind, if it has state. */
    Optional<LockSnapshot> inspect(String name);

    /** Every lock name under {@code prefix} that has holders or waiters, sorted by name. */
    List<LockSnapshot> locks(String prefix);

    @Override
    void close();
}
