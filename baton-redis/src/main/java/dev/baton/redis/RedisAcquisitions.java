package dev.baton.redis;

import dev.baton.InvalidArgumentException;
import dev.baton.LeaseKind;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.BackendContext;
import dev.baton.spi.GrantSink;
import dev.baton.spi.NotHolderException;
import dev.baton.spi.PendingAcquire;
import dev.baton.spi.PendingAwait;
import dev.baton.spi.Renewal;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The grants of one client: acquire, the queue and its handoffs, the re-check timer, withdrawal,
 * release, batched renewal, and the monitor's await and signal. All lock state lives in the lock
 * scripts ({@code acquire.lua}, {@code release.lua}, {@code wait.lua}, {@code renew.lua}, {@code
 * monitor_await.lua}, {@code monitor_signal.lua}, {@code monitor_time_up.lua}, sharing {@code
 * lock_common.lua}, whose header describes the keys and their invariants), so every state change is
 * one atomic script; this class keeps only the client's side of each request in flight.
 *
 * <p><b>Round trips.</b> Acquire is one EVALSHA of {@code acquire.lua}: it grants (PX-style expiry
 * in the holder zset, fencing token from the per-name counter) or enqueues the caller with a
 * liveness deadline in server time. Release is one EVALSHA of {@code release.lua}: it removes the
 * grant by its unique entry id (ids are never reused, so a later grant is never touched) and hands
 * the lock to the head of the queue, publishing the grant on that waiter's client channel ({@code
 * baton:c:<clientId>}, subscribed once at connect, {@link #start}): the waiter owns the lock when
 * the message arrives, with no further round trip. For a free mutex (or leadership, or monitor)
 * with nobody queued, both scripts take a fast path on the name's state hash alone (5 and 3 {@code
 * redis.call}s; see the model in {@code lock_common.lua}). Key bytes and constant arguments are
 * encoded once ({@link RedisConnection#lockKeys}, the fields below). Renewal sends one {@code
 * renew.lua} per batch of up to {@value #RENEW_BATCH} held leases (a standalone server runs a
 * script over any keys; a Cluster would need batches per slot). Waiters refresh their liveness with
 * {@code wait.lua} every {@link #recheckNanos} (at most 1 s), which also re-checks the queue: a
 * lost message delays a grant by at most that interval, and a holder that crashed is purged once
 * its expiry passes.
 *
 * <p><b>The sentAt invariant.</b> A lease's local deadline is {@code sentAt + ttl − margin}, and
 * {@code sentAt} must precede the server time from which the grant's expiry is counted. A grant in
 * the reply to our own request (acquire, wait) counts from the script's {@code TIME}, after we sent
 * it: sentAt = that request's send time. A grant handed over by another client's release counts
 * from the moment the server last heard <em>us</em> about that entry (field {@code id:h}, set by
 * our acquire or our latest liveness refresh), and carries that request's sequence number ({@code
 * id:q}); each waiter remembers the send time of its own requests by sequence number ({@link
 * Waiter#sent}), so the lease takes the send time of exactly the request that the expiry counts
 * from, which the server processed after we sent it. So the client's deadline always precedes the
 * server's expiry by at least the margin, with no clock shared between client and server. The
 * holder then has {@code ttl − margin − (age of that refresh, ≤ recheck interval)} before its first
 * renewal is due.
 *
 * <p><b>Fencing tokens</b> are {@code max(last + 1, TIME in µs)}. The counter lives in the name's
 * state hash and goes when it expires (at least 1 s after the last grant, by when the clock has
 * passed it; {@code lock_common.lua} says why), and a restart without persistence loses it: either
 * way the next token continues from the server clock. Assumptions: the server clock does not step
 * back (across restarts too), and a name is granted fewer than once per microsecond on average.
 * State of a name nobody uses expires 1 s after its last holder's expiry or waiter's liveness
 * deadline; nothing else is kept.
 *
 * <p><b>Monitors.</b> A monitor is a FIFO exclusive lock of kind MONITOR; each condition has its
 * own wait queue under the monitor's hash tag. {@link #await} sends one {@code monitor_await.lua}
 * that removes the holder's grant (handing the monitor on, as a release does) and appends a waiter
 * to the condition, atomically; the waiter carries the entry id it keeps when a signal ({@code
 * monitor_signal.lua}, from the holder) or its own time-up ({@code monitor_time_up.lua}) moves it
 * to the tail of the entry queue. So its grant needs nothing new: it arrives as a handoff for that
 * id, a re-check's reply, or the time-up's reply, with a token from the same counter. While in the
 * wait queue the waiter is a {@link Waiter} like any other, refreshed by the same re-check ({@code
 * wait.lua}, given the condition's keys as well, refreshes it where it is), so a waiter whose
 * client dies is dropped after the same liveness bound, and its withdrawal ({@code release.lua}
 * with those keys) removes it from whichever queue holds it.
 *
 * <p><b>Threads.</b> No thread of its own. Replies and handoff messages are handled on Lettuce's
 * I/O threads, where they turn grants into leases ({@link GrantSink#granted}): that only wakes the
 * core, which moves user code to its callback executor, and nothing done there blocks (releasing a
 * grant nobody wants any more goes to the blocking executor). {@link #acquire} and {@link #renew}
 * never block, whatever thread calls them (a caller's, the scheduler's, an I/O thread); {@link
 * #release} and {@link Request#withdraw} wait for their answer, bounded, except on a Netty thread;
 * {@link #await}, {@link #signal} and {@link AwaitRequest#timeUp} wait for theirs on the caller's
 * thread (the core never calls them on an engine thread), bounded by the TTL. Any thread may end a
 * waiter: {@link #waiters} is concurrent, and whoever removes the entry ({@code remove(id, w)})
 * decides its outcome, so a grant reported by both a message and a reply, or racing a withdrawal,
 * takes effect once. Waiter entries are registered before their request is sent, so a handoff
 * message that overtakes the reply finds them. The re-check timer ({@link #nextRecheck}) lives on
 * the client's scheduler thread ({@link BackendContext#scheduler()}), the only thread that touches
 * it.
 */
final class RedisAcquisitions {
    private static final Logger log = LoggerFactory.getLogger(RedisAcquisitions.class);

    /** Leases per renewal script: one call stays well under a millisecond of server time. */
    static final int RENEW_BATCH = 128;

    private static final long MAX_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final RedisConnection connection;
    private final BackendContext ctx;
    private final RedisAsyncCommands<byte[], byte[]> redis;
    private final RedisScripts scripts;
    private final Duration ttl;
    private final long livenessMillis;
    // Constant arguments, encoded once.
    private final byte[] clientId;
    private final byte[] ttlMillis;

    /** {@link #requestShape}'s one permit of one, by kind and try-once. */
    private final byte[][] shapes;

    private final long recheckNanos;
    private final ScheduledExecutorService scheduler;
    private final String idPrefix;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong seqs = new AtomicLong();
    private final Map<String, Waiter> waiters = new ConcurrentHashMap<>();
    private ScheduledFuture<?> nextRecheck; // scheduler thread only
    private volatile long nextRecheckAt; // written on the scheduler thread only

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

    /**
     * One acquisition as this backend tracks it: the core's sink, and the queue entry that stands
     * for it now ({@code latest}; a request has a second entry, with a new id, only if the engine
     * dropped the first while the request still waited, {@link #requeue}). Withdrawing removes the
     * latest entry; {@code withdrawn} makes an entry sent after the withdrawal withdraw itself too.
     */
    private class Request implements PendingAcquire {
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

        /**
         * Sends the withdrawal and, on a caller's or worker thread, waits for its answer (bounded
         * by the TTL), so a caller who sees a timeout sees no entry left behind. On a Netty thread
         * (Lettuce's I/O and computation threads) it only sends: the answer would need that thread.
         */
        @Override
        public void withdraw() {
            withdrawn = true;
            Waiter current = latest.get();
            if (current == null) {
                return;
            }
            CompletionStage<Long> sent = RedisAcquisitions.this.withdraw(current);
            if (sent == null
                    || Thread.currentThread()
                            instanceof io.netty.util.concurrent.FastThreadLocalThread) {
                return;
            }
            try {
                connection.await(sent, "withdrawing " + current.id);
            } catch (RuntimeException e) {
                // Logged where it was sent; the entry expires with its liveness bound.
            }
        }
    }

    /**
     * One queue entry of a request: registered before it is sent, removed once granted or
     * withdrawn. The re-check leaves it alone until its first request is on the wire ({@code
     * dispatched}), so that no refresh can reach the server before the entry exists there (the
     * refresh would find it gone and queue it a second time).
     */
    private static final class Waiter {
        final String id;
        final Request owner;

        /**
         * The keys of its requests: the name's E, Q, W, H; for a monitor waiter that may still be
         * in its condition's wait queue, followed by that condition's CE, CQ, CW (the scripts then
         * look for it in both places).
         */
        final byte[][] keys;

        /** Send time by sequence number of our requests about this entry not yet superseded. */
        final ConcurrentSkipListMap<Long, Long> sent = new ConcurrentSkipListMap<>();

        /**
         * Set once the request that creates the entry was handed to the connection; for an await,
         * once its reply said the waiter was queued (so a refused await's waiter, which never
         * existed, is never refreshed and queued instead).
         */
        volatile boolean dispatched;

        Waiter(String id, Request owner, byte[][] keys) {
            this.id = id;
            this.owner = owner;
            this.keys = keys;
        }

        /** Whether it may be in a condition's wait queue rather than the entry queue. */
        boolean mayBeInCondition() {
            return keys.length > Keys.LOCK_KEYS;
        }
    }

    RedisAcquisitions(RedisConnection connection) {
        this.connection = connection;
        this.ctx = connection.ctx;
        this.redis = connection.redis;
        this.scripts = connection.scripts;
        this.ttl = connection.ttl;
        this.livenessMillis = ttl.toMillis();
        this.clientId = RedisCodec.bytes(ctx.clientId());
        this.ttlMillis = RedisCodec.decimal(ttl.toMillis());
        this.shapes = new byte[LeaseKind.values().length * 2][];
        for (LeaseKind k : LeaseKind.values()) {
            for (int once = 0; once < 2; once++) {
                shapes[k.ordinal() * 2 + once] =
                        RedisCodec.requestShape(k, 1, 1, once == 1, livenessMillis);
            }
        }
        this.recheckNanos = Math.min(MAX_RECHECK_NANOS, ttl.toNanos() / 5);
        this.idPrefix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        this.scheduler = ctx.scheduler();
    }

    /**
     * Subscribes to this client's channel (blocking, once, at connect; handoffs arrive through
     * {@link #onHandoff}) and starts the re-check timer.
     */
    void start() {
        connection.pubsub.sync().subscribe(RedisCodec.bytes(Keys.clientChannel(ctx.clientId())));
        onScheduler(() -> scheduleRecheck(recheckNanos));
    }

    private long now() {
        return ctx.ticker().read();
    }

    // ------------------------------------------------------------------ acquire

    PendingAcquire acquire(AcquireRequest request, GrantSink<Grant> sink) {
        if (connection.closed()) {
            throw connection.closedException();
        }
        Request r =
                new Request(
                        request,
                        connection.lockKeys(Keys.family(request.kind()), request.name()),
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
        String id = newId();
        Waiter w = new Waiter(id, r, r.keys);
        long seq = seqs.incrementAndGet();
        r.latest.set(w);
        waiters.put(id, w);
        long sentAt = now();
        w.sent.put(seq, sentAt);
        scripts.acquire
                .<List<Object>>run(
                        redis,
                        ScriptOutputType.MULTI,
                        w.owner.keys,
                        RedisCodec.acquireArgs(
                                Keys.family(request.kind()),
                                RedisCodec.bytes(id),
                                clientId,
                                ttlMillis,
                                RedisCodec.decimal(seq),
                                requestShape(request)))
                .whenComplete((reply, error) -> onAcquired(w, seq, reply, error));
        w.dispatched = true;
        if (r.withdrawn) {
            withdraw(w);
        }
    }

    private String newId() {
        return idPrefix + ":" + ids.incrementAndGet();
    }

    private void onAcquired(Waiter w, long seq, List<Object> reply, Throwable error) {
        if (error != null) {
            // The script may have run (only its answer was lost): withdraw the entry, then report.
            withdraw(w);
            w.owner.sink.failed(
                    RedisConnection.unavailable(
                            "acquire \"" + w.owner.request.name() + "\"", error));
            return;
        }
        long status = (Long) reply.get(0);
        if (status == 1) {
            grantTo(w, RedisCodec.integer(reply.get(1)), seq);
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
                                    + w.owner.request.name()
                                    + "\" has "
                                    + reply.get(1)
                                    + " permits in the engine, but this handle was made with "
                                    + w.owner.request.limit()));
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
                new Grant(
                        w.id,
                        w.owner.request.name(),
                        Keys.family(w.owner.request.kind()),
                        w.owner.keys));
    }

    /** Sends the removal of a waiter's entry; null if the connection is closed. Never blocks. */
    private CompletionStage<Long> withdraw(Waiter w) {
        waiters.remove(w.id, w);
        if (connection.closed()) {
            return null;
        }
        CompletionStage<Long> sent = sendRelease(w);
        sent.whenComplete(
                (r, e) -> {
                    if (e != null) {
                        log.debug(
                                "withdrawal of {} failed; the entry expires with its"
                                        + " liveness bound: {}",
                                w.id,
                                e.toString());
                    }
                });
        return sent;
    }

    /**
     * One {@code release.lua} of a waiter's entry: it leaves the queue (or its grant goes); a
     * monitor waiter leaves its condition's wait queue if it is still there.
     */
    private CompletionStage<Long> sendRelease(Waiter w) {
        return scripts.release.run(
                redis,
                ScriptOutputType.INTEGER,
                w.keys,
                RedisCodec.lockArgs(Keys.family(w.owner.request.kind()), w.id));
    }

    /**
     * A handoff on our client channel ({@link RedisCodec.Handoff}): another client's release
     * granted one of our entries. Pub/sub I/O thread.
     */
    void onHandoff(byte[] message) {
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

    // ------------------------------------------------------------------ monitor conditions

    /**
     * A monitor waiter ({@link #await}): a request whose first entry starts in a condition's wait
     * queue, under the id it keeps when a signal or {@link #timeUp} moves it to the tail of the
     * monitor's entry queue. So its grant arrives as any waiter's does: a handoff message, a
     * re-check's reply, or here, timeUp's own reply. If the engine drops it, it queues again in the
     * entry queue ({@link #requeue}).
     */
    private final class AwaitRequest extends Request implements PendingAwait {
        AwaitRequest(AcquireRequest reentry, byte[][] keys, GrantSink<Grant> sink) {
            super(reentry, keys, sink);
        }

        /**
         * One {@code monitor_time_up.lua}, waited for on the caller's thread (bounded by the TTL)
         * and not ended by an interrupt, as the await's first step: whether the waiter was moved,
         * and maybe granted, must be known whatever the caller does next. An interrupt stays set,
         * so the caller's next wait (for the re-entry) ends at once and withdraws the entry or
         * releases its grant. A waiter queued again after the engine dropped it is in the entry
         * queue already: no request.
         */
        @Override
        public boolean timeUp() {
            Waiter w = latest.get();
            if (w == null || !w.mayBeInCondition()) {
                return false;
            }
            List<Object> reply =
                    connection.awaitOutcome(
                            scripts.monitorTimeUp.<List<Object>>run(
                                    redis,
                                    ScriptOutputType.MULTI,
                                    w.keys,
                                    RedisCodec.lockArgs(LeaseKind.MONITOR, w.id)),
                            "time-up of a waiter of monitor \"" + request.name() + "\"");
            long status = (Long) reply.get(0);
            if (status == 1) {
                grantTo(w, (Long) reply.get(1), (Long) reply.get(2));
                return true;
            }
            if (status == 2) {
                hint((Long) reply.get(1));
                return true;
            }
            return false;
        }
    }

    /**
     * Monitor wait: one {@code monitor_await.lua} removes {@code holder} (handing the monitor on)
     * and appends the waiter to the condition's wait queue, atomically; waited for on the caller's
     * thread, bounded by the TTL, and not ended by an interrupt. The waiter is registered before
     * the script is sent (a signal and a release by others may hand it the monitor before the reply
     * arrives), but the re-check leaves it alone until the reply said it was queued.
     *
     * @throws NotHolderException if the engine does not have {@code holder} as the monitor's
     *     current holder (nothing changed)
     */
    PendingAwait await(
            Grant holder, String condition, AcquireRequest reentry, GrantSink<Grant> sink) {
        if (connection.closed()) {
            throw connection.closedException();
        }
        String monitor = reentry.name();
        if (holder != null && !isMonitorGrant(holder, monitor)) {
            throw notHolder(holder, monitor);
        }
        AwaitRequest r =
                new AwaitRequest(reentry, connection.lockKeys(LeaseKind.MONITOR, monitor), sink);
        Waiter w =
                new Waiter(
                        newId(),
                        r,
                        Keys.monitorWithCondition(connection.namespace, monitor, condition));
        long seq = seqs.incrementAndGet();
        r.latest.set(w);
        waiters.put(w.id, w);
        w.sent.put(seq, now());
        CompletionStage<Long> sent =
                scripts.monitorAwait.run(
                        redis,
                        ScriptOutputType.INTEGER,
                        w.keys,
                        RedisCodec.lockArgs(
                                LeaseKind.MONITOR,
                                holder == null ? "" : holder.id(),
                                w.id,
                                ctx.clientId(),
                                String.valueOf(ttl.toMillis()),
                                String.valueOf(livenessMillis),
                                String.valueOf(seq)));
        long answer;
        try {
            // Not ended by an interrupt: the answer says whether the monitor was given up, which
            // the core must know; a kept interrupt then ends the wait for the re-entry (the core
            // withdraws this waiter), as an interrupt at any later point does.
            answer =
                    connection.awaitOutcome(
                            sent,
                            "await on condition \""
                                    + condition
                                    + "\" of monitor \""
                                    + monitor
                                    + "\"");
        } catch (RuntimeException e) {
            // Whether the script ran is unknown: remove the waiter in case it did.
            r.withdrawn = true;
            withdraw(w);
            throw e;
        }
        if (answer == 0) {
            waiters.remove(w.id, w);
            throw notHolder(holder, monitor);
        }
        w.dispatched = true;
        return r;
    }

    /**
     * Monitor signal: one {@code monitor_signal.lua}, which checks {@code holder} against the
     * engine's current holder and moves the longest live waiter (or all) to the tail of the entry
     * queue. Caller's thread, bounded by the TTL.
     *
     * @throws NotHolderException if the engine does not have {@code holder} as the monitor's
     *     current holder (nothing changed)
     */
    int signal(Grant holder, String monitor, String condition, boolean all) {
        if (!isMonitorGrant(holder, monitor)) {
            throw notHolder(holder, monitor);
        }
        long moved =
                connection.await(
                        scripts.monitorSignal.<Long>run(
                                redis,
                                ScriptOutputType.INTEGER,
                                Keys.monitorWithCondition(connection.namespace, monitor, condition),
                                RedisCodec.lockArgs(
                                        LeaseKind.MONITOR, holder.id(), all ? "1" : "0")),
                        "signal on condition \"" + condition + "\" of monitor \"" + monitor + "\"");
        if (moved < 0) {
            throw notHolder(holder, monitor);
        }
        return (int) moved;
    }

    private static boolean isMonitorGrant(Grant g, String monitor) {
        return g.family() == LeaseKind.MONITOR && g.name().equals(monitor);
    }

    private static NotHolderException notHolder(Grant g, String monitor) {
        return new NotHolderException(
                "entry " + g.id() + " is not the current holder of monitor \"" + monitor + "\"");
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
                if (!w.dispatched) {
                    continue; // its entry may not exist yet; the next round refreshes it
                }
                w.sent.put(seq, sentAt);
                scripts.waitCheck
                        .<List<Object>>run(
                                redis,
                                ScriptOutputType.MULTI,
                                w.keys,
                                RedisCodec.lockArgs(
                                        Keys.family(w.owner.request.kind()),
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
        } else if (status == 3) {
            // Still in its condition's wait queue, whose record now counts from this request.
            w.sent.headMap(seq).clear();
        } else if (waiters.remove(w.id, w)) {
            requeue(w);
        }
    }

    /**
     * The engine dropped a waiting entry, not having heard this client within its liveness bound
     * (the client stalled, or the connection did), or lost it in a restart. The client is alive
     * now, and the caller still waits: queue again, at the back, with a new id (a late message
     * about the old entry then finds nothing). Never granted meanwhile: a grant would have removed
     * the entry from {@link #waiters} first. A monitor waiter dropped from its condition's wait
     * queue (or from the entry queue, after a signal moved it there) queues at the back of the
     * monitor's entry queue: an early wake-up, which Mesa semantics allow (the woken waiter
     * re-checks its condition); it can no longer be signalled, having been counted as dead.
     */
    private void requeue(Waiter w) {
        if (connection.closed() || w.owner.withdrawn) {
            return; // the caller gave up; its withdrawal ran
        }
        log.info(
                "the engine dropped the queue entry {} for \"{}\" (not heard within {} ms, or"
                        + " restarted); queueing again",
                w.id,
                w.owner.request.name(),
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

    /** Removes one grant by its entry id, handing the lock on. Blocks its caller. */
    void release(Grant g) {
        if (connection.closed()) {
            return;
        }
        connection.await(
                scripts.release.<Long>run(
                        redis,
                        ScriptOutputType.INTEGER,
                        g.keys(),
                        RedisCodec.lockArgs(g.family(), g.id())),
                "release \"" + g.name() + "\"");
    }

    /**
     * One {@code renew.lua} per {@value #RENEW_BATCH} grants, all sent at once: per grant its E and
     * H keys, its id, and whether its family keeps its single holder in E. Never blocks.
     */
    CompletionStage<List<Renewal>> renew(List<Grant> grants) {
        List<CompletableFuture<List<Object>>> batches = new ArrayList<>();
        for (int from = 0; from < grants.size(); from += RENEW_BATCH) {
            List<Grant> batch = grants.subList(from, Math.min(grants.size(), from + RENEW_BATCH));
            byte[][] keys = new byte[batch.size() * 2][];
            byte[][] args = new byte[batch.size() * 2 + 1][];
            args[0] = ttlMillis;
            for (int i = 0; i < batch.size(); i++) {
                Grant g = batch.get(i);
                keys[2 * i] = g.keys()[0];
                keys[2 * i + 1] = g.keys()[3];
                args[2 * i + 1] = RedisCodec.bytes(g.id());
                args[2 * i + 2] = RedisCodec.decimal(Keys.singleHolder(g.family()) ? 1 : 0);
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

    // ------------------------------------------------------------------ close

    /**
     * Closing, step 1, on the closing thread before the connection is marked closed: withdraws
     * every waiting entry at once, so that nothing of this client stays queued. The caller then
     * marks the connection closed, waits a bounded time for the withdrawals ({@link
     * Closing#awaitWithdrawals}), stops the timer ({@link #stopRechecks}), shuts the connection
     * down and fails the waiting requests ({@link Closing#failWaiting}).
     */
    Closing withdrawAll() {
        List<CompletableFuture<?>> withdrawals = new ArrayList<>();
        List<Waiter> pending = List.copyOf(waiters.values());
        for (Waiter w : pending) {
            waiters.remove(w.id, w);
            withdrawals.add(sendRelease(w).toCompletableFuture());
        }
        return new Closing(pending, withdrawals);
    }

    /** The requests that were waiting when the client closed, and their withdrawals. */
    final class Closing {
        private final List<Waiter> pending;
        private final List<CompletableFuture<?>> withdrawals;

        private Closing(List<Waiter> pending, List<CompletableFuture<?>> withdrawals) {
            this.pending = pending;
            this.withdrawals = withdrawals;
        }

        /** Waits for the withdrawals at most {@code timeout}; one not answered by then expires. */
        void awaitWithdrawals(long timeout, TimeUnit unit) {
            try {
                CompletableFuture.allOf(withdrawals.toArray(CompletableFuture[]::new))
                        .get(timeout, unit);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.debug("withdrawals at close incomplete: {}", e.toString());
            }
        }

        /** Fails whatever was still waiting (its entries were withdrawn, or expire). */
        void failWaiting() {
            for (Waiter w : pending) {
                w.owner.sink.failed(connection.closedException());
            }
        }
    }

    /** Cancels the pending re-check (on the scheduler thread, which owns it). */
    void stopRechecks() {
        onScheduler(
                () -> {
                    if (nextRecheck != null) {
                        nextRecheck.cancel(false);
                    }
                });
    }

    /**
     * {@link RedisCodec#requestShape} of the request; one permit of one (mutexes, leadership,
     * monitors, read and write locks) encoded once per kind.
     */
    private byte[] requestShape(AcquireRequest r) {
        if (r.permits() == 1 && r.limit() == 1) {
            return shapes[r.kind().ordinal() * 2 + (r.tryOnce() ? 1 : 0)];
        }
        return RedisCodec.requestShape(
                r.kind(), r.permits(), r.limit(), r.tryOnce(), livenessMillis);
    }
}
