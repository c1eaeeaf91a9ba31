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

    /**
     * Connects with {@link BatonConfig#defaults() default configuration}: the usual entry point.
     *
     * @param uri where the engine is, e.g. {@code zookeeper://127.0.0.1:2181}, {@code embedded} or
     *     {@code mem}; the scheme picks the backend module, which must be on the class path
     * @return a connected client, to be closed when done
     * @throws InvalidUriException if the URI is malformed or no backend serves its scheme (the
     *     message names the module to add when the scheme is Baton's own)
     * @throws BackendUnavailableException if the engine cannot be reached within the connect
     *     timeout (nothing is left running)
     */
    static Baton connect(String uri) {
        return connect(uri, BatonConfig.defaults());
    }

    /**
     * Connects with {@code config}: lease TTL, client name, namespace, callback executor and the
     * other settings of {@link BatonConfig}.
     *
     * @param uri where the engine is; see {@link #connect(String)}
     * @param config this client's settings, fixed for its lifetime
     * @return a connected client, to be closed when done
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
     * @param uri where the engine is, in the form {@code provider} accepts
     * @param config this client's settings, fixed for its lifetime
     * @param provider the backend to open, used whatever the URI's scheme
     * @return a connected client, to be closed when done
     * @throws InvalidUriException if the URI is malformed or the provider refuses it
     * @throws BackendUnavailableException if the engine cannot be reached within the connect
     *     timeout (nothing is left running)
     */
    static Baton connect(String uri, BatonConfig config, dev.baton.spi.BackendProvider provider) {
        return Connector.connect(uri, config, provider);
    }

    /**
     * This client's identity: the holder named in its leases and in other clients' messages.
     *
     * @return the configured client name followed by {@code #} and a random suffix, unique per
     *     connection so that two clients of one process (or a restarted process) never share it
     */
    String clientId();

    /**
     * The URI this client connected to.
     *
     * @return the URI exactly as given to {@code connect}
     */
    String uri();

    /**
     * The settings this client was opened with.
     *
     * @return the configuration given to {@code connect}, or the defaults
     */
    BatonConfig config();

    /**
     * The mutex {@code name}: an exclusive, fair lock shared by every client of the engine that
     * uses the same name (and namespace). Only a handle: nothing is sent to the engine until it is
     * acquired, so handles are cheap and may be made per call.
     *
     * @param name the lock's name, by the {@link Names} rule (e.g. {@code orders/42})
     * @return a handle on the mutex; acquiring it returns a {@link FencedLease}
     * @throws InvalidNameException if {@code name} breaks the {@link Names} rule
     * @throws ClientClosedException if this client is closed
     */
    Mutex mutex(String name);

    /**
     * The semaphore {@code name} with {@code permits} permits: at most that many are held at once
     * across all clients, so a shared resource (a rate-limited API, a pool of licences) is never
     * used by more holders than it allows. Only a handle: nothing is sent until it is acquired.
     *
     * @param name the semaphore's name, by the {@link Names} rule
     * @param permits the total permits; every client must give the same number for a name, since
     *     the engine holds no count of its own to check it against
     * @return a handle on the semaphore
     * @throws InvalidNameException if {@code name} breaks the {@link Names} rule
     * @throws InvalidArgumentException if {@code permits} is less than 1
     * @throws ClientClosedException if this client is closed
     */
    Semaphore semaphore(String name, int permits);

    /**
     * The read-write lock {@code name}: any number of readers or one writer, for state that is read
     * often and written rarely. Writers are not starved: readers arriving after a waiting writer
     * queue behind it. Only a handle: nothing is sent until one of its locks is acquired.
     *
     * @param name the lock's name, by the {@link Names} rule
     * @return a handle whose {@link ReadWriteLock#readLock()} and {@link ReadWriteLock#writeLock()}
     *     share one queue
     * @throws InvalidNameException if {@code name} breaks the {@link Names} rule
     * @throws ClientClosedException if this client is closed
     */
    ReadWriteLock readWriteLock(String name);

    /**
     * The leader election {@code name}: candidates that {@link Election#join join} it queue, and
     * the head runs its task as leader with a fenced leadership lease until it returns, withdraws
     * or loses the lease. For work that must run in exactly one process at a time (a scheduler, a
     * singleton consumer).
     *
     * @param name the election's name, by the {@link Names} rule
     * @return a handle on the election; joining it returns a {@link Candidacy}
     * @throws InvalidNameException if {@code name} breaks the {@link Names} rule
     * @throws ClientClosedException if this client is closed
     */
    Election election(String name);

    /**
     * The monitor {@code name}: a fair exclusive lock with condition variables (wait and signal
     * across processes). Unrelated to a mutex of the same name.
     *
     * @param name the monitor's name, by the {@link Names} rule
     * @return a handle on the monitor; its conditions come from {@link Monitor}
     * @throws InvalidNameException if {@code name} breaks the {@link Names} rule
     * @throws ClientClosedException if this client is closed
     */
    Monitor monitor(String name);

    /**
     * The engine's versioned key/value store, in this client's namespace: small shared state
     * (configuration, counters, records that must not race) with compare-and-set on versions that
     * never repeat.
     *
     * @return the store; one instance per client, safe to share between threads
     */
    KeyValueStore keyValue();

    /**
     * Subscribes to changes of keys and locks under {@code prefix} ({@code ""} for all). Delivery
     * is on Baton's dispatcher; see {@link WatchListener}.
     *
     * @param prefix a name prefix by the {@link Names} rule, or {@code ""} for every name
     * @param listener receives the events in order, one at a time, never on an engine thread
     * @return the subscription; close it to stop the events
     * @throws InvalidNameException if {@code prefix} is neither empty nor a valid name
     * @throws InvalidArgumentException if {@code listener} is null
     * @throws ClientClosedException if this client is closed
     */
    Subscription watch(String prefix, WatchListener listener);

    /**
     * The leases this client holds now ({@link LeaseState#HELD} or {@link LeaseState#IN_DOUBT}), in
     * no particular order: a snapshot, for diagnostics and dashboards.
     *
     * @return a copy; later grants and losses do not change it
     */
    List<FencedLease> leases();

    /**
     * Whether the engine answered this client's last request or keep-alive. A client that cannot
     * reach its engine keeps trying; its leases go in doubt, then lost by their own deadlines, and
     * its watches get {@link WatchEvent.Type#DISCONNECTED}, then {@link
     * WatchEvent.Type#RECONNECTED} and a RESYNC when the engine answers again.
     *
     * @return the state as of the last exchange with the engine (no round trip is made)
     */
    ConnectionState connectionState();

    /**
     * The engine's current view of a lock name, of any primitive kind, if it has state: who holds
     * it with which token, and who waits. One round trip; for diagnostics, never for deciding
     * whether to acquire (the answer may be stale by the time it arrives).
     *
     * @param name the lock's name, by the {@link Names} rule
     * @return the snapshot, or empty if nobody holds or waits for the name
     * @throws InvalidNameException if {@code name} breaks the {@link Names} rule
     * @throws ClientClosedException if this client is closed
     */
    Optional<LockSnapshot> inspect(String name);

    /**
     * Every lock name under {@code prefix} that has holders or waiters, sorted by name: what {@code
     * baton locks} shows.
     *
     * @param prefix a name prefix by the {@link Names} rule, or {@code ""} for every name
     * @return one snapshot per name with state, sorted by name
     * @throws InvalidNameException if {@code prefix} is neither empty nor a valid name
     * @throws ClientClosedException if this client is closed
     */
    List<LockSnapshot> locks(String prefix);

    /**
     * Closes the client: every held lease becomes {@link LeaseState#LOST} with {@link
     * LeaseLoss.Reason#CLIENT_CLOSED}, their grants are released, watches end and the connection
     * closes. Idempotent; every later call on the client or its primitives throws {@link
     * ClientClosedException}.
     */
    @Override
    void close();
}
