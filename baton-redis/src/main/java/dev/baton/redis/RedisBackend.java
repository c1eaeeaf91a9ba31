package dev.baton.redis;

import dev.baton.BackendUnavailableException;
import dev.baton.LockSnapshot;
import dev.baton.Versioned;
import dev.baton.WatchEvent;
import dev.baton.redis.RedisAcquisitions.Grant;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.Backend;
import dev.baton.spi.BackendContext;
import dev.baton.spi.GrantSink;
import dev.baton.spi.PendingAcquire;
import dev.baton.spi.PendingAwait;
import dev.baton.spi.Renewal;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.DefaultEventLoopGroupProvider;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One client's connection to a Redis server: all lock state lives in Lua scripts (see the {@code
 * .lua} resources next to this class), so every state change is one atomic script. This class is
 * the facade: it connects, wires the parts below to one shared {@link RedisConnection}, delegates
 * the {@link Backend} methods to them, and closes.
 *
 * <ul>
 *   <li>{@link RedisAcquisitions}: acquire, the queue and its handoffs on the client channel, the
 *       re-check timer, withdrawal, release, batched renewal, and the monitor's await and signal;
 *       the round trips, the sentAt invariant and the fencing tokens are described there.
 *   <li>{@link RedisKeyValue}: versioned keys.
 *   <li>{@link RedisWatch}: the namespace's event channel, decoded into {@link WatchEvent}s.
 *   <li>{@link RedisInspection}: read-only snapshots of locks.
 *   <li>{@link RedisLiveness}: whether the server answers, for the client's connection state.
 *   <li>{@link RedisCodec} and {@link Keys}: the arguments, replies and key names the scripts use;
 *       {@link RedisScripts}: the scripts themselves (EVALSHA, EVAL after a restart).
 * </ul>
 *
 * <p><b>Threads.</b> This backend has no thread of its own. Replies and handoff messages are
 * handled on Lettuce's I/O threads, where they turn grants into leases and complete futures: that
 * only wakes the core, which moves user code to its callback executor, and nothing done there
 * blocks (releasing a grant nobody wants any more goes to the blocking executor). One pub/sub
 * connection carries both the client's own channel ({@code baton:c:<clientId>}, handoffs: {@link
 * RedisAcquisitions#onHandoff}) and the namespace's event channel ({@link RedisWatch#dispatch});
 * the listener installed at connect routes each message by its channel, on the pub/sub connection's
 * I/O thread, in the order published. The re-check timer lives on the client's scheduler thread
 * ({@link BackendContext#scheduler()}). Inspection, key/value, release, a monitor's await, time-up
 * and signal, and the first watch subscription block their caller, bounded by the lease TTL. {@link
 * #close} runs once on the closing thread; afterwards blocking calls fail with {@link
 * dev.baton.ClientClosedException}.
 */
final class RedisBackend implements Backend<Grant> {

    /**
     * Shared event loops for every client in the JVM (daemon threads; never shut down). One I/O
     * thread and one computation thread (Lettuce's builder would not go below two of each): a
     * client's traffic is a few small commands per lock operation, which one event loop carries far
     * faster than the single-threaded server answers them, and every further thread is one more to
     * wake on a small machine. Lettuce's timer (command timeouts) is the one other thread.
     */
    private static final class Resources {
        static final ClientResources SHARED =
                DefaultClientResources.builder()
                        .eventLoopGroupProvider(new DefaultEventLoopGroupProvider(1))
                        .eventExecutorGroup(
                                new DefaultEventExecutorGroup(
                                        1, new DefaultThreadFactory("lettuce-computation", true)))
                        .build();
    }

    private final RedisClient client;
    private final RedisConnection connection;
    private final RedisAcquisitions acquisitions;
    private final RedisKeyValue keyValue;
    private final RedisWatch watch;
    private final RedisInspection inspection;
    private final RedisLiveness liveness;

    private RedisBackend(RedisClient client, RedisConnection connection) {
        this.client = client;
        this.connection = connection;
        this.acquisitions = new RedisAcquisitions(connection);
        this.keyValue = new RedisKeyValue(connection);
        this.watch = new RedisWatch(connection);
        this.inspection = new RedisInspection(connection);
        this.liveness = new RedisLiveness(connection, watch::remarkIfWatching);
    }

    /**
     * Connects and subscribes to this client's channel.
     *
     * @throws BackendUnavailableException if the server is not reachable within the connect timeout
     */
    static RedisBackend connect(String host, int port, String namespace, BackendContext ctx) {
        Duration connectTimeout = ctx.config().connectTimeout();
        Duration ttl = ctx.config().leaseTtl();
        RedisURI uri =
                RedisURI.Builder.redis(host, port).withTimeout(ttl).withClientName("baton").build();
        RedisClient client = RedisClient.create(Resources.SHARED, uri);
        client.setOptions(
                ClientOptions.builder()
                        .autoReconnect(true)
                        .timeoutOptions(TimeoutOptions.enabled(ttl))
                        .socketOptions(
                                SocketOptions.builder().connectTimeout(connectTimeout).build())
                        .build());
        StatefulRedisConnection<byte[], byte[]> conn = null;
        StatefulRedisPubSubConnection<byte[], byte[]> pubsub = null;
        try {
            conn = client.connect(ByteArrayCodec.INSTANCE);
            pubsub = client.connectPubSub(ByteArrayCodec.INSTANCE);
            RedisBackend backend =
                    new RedisBackend(
                            client, new RedisConnection(ctx, namespace, conn.async(), pubsub));
            backend.start();
            return backend;
        } catch (RuntimeException e) {
            if (pubsub != null) {
                pubsub.closeAsync();
            }
            if (conn != null) {
                conn.closeAsync();
            }
            client.shutdownAsync(0, 1, TimeUnit.SECONDS);
            throw new BackendUnavailableException(
                    "cannot connect to redis at " + host + ":" + port + ": " + reason(e), e);
        }
    }

    /**
     * Why a connect failed, in the words of its root cause ("Connection refused"): Lettuce's own
     * message repeats the address in a form of its own ({@code 127.0.0.1/<unresolved>:1}), and the
     * socket's appends it again, while ours already names it once.
     */
    static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (message == null || message.isBlank()) {
            return root.getClass().getSimpleName();
        }
        return message.replaceFirst(":\\s*\\S*/\\S*$", "");
    }

    /** Routes pub/sub messages to their part, then subscribes the client channel. */
    private void start() {
        connection.pubsub.addListener(
                new RedisPubSubAdapter<>() {
                    @Override
                    public void message(byte[] channel, byte[] message) {
                        if (watch.isEventChannel(channel)) {
                            watch.dispatch(message);
                        } else {
                            acquisitions.onHandoff(message);
                        }
                    }
                });
        acquisitions.start();
        client.addListener(liveness);
        liveness.start();
    }

    @Override
    public Duration leaseTtl() {
        return connection.ttl;
    }

    // ------------------------------------------------------------------ grants

    @Override
    public PendingAcquire acquire(AcquireRequest request, GrantSink<Grant> sink) {
        return acquisitions.acquire(request, sink);
    }

    @Override
    public void release(Grant grant) {
        acquisitions.release(grant);
    }

    @Override
    public CompletionStage<List<Renewal>> renew(List<Grant> grants) {
        return acquisitions.renew(grants);
    }

    // ------------------------------------------------------------------ monitors

    @Override
    public PendingAwait await(
            Grant holder, String condition, AcquireRequest reentry, GrantSink<Grant> sink) {
        return acquisitions.await(holder, condition, reentry, sink);
    }

    @Override
    public int signal(Grant holder, String monitor, String condition, boolean all) {
        return acquisitions.signal(holder, monitor, condition, all);
    }

    // ------------------------------------------------------------------ inspection

    @Override
    public Optional<LockSnapshot> inspect(String name) {
        return inspection.inspect(name);
    }

    @Override
    public List<LockSnapshot> locks(String prefix) {
        return inspection.locks(prefix);
    }

    // ------------------------------------------------------------------ key/value

    @Override
    public Optional<Versioned> get(String key) {
        return keyValue.get(key);
    }

    @Override
    public Versioned put(String key, byte[] value) {
        return keyValue.put(key, value);
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
        return keyValue.compareAndSet(key, expectedVersion, value);
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        return keyValue.delete(key, expectedVersion);
    }

    @Override
    public List<String> keys(String prefix) {
        return keyValue.keys(prefix);
    }

    // ------------------------------------------------------------------ watch

    @Override
    public AutoCloseable watch(String prefix, Consumer<WatchEvent> sink) {
        return watch.subscribe(prefix, sink);
    }

    // ------------------------------------------------------------------ close

    @Override
    public void close() {
        if (connection.closed()) {
            return;
        }
        // Withdraw our waiters first (bounded), so that nothing of this client stays queued.
        RedisAcquisitions.Closing waiting = acquisitions.withdrawAll();
        connection.markClosed();
        waiting.awaitWithdrawals(1, TimeUnit.SECONDS);
        acquisitions.stopRechecks();
        liveness.stop();
        watch.stop();
        client.shutdownAsync(0, 1, TimeUnit.SECONDS); // closes both connections
        // Fail whatever was still waiting (its entries were withdrawn above or expire).
        waiting.failWaiting();
    }

    @Override
    public String toString() {
        return "RedisBackend{" + connection.ctx.clientId() + " → " + connection.namespace + "}";
    }
}
