package dev.baton.redis;

import dev.baton.BackendUnavailableException;
import dev.baton.ClientClosedException;
import dev.baton.LeaseKind;
import dev.baton.LockSnapshot;
import dev.baton.Versioned;
import dev.baton.WatchEvent;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.Backend;
import dev.baton.spi.BackendContext;
import dev.baton.spi.ConnectionUri;
import dev.baton.spi.GrantSink;
import dev.baton.spi.PendingAcquire;
import dev.baton.spi.Renewal;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redlock (antirez) over N independent Redis masters, one connection per master. Serves only
 * mutexes, and only through {@link Redlock}: its leases carry no fencing token (the core's lease is
 * created with token 0, which {@link RedlockLease} never exposes).
 *
 * <p><b>Acquire attempt.</b> A fresh random owner value; {@code SET key value NX PX ttl} on every
 * master in parallel; granted iff a majority ({@code N/2+1}) answered OK and the validity {@code
 * ttl − elapsed − drift} (drift = ttl·1% + 2 ms) is positive, <em>and</em> the core's local
 * deadline {@code sentAt + ttl − margin} still lies ahead (with the default margin of ttl/10 the
 * second check is the stricter one). {@code sentAt} is read before the first SET is sent, so every
 * master's expiry counts from a later instant. Otherwise the value is deleted everywhere (compare
 * and delete) and, unless the request tries once, the attempt is repeated after a random delay of
 * {@value #RETRY_MIN_MS}..{@value #RETRY_MAX_MS} ms until the core fails the future (timeout,
 * cancel). There is no queue: Redlock is not fair, a waiter can be overtaken indefinitely.
 *
 * <p><b>Renewal</b> runs compare-and-PEXPIRE on every master in parallel for every held lease. A
 * lease is confirmed (deadline = the core's send time + ttl − margin) when a majority extended it;
 * it is lost (GRANT_GONE) once so many masters answered "not ours" that no majority can hold it;
 * any other outcome (masters unreachable) fails the whole batch, which makes every lease IN_DOUBT
 * for that round: the SPI has no per-lease "unconfirmed", and failing is the conservative choice.
 *
 * <p><b>Threads.</b> Lettuce's I/O threads complete the per-master futures; combining them only
 * completes the core's futures (which wakes the core, never user code) and schedules the next
 * attempt on this client's one retry thread ({@code baton-redlock-<clientId>}), which only sends
 * commands; a grant that lost the race with the caller's give-up is released on the core's blocking
 * executor, since release waits for answers. {@link #close()} fails every pending acquisition. A
 * master whose first connect failed is reconnected asynchronously on demand; until then it counts
 * as a failed vote. Commands to a disconnected master fail at once (no buffering), so a dead master
 * never delays an attempt beyond its command timeout.
 */
final class RedlockBackend implements Backend<RedlockBackend.Grant> {
    private static final Logger log = LoggerFactory.getLogger(RedlockBackend.class);

    static final long RETRY_MIN_MS = 20;
    static final long RETRY_MAX_MS = 200;

    /** Shared event loops for Redlock clients in the JVM (daemon threads; never shut down). */
    private static final class Resources {
        // Reconnect quickly after a master restarts: at most every second, not Lettuce's 30 s.
        static final ClientResources SHARED =
                DefaultClientResources.builder()
                        .reconnectDelay(
                                Delay.exponential(
                                        Duration.ofMillis(10),
                                        Duration.ofSeconds(1),
                                        2,
                                        TimeUnit.MILLISECONDS))
                        .build();
    }

    private static final Script RELEASE = new Script("redlock_release");
    private static final Script EXTEND = new Script("redlock_extend");

    private final BackendContext ctx;
    private final String namespace;
    private final Duration ttl;
    private final long driftNanos;

    /** TTL minus the core's safety margin: the core's lease deadline is sentAt plus this. */
    private final long lifeNanos;

    private final List<Master> masters;
    private final int quorum;
    private final ScheduledThreadPoolExecutor retries;

    /** Acquisitions not yet completed, failed by {@link #close()} (no retry runs after it). */
    private final Set<Attempts> pending = ConcurrentHashMap.newKeySet();

    /**
     * One acquisition: rounds until granted, denied (try-once), withdrawn or closed. {@code over}
     * stops further rounds; a round already under way may still grant, and the core releases that
     * grant.
     */
    private final class Attempts implements PendingAcquire {
        final AcquireRequest request;
        final GrantSink<Grant> sink;
        volatile boolean over;

        Attempts(AcquireRequest request, GrantSink<Grant> sink) {
            this.request = request;
            this.sink = sink;
        }

        /** Ends the acquisition (no more rounds); each report happens at most once. */
        boolean end() {
            if (over) {
                return false;
            }
            over = true;
            return pending.remove(this);
        }

        @Override
        public void withdraw() {
            end(); // between rounds nothing of ours is left in Redis
        }
    }

    private volatile boolean closed;

    /** A held grant: the key and this acquisition's random owner value. */
    record Grant(String name, byte[] key, byte[] value) {}

    /** One master: its client and its connection, which may be missing until it first answers. */
    private static final class Master {
        final RedisClient client;
        final RedisURI uri;
        final String address;
        final AtomicBoolean connecting = new AtomicBoolean();
        volatile StatefulRedisConnection<byte[], byte[]> conn;
        volatile boolean closed;

        Master(RedisClient client, RedisURI uri, String address) {
            this.client = client;
            this.uri = uri;
            this.address = address;
        }

        /** The commands, or null while not connected (then a reconnect is started). */
        RedisAsyncCommands<byte[], byte[]> redis() {
            StatefulRedisConnection<byte[], byte[]> c = conn;
            if (c != null) {
                return c.async();
            }
            if (!closed && connecting.compareAndSet(false, true)) {
                client.connectAsync(ByteArrayCodec.INSTANCE, uri)
                        .whenComplete(
                                (connected, error) -> {
                                    connecting.set(false);
                                    if (connected != null) {
                                        if (closed) {
                                            connected.closeAsync();
                                        } else {
                                            conn = connected;
                                        }
                                    }
                                });
            }
            return null;
        }
    }

    private RedlockBackend(BackendContext ctx, String namespace, List<Master> masters) {
        this.ctx = ctx;
        this.namespace = namespace;
        this.ttl = ctx.config().leaseTtl();
        this.driftNanos = ttl.toNanos() / 100 + TimeUnit.MILLISECONDS.toNanos(2);
        // The core keeps the configured margin because leaseTtl() is the configured TTL.
        this.lifeNanos = ttl.toNanos() - ctx.config().safetyMargin().toNanos();
        this.masters = masters;
        this.quorum = masters.size() / 2 + 1;
        this.retries =
                new ScheduledThreadPoolExecutor(
                        1,
                        r -> {
                            Thread t = new Thread(r, "baton-redlock-" + ctx.clientId());
                            t.setDaemon(true);
                            return t;
                        });
        this.retries.setRemoveOnCancelPolicy(true);
    }

    /**
     * Connects to every master; a majority must answer within the connect timeout, the rest are
     * reconnected on demand.
     */
    static RedlockBackend connect(
            List<ConnectionUri.HostPort> hosts, String namespace, BackendContext ctx) {
        Duration ttl = ctx.config().leaseTtl();
        // Well inside the TTL, so that a slow master cannot eat an attempt's validity.
        Duration commandTimeout = ttl.dividedBy(10);
        List<Master> masters = new ArrayList<>();
        List<CompletableFuture<StatefulRedisConnection<byte[], byte[]>>> pending =
                new ArrayList<>();
        for (ConnectionUri.HostPort hp : hosts) {
            RedisURI uri =
                    RedisURI.Builder.redis(hp.host(), hp.port())
                            .withTimeout(commandTimeout)
                            .withClientName("baton-redlock")
                            .build();
            RedisClient client = RedisClient.create(Resources.SHARED, uri);
            client.setOptions(
                    ClientOptions.builder()
                            .autoReconnect(true)
                            .disconnectedBehavior(
                                    ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                            .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                            .socketOptions(
                                    SocketOptions.builder()
                                            .connectTimeout(ctx.config().connectTimeout())
                                            .build())
                            .build());
            masters.add(new Master(client, uri, hp.toString()));
            pending.add(client.connectAsync(ByteArrayCodec.INSTANCE, uri).toCompletableFuture());
        }
        long deadline = System.nanoTime() + ctx.config().connectTimeout().toNanos();
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < masters.size(); i++) {
            Master m = masters.get(i);
            try {
                m.conn =
                        pending.get(i)
                                .get(
                                        Math.max(0, deadline - System.nanoTime()),
                                        TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed.add(m.address + " (interrupted)");
            } catch (ExecutionException | TimeoutException e) {
                failed.add(m.address + " (" + e.getCause() + ")");
            }
        }
        int connected = masters.size() - failed.size();
        if (connected < masters.size() / 2 + 1) {
            for (Master m : masters) {
                m.closed = true;
                m.client.shutdownAsync(0, 1, TimeUnit.SECONDS);
            }
            pending.forEach(f -> f.thenAccept(StatefulRedisConnection::closeAsync));
            throw new BackendUnavailableException(
                    "redlock needs a majority of "
                            + masters.size()
                            + " masters, but only "
                            + connected
                            + " answered; unreachable: "
                            + failed);
        }
        if (!failed.isEmpty()) {
            log.warn("redlock: masters unreachable at connect, retried on demand: {}", failed);
        }
        return new RedlockBackend(ctx, namespace, masters);
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
        if (closed) {
            throw new ClientClosedException(ctx.clientId());
        }
        if (request.kind() != LeaseKind.MUTEX) {
            throw new UnsupportedOperationException("redlock serves only mutexes");
        }
        Attempts a = new Attempts(request, sink);
        pending.add(a);
        if (closed) { // close() may have swept pending just before the add
            if (a.end()) {
                sink.failed(new ClientClosedException(ctx.clientId()));
            }
            return a;
        }
        attempt(a);
        return a;
    }

    /**
     * One Redlock round. Runs on the caller's or the retry thread; its continuation runs on a
     * Lettuce I/O thread and only reports to the sink or schedules the next round.
     */
    private void attempt(Attempts a) {
        if (a.over) {
            return; // withdrawn or closed: nothing of ours is left in Redis
        }
        AcquireRequest request = a.request;
        byte[] key = key(request.name());
        byte[] value = ownerValue();
        long sentAt = now();
        List<CompletableFuture<Boolean>> votes =
                onAll(
                        r ->
                                r.set(key, value, SetArgs.Builder.nx().px(ttl.toMillis()))
                                        .thenApply("OK"::equals));
        CompletableFuture.allOf(votes.toArray(CompletableFuture[]::new))
                .whenComplete(
                        (ignored, error) -> {
                            int granted = count(votes, Boolean.TRUE);
                            long answered = now();
                            boolean valid =
                                    ttl.toNanos() - (answered - sentAt) - driftNanos > 0
                                            && sentAt + lifeNanos - answered > 0;
                            if (granted >= quorum && valid && !closed) {
                                a.end();
                                // No fencing token: 0 is a placeholder that RedlockLease never
                                // exposes. A withdrawn caller's grant is released by the core.
                                a.sink.granted(0L, sentAt, new Grant(request.name(), key, value));
                                return;
                            }
                            releaseEverywhere(key, value);
                            if (request.tryOnce()) {
                                if (a.end()) {
                                    a.sink.denied();
                                }
                            } else if (closed) {
                                if (a.end()) {
                                    a.sink.failed(new ClientClosedException(ctx.clientId()));
                                }
                            } else {
                                scheduleRetry(a);
                            }
                        });
    }

    private void scheduleRetry(Attempts a) {
        long delay = ThreadLocalRandom.current().nextLong(RETRY_MIN_MS, RETRY_MAX_MS + 1);
        try {
            retries.schedule(() -> attempt(a), delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            if (a.end()) {
                a.sink.failed(new ClientClosedException(ctx.clientId()));
            }
        }
    }

    // ------------------------------------------------------------------ release, renew

    @Override
    public void release(Grant g) {
        List<CompletableFuture<Long>> acks = releaseEverywhere(g.key(), g.value());
        try {
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                    .get(ttl.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Some masters could not be told: their copy expires with its TTL.
        }
        int told = 0;
        for (CompletableFuture<Long> a : acks) {
            told += a.isDone() && !a.isCompletedExceptionally() ? 1 : 0;
        }
        if (told < quorum) {
            throw new BackendUnavailableException(
                    "redlock release of \""
                            + g.name()
                            + "\" reached only "
                            + told
                            + " of "
                            + masters.size()
                            + " masters; the rest expire within the TTL");
        }
    }

    private List<CompletableFuture<Long>> releaseEverywhere(byte[] key, byte[] value) {
        return onAll(r -> RELEASE.run(r, key, value));
    }

    @Override
    public CompletionStage<List<Renewal>> renew(List<Grant> grants) {
        String pexpire = String.valueOf(ttl.toMillis());
        List<List<CompletableFuture<Long>>> answers = new ArrayList<>();
        for (Grant g : grants) {
            answers.add(onAll(r -> EXTEND.run(r, g.key(), g.value(), bytes(pexpire))));
        }
        List<CompletableFuture<Long>> all = new ArrayList<>();
        answers.forEach(all::addAll);
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .handle(
                        (ignored, error) -> {
                            // Per lease: a majority extended it, or so many masters no longer hold
                            // it that no majority can; anything between decides nothing yet.
                            List<Renewal> verdicts = new ArrayList<>(grants.size());
                            for (List<CompletableFuture<Long>> answer : answers) {
                                if (count(answer, 1L) >= quorum) {
                                    verdicts.add(Renewal.CONFIRMED);
                                } else if (count(answer, 0L) > masters.size() - quorum) {
                                    verdicts.add(Renewal.GONE);
                                } else {
                                    verdicts.add(Renewal.UNDECIDED);
                                }
                            }
                            return verdicts;
                        });
    }

    // ------------------------------------------------------------------ helpers

    /** Sends {@code command} to every master; a missing connection is a failed future. */
    private <T> List<CompletableFuture<T>> onAll(
            Function<RedisAsyncCommands<byte[], byte[]>, CompletionStage<T>> command) {
        List<CompletableFuture<T>> out = new ArrayList<>(masters.size());
        for (Master m : masters) {
            RedisAsyncCommands<byte[], byte[]> r = m.redis();
            CompletableFuture<T> f;
            if (r == null) {
                f =
                        CompletableFuture.failedFuture(
                                new BackendUnavailableException(m.address + " not connected"));
            } else {
                try {
                    f = command.apply(r).toCompletableFuture();
                } catch (RuntimeException e) {
                    f = CompletableFuture.failedFuture(e);
                }
            }
            out.add(f);
        }
        return out;
    }

    /** How many of the futures completed normally with {@code value}. */
    private static <T> int count(List<CompletableFuture<T>> futures, T value) {
        int n = 0;
        for (CompletableFuture<T> f : futures) {
            if (f.isDone() && !f.isCompletedExceptionally() && value.equals(f.join())) {
                n++;
            }
        }
        return n;
    }

    private byte[] key(String name) {
        return bytes(Keys.tag(namespace, name) + ":redlock");
    }

    /** Unique per acquisition: the client id (for humans) and 128 random bits. */
    private byte[] ownerValue() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return bytes(
                ctx.clientId()
                        + ":"
                        + HexFormat.of().toHexDigits(r.nextLong())
                        + HexFormat.of().toHexDigits(r.nextLong()));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ not offered

    @Override
    public Optional<LockSnapshot> inspect(String name) {
        return Optional.empty(); // redlock keeps no holder records beyond the owner values
    }

    @Override
    public List<LockSnapshot> locks(String prefix) {
        throw unsupported();
    }

    @Override
    public Optional<Versioned> get(String key) {
        throw unsupported();
    }

    @Override
    public Versioned put(String key, byte[] value) {
        throw unsupported();
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
        throw unsupported();
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        throw unsupported();
    }

    @Override
    public List<String> keys(String prefix) {
        throw unsupported();
    }

    @Override
    public AutoCloseable watch(String prefix, Consumer<WatchEvent> sink) {
        throw unsupported();
    }

    private static UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("redlock mode offers only mutexes");
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        retries.shutdownNow();
        for (Attempts a : List.copyOf(pending)) {
            if (a.end()) {
                a.sink.failed(new ClientClosedException(ctx.clientId()));
            }
        }
        for (Master m : masters) {
            m.closed = true;
            m.client.shutdownAsync(0, 1, TimeUnit.SECONDS); // closes its connection
        }
    }

    /** A compare-and-act script, sent as EVALSHA, re-sent as EVAL after a restart (NOSCRIPT). */
    private static final class Script {
        private final RedisScripts.Script script;

        Script(String name) {
            String resource = name + ".lua";
            try (InputStream in = RedlockBackend.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("missing script resource " + resource);
                }
                script =
                        new RedisScripts.Script(
                                name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource, e);
            }
        }

        CompletionStage<Long> run(
                RedisAsyncCommands<byte[], byte[]> redis, byte[] key, byte[]... args) {
            return script.run(redis, ScriptOutputType.INTEGER, new byte[][] {key}, args);
        }
    }
}
