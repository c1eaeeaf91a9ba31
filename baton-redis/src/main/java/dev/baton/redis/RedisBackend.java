package dev.baton.redis;

import dev.baton.BackendUnavailableException;
import dev.baton.ClientClosedException;
import dev.baton.InvalidArgumentException;
import dev.baton.LeaseKind;
import dev.baton.LockSnapshot;
import dev.baton.Versioned;
import dev.baton.WatchEvent;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.Backend;
import dev.baton.spi.BackendContext;
import dev.baton.spi.GrantSink;
import dev.baton.spi.PendingAcquire;
import dev.baton.spi.Renewal;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.DefaultEventLoopGroupProvider;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's connection to a Redis server: all lock state lives in Lua scripts (see the {@code
 * .lua} resources next to this class), so every state change is one atomic script.
 *
 * <p><b>Round trips.</b> Acquire is one EVALSHA of {@code acquire.lua}: it grants (PX-style expiry
 * in the holder zset, fencing token from the per-name counter) or enqueues the caller with a
 * liveness deadline in server time. Release is one EVALSHA of {@code release.lua}: it removes the
 * grant by its unique entry id (ids are never reused, so a later grant is never touched) and hands
 * the lock to the head of the queue, publishing the grant on that waiter's client channel ({@code
 * baton:c:<clientId>}, subscribed once at connect): the waiter owns the lock when the message
 * arrives, with no further round trip. For a free mutex with nobody queued, both scripts take a
 * fast path of a handful of calls. Renewal sends one {@code renew.lua} per batch of up to {@value
 * #RENEW_BATCH} held leases (a standalone server runs a script over any keys; a Cluster would need
 * batches per slot). Waiters refresh their liveness with {@code wait.lua} every {@link
 * #recheckNanos} (at most 1 s), which also re-checks the queue: a lost message delays a grant by at
 * most that interval, and a holder that crashed is purged once its expiry passes.
 *
 * <p><b>The sentAt invariant.</b> A lease's local deadline is {@code sentAt + ttl − margin}, and
 * {@code sentAt} must precede the server time from which the grant's expiry is counted. A grant in
 * the reply to our own request (acquire, wait) counts from the script's {@code TIME}, after we sent
 * it: sentAt = that request's send time. A grant handed over by another client's release counts
 * from the moment the server last heard <em>us</em> about that entry (field {@code id:h}, set by
 * our acquire or our latest liveness refresh), and carries that request's sequence number ({@code
 * id:q}); each waiter remembers the send time of its own requests by sequence number, so the lease
 * takes the send time of exactly the request that the expiry counts from, which the server
 * processed after we sent it. So the client's deadline always precedes the server's expiry by at
 * least the margin, with no clock shared between client and server. The holder then has {@code ttl
 * − margin − (age of that refresh, ≤ recheck interval)} before its first renewal is due.
 *
 * <p><b>Fencing tokens</b> are {@code max(last + 1, TIME in µs)}. The counter lives with the name's
 * state and is dropped with it (kept only while ahead of the clock), and a restart without
 * persistence loses it: either way the next token continues from the server clock. Assumptions: the
 * server clock does not step back (across restarts too), and a name is granted fewer than once per
 * microsecond on average. State of a name nobody uses expires 1 s after its last holder's expiry or
 * waiter's liveness deadline; nothing else is kept.
 *
 * <p><b>Threads.</b> This backend has no thread of its own. Replies and handoff messages are
 * handled on Lettuce's I/O threads, where they turn grants into leases and complete futures: that
 * only wakes the core, which moves user code to its callback executor, and nothing done there
 * blocks (releasing a grant nobody wants any more goes to the blocking executor). Any thread may
 * end a waiter: {@link #waiters} is concurrent, and whoever removes the entry ({@code remove(id,
 * w)}) decides its outcome, so a grant reported by both a message and a reply, or racing a
 * withdrawal, takes effect once. Watch events are dispatched on the pub/sub connection's I/O
 * thread, in the order published (sinks only enqueue). The re-check timer ({@link #nextRecheck})
 * lives on the client's scheduler thread ({@link BackendContext#scheduler()}), the only thread that
 * touches it. Waiter entries are registered before their request is sent, so a handoff message that
 * overtakes the reply finds them.
 */
final class RedisBackend implements Backend<RedisBackend.Grant> {
    private static final Logger log = LoggerFactory.getLogger(RedisBackend.class);

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

    /** Leases per renewal script: one call stays well under a millisecond of server time. */
    static final int RENEW_BATCH = 128;

    private static final long MAX_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final BackendContext ctx;
    private final String namespace;
    private final Duration ttl;
    private final long livenessMillis;
    private final long recheckNanos;
    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> conn;
    private final RedisAsyncCommands<byte[], byte[]> redis;
    private final StatefulRedisPubSubConnection<byte[], byte[]> pubsub;
    private final RedisScripts scripts;
    private final ScheduledExecutorService scheduler;
    private final String idPrefix;
    private final byte[] eventChannel;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong seqs = new AtomicLong();
    private final Map<String, Waiter> waiters = new ConcurrentHashMap<>();
    private final RedisConnection connection;
    private final RedisKeyValue keyValue;
    private final RedisWatch watch;
    private final RedisInspection inspection;
    private ScheduledFuture<?> nextRecheck; // scheduler thread only
    private volatile long nextRecheckAt; // written on the scheduler thread only

    /**
     * One acquisition as this backend tracks it: the core's sink, and the queue entry that stands
     * for it now ({@code latest}; a request has a second entry, with a new id, only if the engine
     * dropped the first while the request still waited, {@link #requeue}). Withdrawing removes the
     * latest entry; {@code withdrawn} makes an entry sent after the withdrawal withdraw itself too.
     */
    private final class Request implements PendingAcquire {
        final AcquireRequest request;
        final byte[][] keys;
        final GrantSink<Grant> sink;
        final AtomicReference<Waiter> latest = new AtomicReference<>();
        volatile boolean withdrawn;

        Request(AcquireRequest request, byte[][] keys, GrantSink<Grant> sink) {
            this.request = request;
            this.keys = keys;
            this.sink = sink;
        }

        @Override
        public void withdraw() {
            withdrawn = true;
            Waiter current = latest.get();
            if (current != null) {
                RedisBackend.this.withdraw(current);
            }
        }
    }

    /**
     * One queue entry of a request: registered before it is sent, removed once granted or
     * withdrawn.
     */
    private static final class Waiter {
        final String id;
        final AcquireRequest request;
        final byte[][] keys;
        final Request owner;

        /** Send time by sequence number of our requests about this entry not yet superseded. */
        final ConcurrentSkipListMap<Long, Long> sent = new ConcurrentSkipListMap<>();

        Waiter(String id, Request owner) {
            this.id = id;
            this.request = owner.request;
            this.keys = owner.keys;
            this.owner = owner;
        }
    }

    /** A lease's handle: its entry id and the keys of its name's family. */
    record Grant(String id, String name, LeaseKind family, byte[][] keys) {
        @Override
        public String toString() {
            return "Grant{" + name + " " + family + " " + id + "}";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Grant g && g.id.equals(id);
        }

        @Override
        public int hashCode() {
            return id.hashCode();
        }
    }

    private RedisBackend(
            BackendContext ctx,
            String namespace,
            RedisClient client,
            StatefulRedisConnection<byte[], byte[]> conn,
            StatefulRedisPubSubConnection<byte[], byte[]> pubsub) {
        this.ctx = ctx;
        this.namespace = namespace;
        this.ttl = ctx.config().leaseTtl();
        this.livenessMillis = ttl.toMillis();
        this.recheckNanos = Math.min(MAX_RECHECK_NANOS, ttl.toNanos() / 5);
        this.client = client;
        this.conn = conn;
        this.pubsub = pubsub;
        this.connection = new RedisConnection(ctx, namespace, conn.async(), pubsub);
        this.redis = connection.redis;
        this.scripts = connection.scripts;
        this.eventChannel = connection.eventChannel;
        this.keyValue = new RedisKeyValue(connection);
        this.watch = new RedisWatch(connection);
        this.inspection = new RedisInspection(connection);
        this.idPrefix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        this.scheduler = ctx.scheduler();
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
            RedisBackend backend = new RedisBackend(ctx, namespace, client, conn, pubsub);
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
                    "cannot connect to redis at " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private void start() {
        pubsub.addListener(
                new RedisPubSubAdapter<>() {
                    @Override
                    public void message(byte[] channel, byte[] message) {
                        onMessage(channel, message);
                    }
                });
        pubsub.sync().subscribe(RedisCodec.bytes(Keys.clientChannel(ctx.clientId())));
        onScheduler(() -> scheduleRecheck(recheckNanos));
    }

    @Override
    public Duration leaseTtl() {
        return ttl;
    }

    private long now() {
        return ctx.ticker().read();
    }

    // ------------------------------------------------------------------ acquire

    @Override
    public PendingAcquire acquire(AcquireRequest request, GrantSink<Grant> sink) {
        if (connection.closed()) {
            throw connection.closedException();
        }
        Request r =
                new Request(
                        request,
                        Keys.lock(namespace, Keys.family(request.kind()), request.name()),
                        sink);
        enqueue(r);
        return r;
    }

    /**
     * Sends one queue entry for the request. The entry is registered (and made the request's
     * latest) before it is sent, so a handoff message that overtakes the reply finds it; if the
     * caller gave up meanwhile, its withdrawal may have been sent before this acquire, so it is
     * sent again after it, on the same connection.
     */
    private void enqueue(Request r) {
        AcquireRequest request = r.request;
        String id = idPrefix + ":" + ids.incrementAndGet();
        Waiter w = new Waiter(id, r);
        long seq = seqs.incrementAndGet();
        r.latest.set(w);
        waiters.put(id, w);
        long sentAt = now();
        w.sent.put(seq, sentAt);
        scripts.acquire
                .<List<Object>>run(
                        redis,
                        ScriptOutputType.MULTI,
                        w.keys,
                        lockArgs(
                                Keys.family(request.kind()),
                                request.name(),
                                id,
                                ctx.clientId(),
                                request.kind().name(),
                                String.valueOf(request.permits()),
                                String.valueOf(request.limit()),
                                request.tryOnce() ? "1" : "0",
                                String.valueOf(ttl.toMillis()),
                                String.valueOf(livenessMillis),
                                String.valueOf(seq)))
                .whenComplete((reply, error) -> onAcquired(w, seq, reply, error));
        if (r.withdrawn) {
            withdraw(w);
        }
    }

    private void onAcquired(Waiter w, long seq, List<Object> reply, Throwable error) {
        if (error != null) {
            // The script may have run (only its answer was lost): withdraw the entry, then report.
            withdraw(w);
            w.owner.sink.failed(
                    RedisConnection.unavailable("acquire \"" + w.request.name() + "\"", error));
            return;
        }
        long status = (Long) reply.get(0);
        if (status == 1) {
            grantTo(w, (Long) reply.get(1), seq);
        } else if (status == 2) {
            hint((Long) reply.get(1));
        } else if (status == 0) {
            waiters.remove(w.id, w);
            w.owner.sink.denied();
        } else {
            waiters.remove(w.id, w);
            w.owner.sink.failed(
                    new InvalidArgumentException(
                            "semaphore \""
                                    + w.request.name()
                                    + "\" has "
                                    + reply.get(1)
                                    + " permits in the engine, but this handle was made with "
                                    + w.request.limit()));
        }
    }

    /**
     * Turns a grant into a lease, once: a grant reported both by a message and by a reply is taken
     * by whichever removes the waiter first. Any thread; never blocks.
     */
    private void grantTo(Waiter w, long token, long seq) {
        if (!waiters.remove(w.id, w)) {
            return;
        }
        Long sentAt = w.sent.get(seq);
        if (sentAt == null) {
            // Cannot happen (entries are pruned only below a seq the server has acknowledged as
            // newer); the oldest send time kept is earlier still, so it is safe.
            sentAt = w.sent.firstEntry().getValue();
        }
        // If the caller gave up meanwhile, its withdrawal removes this grant by id, and the core
        // releases it too (by id again: the second removal finds nothing).
        w.owner.sink.granted(
                token,
                sentAt,
                new Grant(w.id, w.request.name(), Keys.family(w.request.kind()), w.keys));
    }

    private void withdraw(Waiter w) {
        waiters.remove(w.id, w);
        if (connection.closed()) {
            return;
        }
        LeaseKind family = Keys.family(w.request.kind());
        scripts.release
                .<Long>run(
                        redis,
                        ScriptOutputType.INTEGER,
                        w.keys,
                        lockArgs(family, w.request.name(), w.id))
                .whenComplete(
                        (r, e) -> {
                            if (e != null) {
                                log.debug(
                                        "withdrawal of {} failed; the entry expires with its"
                                                + " liveness bound: {}",
                                        w.id,
                                        e.toString());
                            }
                        });
    }

    /**
     * A watch event, or a handoff on our client channel: {@code "<id> <token> <seq>"}. Pub/sub I/O
     * thread.
     */
    private void onMessage(byte[] channel, byte[] message) {
        if (watch.isEventChannel(channel)) {
            watch.dispatch(message);
            return;
        }
        RedisCodec.Handoff handoff;
        try {
            handoff = RedisCodec.handoff(message);
        } catch (IllegalArgumentException e) {
            log.warn("ignoring malformed grant message: {}", e.getMessage());
            return;
        }
        Waiter w = waiters.get(handoff.id());
        if (w != null) {
            grantTo(w, handoff.token(), handoff.seq());
        }
    }

    // ------------------------------------------------------------------ re-check and liveness

    /**
     * The engine's hint: the earliest holder expires in {@code millisUntilExpiry}. Any thread. A
     * re-check is always pending (each one schedules the next), so only an earlier one is worth a
     * hop to the scheduler thread.
     */
    private void hint(long millisUntilExpiry) {
        if (millisUntilExpiry < 0) {
            return;
        }
        long delay = TimeUnit.MILLISECONDS.toNanos(millisUntilExpiry + 5);
        if (nextRecheckAt - (System.nanoTime() + delay) <= 0) {
            return;
        }
        onScheduler(() -> scheduleRecheck(delay));
    }

    /** Schedules the next re-check no later than {@code delay} from now. Scheduler thread only. */
    private void scheduleRecheck(long delayNanos) {
        if (connection.closed()) {
            return;
        }
        long due = System.nanoTime() + delayNanos;
        if (nextRecheck != null && !nextRecheck.isDone() && nextRecheckAt - due <= 0) {
            return;
        }
        if (nextRecheck != null) {
            nextRecheck.cancel(false);
        }
        nextRecheckAt = due;
        try {
            nextRecheck = scheduler.schedule(this::recheck, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /** Refreshes every waiter's liveness and re-checks its queue, pipelined. Scheduler thread. */
    private void recheck() {
        nextRecheck = null;
        if (connection.closed()) {
            return;
        }
        List<Waiter> batch = new ArrayList<>(waiters.values());
        if (!batch.isEmpty()) {
            long seq = seqs.incrementAndGet();
            long sentAt = now();
            for (Waiter w : batch) {
                w.sent.put(seq, sentAt);
                scripts.waitCheck
                        .<List<Object>>run(
                                redis,
                                ScriptOutputType.MULTI,
                                w.keys,
                                lockArgs(
                                        Keys.family(w.request.kind()),
                                        w.request.name(),
                                        w.id,
                                        String.valueOf(livenessMillis),
                                        String.valueOf(seq)))
                        .whenComplete((reply, error) -> onChecked(w, seq, reply, error));
            }
        }
        scheduleRecheck(recheckNanos);
    }

    private void onChecked(Waiter w, long seq, List<Object> reply, Throwable error) {
        if (error != null) {
            log.debug("re-check of {} failed: {}", w.id, error.toString());
            return;
        }
        long status = (Long) reply.get(0);
        if (status == 1) {
            grantTo(w, (Long) reply.get(1), (Long) reply.get(2));
        } else if (status == 2) {
            // The server now counts from this request or a later one: older send times are moot.
            w.sent.headMap(seq).clear();
            hint((Long) reply.get(1));
        } else if (waiters.remove(w.id, w)) {
            requeue(w);
        }
    }

    /**
     * The engine dropped a waiting entry, not having heard this client within its liveness bound
     * (the client stalled, or the connection did), or lost it in a restart. The client is alive
     * now, and the caller still waits: queue again, at the back, with a new id (a late message
     * about the old entry then finds nothing). Never granted meanwhile: a grant would have removed
     * the entry from {@link #waiters} first.
     */
    private void requeue(Waiter w) {
        if (connection.closed() || w.owner.withdrawn) {
            return; // the caller gave up; its withdrawal ran
        }
        log.info(
                "the engine dropped the queue entry {} for \"{}\" (not heard within {} ms, or"
                        + " restarted); queueing again",
                w.id,
                w.request.name(),
                livenessMillis);
        enqueue(w.owner);
    }

    private void onScheduler(Runnable task) {
        try {
            scheduler.execute(task);
        } catch (RejectedExecutionException closing) {
            // closed: close() failed every waiting future
        }
    }

    // ------------------------------------------------------------------ release and renewal

    @Override
    public void release(Grant g) {
        if (connection.closed()) {
            return;
        }
        connection.await(
                scripts.release.<Long>run(
                        redis,
                        ScriptOutputType.INTEGER,
                        g.keys(),
                        lockArgs(g.family(), g.name(), g.id())),
                "release \"" + g.name() + "\"");
    }

    @Override
    public CompletionStage<List<Renewal>> renew(List<Grant> grants) {
        byte[] ttlMillis = RedisCodec.bytes(String.valueOf(ttl.toMillis()));
        List<CompletableFuture<List<Object>>> batches = new ArrayList<>();
        for (int from = 0; from < grants.size(); from += RENEW_BATCH) {
            List<Grant> batch = grants.subList(from, Math.min(grants.size(), from + RENEW_BATCH));
            byte[][] keys = new byte[batch.size() * 4][];
            byte[][] args = new byte[batch.size() + 1][];
            args[0] = ttlMillis;
            for (int i = 0; i < batch.size(); i++) {
                Grant g = batch.get(i);
                System.arraycopy(g.keys(), 0, keys, i * 4, 4);
                args[i + 1] = RedisCodec.bytes(g.id());
            }
            batches.add(
                    scripts.renew
                            .<List<Object>>run(redis, ScriptOutputType.MULTI, keys, args)
                            .toCompletableFuture());
        }
        return CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new))
                .thenApply(
                        v -> {
                            // One verdict per grant, batch after batch: the order given.
                            List<Renewal> verdicts = new ArrayList<>(grants.size());
                            for (CompletableFuture<List<Object>> b : batches) {
                                for (Object answer : b.join()) {
                                    verdicts.add(RedisCodec.renewal(answer));
                                }
                            }
                            return verdicts;
                        });
    }

    // ------------------------------------------------------------------ inspection, key/value,
    // watch

    @Override
    public Optional<LockSnapshot> inspect(String name) {
        return inspection.inspect(name);
    }

    @Override
    public List<LockSnapshot> locks(String prefix) {
        return inspection.locks(prefix);
    }

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

    @Override
    public AutoCloseable watch(String prefix, Consumer<WatchEvent> sink) {
        return watch.subscribe(prefix, sink);
    }

    // ------------------------------------------------------------------ plumbing

    private byte[][] lockArgs(LeaseKind family, String name, String... rest) {
        return RedisCodec.lockArgs(eventChannel, family, name, rest);
    }

    @Override
    public void close() {
        if (connection.closed()) {
            return;
        }
        // Withdraw our waiters first (bounded), so that nothing of this client stays queued.
        List<CompletableFuture<?>> withdrawals = new ArrayList<>();
        List<Waiter> pending = List.copyOf(waiters.values());
        for (Waiter w : pending) {
            waiters.remove(w.id, w);
            withdrawals.add(
                    scripts.release
                            .<Long>run(
                                    redis,
                                    ScriptOutputType.INTEGER,
                                    w.keys,
                                    lockArgs(Keys.family(w.request.kind()), w.request.name(), w.id))
                            .toCompletableFuture());
        }
        connection.markClosed();
        try {
            CompletableFuture.allOf(withdrawals.toArray(CompletableFuture[]::new))
                    .get(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.debug("withdrawals at close incomplete: {}", e.toString());
        }
        onScheduler(
                () -> {
                    if (nextRecheck != null) {
                        nextRecheck.cancel(false);
                    }
                });
        client.shutdownAsync(0, 1, TimeUnit.SECONDS); // closes both connections
        // Fail whatever was still waiting (its entries were withdrawn above or expire).
        for (Waiter w : pending) {
            w.owner.sink.failed(new ClientClosedException(ctx.clientId()));
        }
    }

    @Override
    public String toString() {
        return "RedisBackend{" + ctx.clientId() + " → " + namespace + "}";
    }
}
