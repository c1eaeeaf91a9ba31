package dev.baton.mem;

import dev.baton.BackendUnavailableException;
import dev.baton.BatonConfig;
import dev.baton.InvalidArgumentException;
import dev.baton.LeaseKind;
import dev.baton.LockSnapshot;
import dev.baton.Names;
import dev.baton.Versioned;
import dev.baton.WatchEvent;
import dev.baton.mem.MemQueues.CondWaiter;
import dev.baton.mem.MemQueues.Entry;
import dev.baton.mem.MemSession.Client;
import dev.baton.mem.MemSession.State;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.GrantSink;
import dev.baton.spi.NotAcquiredException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory coordination engine in this JVM: the whole Baton contract (FIFO queues with fencing
 * tokens, sessions that expire, versioned keys, watches) with the same semantics as a real engine,
 * for tests, examples and teaching. Clients reach it with the URI {@code mem} (the {@link #DEFAULT
 * default} engine) or {@code mem:name}; every client connecting to the same name contends with the
 * others.
 *
 * <p>Tests can inject faults: {@link #partition} cuts a client off (its requests fail with {@link
 * BackendUnavailableException} and the engine stops hearing it, so its session expires after its
 * TTL), {@link #heal} reconnects it, {@link #expire} ends its session (at once if the engine can
 * reach the client, otherwise once its TTL has passed unheard: see there).
 *
 * <p><b>The engine lock.</b> One monitor ({@code lock}) guards all engine state: the sessions
 * ({@link MemSession}) and partitions, kept here, and the state of the helpers, which have no lock
 * of their own and run only under this one: the lock queues and the token counter ({@link
 * MemQueues}), the keys ({@link MemKeyValue}) and the watches ({@link MemWatches}). Every operation
 * is one critical section (a session expiry is two, see below), so the engine is linearizable.
 * Invariants:
 *
 * <ul>
 *   <li>Nothing that can reach user code or a client's lease runs under the lock. Grants found
 *       during a state change, and waiters dropped by it, are collected in an {@link Outbox} and
 *       handed to the owning clients after the lock is released, by the thread that made the
 *       change. A client only enqueues the grant on its own event thread there ({@link
 *       Client#granted}), so no user future completes on an engine thread or under the lock, and a
 *       release that triggers a grant cannot deadlock with the grantee.
 *   <li>The one exception is watch sinks: they are called under the lock so that every subscription
 *       sees the engine's order. Sinks never block, never call back into the engine and never run
 *       listener code, so the lock order is always engine lock → subscription monitor, never the
 *       reverse; a sink that throws is logged and skipped ({@link MemWatches}).
 *   <li>The queues' own ({@link MemQueues}, which states them in full): each queue is saturated
 *       after every operation, so appending affects only the new entry; tokens, assigned when an
 *       entry is created, never decrease within the JVM, not even across {@link #reset}; a
 *       semaphore queue's size is fixed by the entry that creates it.
 *   <li>At most one live session (ACTIVE or EXPIRING) per client id: {@link #open} rejects a second
 *       one instead of overwriting the first.
 *   <li>A session expires when unheard for its TTL. Expiry first marks the session dead (its
 *       waiters can no longer be granted; its grants keep blocking), then tells the client
 *       synchronously, outside the lock, and only then removes its entries and grants the next
 *       waiters: a client the engine can reach hears of the loss before anybody else can be
 *       granted. A partitioned client is not told (the message could not reach it): its own lease
 *       deadlines, which precede the expiry, must have fired already. That is why an unreachable
 *       session only ever expires after its TTL unheard, even when {@link #expire} asks for it.
 *   <li>An expired session is never reopened. The client's next request that reaches the engine
 *       fails with {@link SessionExpiredException} (ZooKeeper reports {@code Expired} on
 *       reconnect), and the client then {@link #reopen opens} a new session.
 *   <li>A grant to a waiting client carries the send time of that client's last request the engine
 *       heard ({@code lastSentAt}), never "now": that time precedes the receipt from which the
 *       session's expiry is counted, so the client's lease deadline never exceeds the engine's
 *       expiry. A grant to a partitioned client is kept back until the engine hears from it again.
 * </ul>
 */
public final class MemEngine {
    private static final Logger log = LoggerFactory.getLogger(MemEngine.class);

    /** Name of the engine that the bare URI {@code mem} reaches. */
    public static final String DEFAULT = "default";

    private static final String EXPIRED_ON_REQUEST = "expired by the engine on request";

    /** How often sessions are checked for expiry. */
    static final long SWEEP_MILLIS = 50;

    private static final Map<String, MemEngine> ENGINES = new ConcurrentHashMap<>();

    /** One daemon thread checks session expiry for every engine of the JVM. */
    private static final class Sweeper {
        static final ScheduledExecutorService EXECUTOR =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "baton-mem-sweeper");
                            t.setDaemon(true);
                            return t;
                        });
    }

    private final String name;
    private final Object lock = new Object();
    private final ScheduledFuture<?> sweep;

    // ---- guarded by lock, like all the state of the helpers below ----
    private final Map<String, MemSession> sessions = new LinkedHashMap<>();
    private final Set<String> partitioned = new HashSet<>();
    private boolean destroyed;

    private final MemWatches watches;
    private final MemQueues queues;
    private final MemKeyValue keyValue;

    private MemEngine(String name) {
        this.name = name;
        this.watches = new MemWatches(name, partitioned::contains);
        this.queues = new MemQueues(watches);
        this.keyValue = new MemKeyValue(watches);
        this.sweep =
                Sweeper.EXECUTOR.scheduleWithFixedDelay(
                        this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The engine of that name in this JVM, created on first use. */
    public static MemEngine named(String name) {
        Names.validate(name);
        return ENGINES.computeIfAbsent(name, MemEngine::new);
    }

    /** The engine that the bare URI {@code mem} reaches. */
    public static MemEngine defaultEngine() {
        return named(DEFAULT);
    }

    /**
     * Destroys the engine of that name, if any: every session connected to it expires (its clients
     * are told), and its state is dropped. Later requests of those clients fail with {@link
     * BackendUnavailableException}; new connections get a fresh engine. For tests.
     */
    public static void reset(String name) {
        MemEngine engine = ENGINES.remove(name);
        if (engine != null) {
            engine.destroy();
        }
    }

    /** This engine's name. */
    public String name() {
        return name;
    }

    // ------------------------------------------------------------------ faults

    /**
     * Cuts a client off: its requests fail with {@link BackendUnavailableException} (renewals,
     * acquires, reads), grants to it are held back, and the engine stops hearing it, so its session
     * expires after its TTL unless {@link #heal healed} first. The client itself is not told.
     */
    public void partition(String clientId) {
        Objects.requireNonNull(clientId, "clientId");
        synchronized (lock) {
            partitioned.add(clientId);
        }
        log.info("mem engine {}: partitioned client {}", name, clientId);
    }

    /**
     * Reconnects a partitioned client; its next request is heard again. An {@link #expire} asked
     * for during the partition and not yet taken effect takes effect now, the client told first.
     */
    public void heal(String clientId) {
        Objects.requireNonNull(clientId, "clientId");
        MemSession pending;
        synchronized (lock) {
            partitioned.remove(clientId);
            MemSession s = sessions.get(clientId);
            pending = s != null && s.expiryRequested && s.state == State.ACTIVE ? s : null;
        }
        log.info("mem engine {}: healed client {}", name, clientId);
        if (pending != null) {
            expireSession(pending, EXPIRED_ON_REQUEST);
        }
    }

    /**
     * Ends a client's session, as a real engine does with a session it decided to drop.
     *
     * <p>If the engine can reach the client, the session ends now: the client is told before its
     * grants go to anybody else. If the client is {@link #partition partitioned}, the engine could
     * not tell it, and the client's leases stay valid until their own deadlines (the client's last
     * confirmed send + TTL − its safety margin, which the engine cannot know). So the rule is that
     * of natural expiry: the session of an unreachable client ends only once its TTL has passed
     * since the engine last heard it, which is never earlier than any of those deadlines. If the
     * client is {@link #heal healed} before then, the pending expiry takes effect at the heal, with
     * the client told first.
     */
    public void expire(String clientId) {
        MemSession s;
        boolean now;
        synchronized (lock) {
            s = sessions.get(clientId);
            if (s == null || s.state != State.ACTIVE) {
                return;
            }
            now = !partitioned.contains(clientId);
            if (!now) {
                s.expiryRequested = true; // the sweeper expires it once its TTL passed unheard
            }
        }
        if (now) {
            expireSession(s, EXPIRED_ON_REQUEST);
        } else {
            log.info(
                    "mem engine {}: client {} is cut off; its session expires when its TTL has"
                            + " passed unheard",
                    name,
                    clientId);
        }
    }

    /**
     * Raw entries of the queue where {@code kind} lives for {@code name} in {@code namespace} (READ
     * and WRITE share one queue), oldest first: {@code "<token> <kind> <clientId> held|waiting"}.
     */
    public List<String> entries(String namespace, LeaseKind kind, String name) {
        synchronized (lock) {
            return queues.describe(namespace, kind, name);
        }
    }

    /** {@link #entries(String, LeaseKind, String)} in the default namespace. */
    public List<String> entries(LeaseKind kind, String name) {
        return entries(BatonConfig.DEFAULT_NAMESPACE, kind, name);
    }

    /** Client ids with a live session, in connection order. */
    public List<String> clients() {
        synchronized (lock) {
            List<String> out = new ArrayList<>();
            for (MemSession s : sessions.values()) {
                if (s.state == State.ACTIVE) {
                    out.add(s.clientId);
                }
            }
            return out;
        }
    }

    /** Whether the calling thread holds the engine lock; for tests of what runs under it. */
    boolean lockHeldByCurrentThread() {
        return Thread.holdsLock(lock);
    }

    @Override
    public String toString() {
        return "MemEngine{" + name + "}";
    }

    // ------------------------------------------------------------------ sessions

    /**
     * Opens a session for {@code clientId}.
     *
     * @throws BackendUnavailableException if the engine was reset, or if {@code clientId} already
     *     has a live session here (it is never overwritten: that would orphan the other client's
     *     grants; connecting again draws a new client id)
     */
    MemSession open(String clientId, String namespace, long ttlNanos, long sentAt, Client client) {
        synchronized (lock) {
            checkAlive();
            checkNoLiveSession(clientId);
            MemSession s = new MemSession(clientId, namespace, ttlNanos, client, sentAt);
            sessions.put(clientId, s);
            return s;
        }
    }

    private void checkNoLiveSession(String clientId) {
        if (sessions.containsKey(clientId)) {
            throw new BackendUnavailableException(
                    ("mem engine \"%s\" already has a live session for client id %s; refusing to"
                                    + " replace it (connect again for a new id)")
                            .formatted(name, clientId));
        }
    }

    /**
     * Opens a new session for the client of {@code expired}, after that client was told of the
     * expiry (by {@link SessionExpiredException} or {@link Client#sessionExpired}). The watches of
     * the expired session move to the new one; those that missed events get a RESYNC.
     *
     * @throws IllegalStateException if {@code expired} has not expired
     * @throws BackendUnavailableException if the client is cut off or the engine was reset
     */
    MemSession reopen(MemSession expired, long sentAt) {
        Outbox out = new Outbox();
        MemSession s;
        synchronized (lock) {
            if (expired.state != State.EXPIRED) {
                throw new IllegalStateException(
                        "session of " + expired.clientId + " is " + expired.state);
            }
            checkAlive();
            checkReachable(expired.clientId);
            checkNoLiveSession(expired.clientId);
            s = expired.successor(sentAt);
            sessions.put(s.clientId, s);
            watches.move(expired, s);
            hear(s, sentAt, out);
        }
        log.info("mem engine {}: client {} opened a new session", name, s.clientId);
        out.run();
        return s;
    }

    private void checkReachable(String clientId) {
        if (partitioned.contains(clientId)) {
            throw new BackendUnavailableException(
                    "mem engine \"%s\" is unreachable from client %s (partitioned)"
                            .formatted(name, clientId));
        }
    }

    /**
     * Hears a request of {@code s} sent at {@code sentAt}, or throws if it cannot reach the engine.
     * Delivers grants kept back by a partition, and resyncs watches that missed events. Called
     * under the lock at the start of every client request.
     *
     * @throws SessionExpiredException if {@code s} expired: it is never reopened (the client was
     *     possibly not told, and must learn of the loss before it carries on); the client opens a
     *     new session with {@link #reopen}
     */
    private void hear(MemSession s, long sentAt, Outbox out) {
        checkAlive();
        if (s.state == State.CLOSED) {
            throw new BackendUnavailableException("client " + s.clientId + " is disconnected");
        }
        checkReachable(s.clientId);
        if (s.state == State.EXPIRING) {
            throw new BackendUnavailableException("the session of " + s.clientId + " is expiring");
        }
        if (s.state == State.EXPIRED) {
            throw new SessionExpiredException(
                    "the mem engine session of client %s expired: %s"
                            .formatted(s.clientId, s.expiryDetail));
        }
        s.heard(sentAt);
        for (Entry e : s.deferred) {
            if (e.granted && queues.contains(e)) {
                deliver(e, out);
            }
        }
        s.deferred.clear();
        watches.resync(s);
    }

    /**
     * Runs one client request: hears {@code s} and runs {@code body} in one critical section, then,
     * after the lock and even if {@code body} threw, the work for clients that both collected.
     */
    private <T> T request(MemSession s, long sentAt, Function<Outbox, T> body) {
        Outbox out = new Outbox();
        try {
            synchronized (lock) {
                hear(s, sentAt, out);
                return body.apply(out);
            }
        } finally {
            out.run(); // hearing may have released grants kept back by a partition
        }
    }

    /** A keep-alive: proves the session alive (the caller then confirms its leases). */
    void heartbeat(MemSession s, long sentAt) {
        request(s, sentAt, out -> null);
    }

    /** Disconnects: removes every entry and watch of the session, whatever the partition state. */
    List<Entry> close(MemSession s) {
        Outbox out = new Outbox();
        List<Entry> dropped = new ArrayList<>();
        synchronized (lock) {
            if (s.state != State.CLOSED) {
                end(s, State.CLOSED, dropped, new ArrayList<>(), out);
            }
        }
        out.run();
        return dropped;
    }

    private void sweep() {
        List<MemSession> due = new ArrayList<>();
        long now = System.nanoTime();
        synchronized (lock) {
            for (MemSession s : sessions.values()) {
                if (s.state == State.ACTIVE
                        && (now - s.lastHeardNanos > s.ttlNanos
                                || (s.expiryRequested && !partitioned.contains(s.clientId)))) {
                    due.add(s);
                }
            }
        }
        for (MemSession s : due) {
            expireSession(
                    s,
                    (s.expiryRequested ? EXPIRED_ON_REQUEST + ", then " : "")
                            + "not heard from for more than the session timeout of "
                            + TimeUnit.NANOSECONDS.toMillis(s.ttlNanos)
                            + " ms");
        }
    }

    /**
     * Ends a session in three steps: mark it (under the lock), tell the client (outside it), then
     * remove its entries and grant the next waiters (under it). Between the first and the last step
     * the session's grants still block others, so the holder is told before anyone is granted.
     */
    private void expireSession(MemSession s, String detail) {
        boolean reachable;
        synchronized (lock) {
            if (s.state != State.ACTIVE) {
                return;
            }
            s.startExpiry(detail);
            reachable = !partitioned.contains(s.clientId);
        }
        log.info("mem engine {}: session of {} expired: {}", name, s.clientId, detail);
        if (reachable) {
            try {
                s.client.sessionExpired(detail);
            } catch (RuntimeException e) {
                log.warn(
                        "mem engine {}: client {} failed to take its session expiry",
                        name,
                        s.clientId,
                        e);
            }
        }
        // A cut-off client cannot hear the expiry, exactly as over a real network: it must have
        // declared its leases lost by their own deadlines already, which the contract suite checks.
        Outbox out = new Outbox();
        List<Entry> dropped = new ArrayList<>();
        List<CondWaiter> droppedWaiters = new ArrayList<>();
        synchronized (lock) {
            if (s.state != State.EXPIRING) {
                return; // closed or destroyed meanwhile: entries are gone already
            }
            end(s, State.EXPIRED, dropped, droppedWaiters, out);
        }
        out.run();
        if (!dropped.isEmpty() || !droppedWaiters.isEmpty()) {
            s.client.waitersDropped(dropped, droppedWaiters, "the session expired: " + detail);
        }
    }

    /**
     * The last step of a close or an expiry, under the lock: the session leaves the engine with its
     * entries (its waiters collected in {@code dropped}), and the next waiters are granted. A
     * closed session's watches end; an expired one's wait for the client's new session.
     */
    private void end(
            MemSession s,
            State state,
            List<Entry> dropped,
            List<CondWaiter> droppedWaiters,
            Outbox out) {
        s.state = state;
        s.deferred.clear();
        if (sessions.get(s.clientId) == s) {
            sessions.remove(s.clientId);
        }
        if (state == State.CLOSED) {
            watches.removeAllOf(s);
        }
        queues.removeAllOf(s, dropped, droppedWaiters, e -> deliver(e, out));
    }

    private void destroy() {
        sweep.cancel(false);
        List<MemSession> all;
        synchronized (lock) {
            all = new ArrayList<>(sessions.values());
        }
        for (MemSession s : all) {
            expireSession(s, "the engine was reset");
        }
        synchronized (lock) {
            destroyed = true;
            queues.clear();
            sessions.clear();
            keyValue.clear();
            watches.clear();
        }
    }

    private void checkAlive() {
        if (destroyed) {
            throw new BackendUnavailableException("mem engine \"" + name + "\" was reset");
        }
    }

    /**
     * Hands a grant to its client after the lock, or keeps it back while the client is cut off.
     * Under the lock.
     */
    private void deliver(Entry e, Outbox out) {
        MemSession s = e.session;
        if (partitioned.contains(s.clientId)) {
            s.deferred.add(e);
            return;
        }
        long sentAt = s.lastSentAt;
        out.add(() -> s.client.granted(e, sentAt));
    }

    // ------------------------------------------------------------------ requests

    /**
     * Creates a queue entry for {@code r}, with the next token ({@link MemQueues#append}, which
     * also says when nothing is created or left: {@link NotAcquiredException}, {@link
     * InvalidArgumentException}).
     *
     * @return the entry, granted or waiting; the caller reports to {@code sink} itself if it was
     *     granted at once, otherwise the engine hands the grant to the client later
     * @throws BackendUnavailableException if the client is cut off (nothing is created)
     */
    Entry enqueue(MemSession s, long sentAt, AcquireRequest r, GrantSink<Entry> sink) {
        return request(s, sentAt, out -> queues.append(s, r, sink, e -> deliver(e, out)));
    }

    /**
     * Removes {@code e} (a waiter that gave up, or a grant being released), granting the next
     * waiters; an entry already removed (released, expired) is a no-op. Never touches another.
     *
     * @return whether the entry was still in the engine
     */
    boolean remove(MemSession s, long sentAt, Entry e) {
        return request(s, sentAt, out -> queues.remove(e, g -> deliver(g, out)));
    }

    /**
     * Monitor wait ({@link MemQueues#await}): gives up {@code holder} and joins the condition's
     * wait queue in one critical section.
     */
    CondWaiter await(
            MemSession s,
            long sentAt,
            Entry holder,
            String condition,
            AcquireRequest reentry,
            GrantSink<Entry> sink) {
        return request(
                s,
                sentAt,
                out -> queues.await(s, holder, condition, reentry, sink, e -> deliver(e, out)));
    }

    /** Monitor signal ({@link MemQueues#signal}). */
    int signal(
            MemSession s,
            long sentAt,
            Entry holder,
            String monitor,
            String condition,
            boolean all) {
        return request(
                s,
                sentAt,
                out -> queues.signal(s, holder, monitor, condition, all, e -> deliver(e, out)));
    }

    /** A waiter's time is up ({@link MemQueues#timeUp}). */
    boolean timeUp(MemSession s, long sentAt, CondWaiter w) {
        return request(s, sentAt, out -> queues.timeUp(w, e -> deliver(e, out)));
    }

    /** A waiter gave up: it leaves whichever queue it is in. */
    void withdraw(MemSession s, long sentAt, CondWaiter w) {
        request(
                s,
                sentAt,
                out -> {
                    queues.withdraw(w, e -> deliver(e, out));
                    return null;
                });
    }

    /** The waiters of a monitor condition in the default namespace, for residue checks. */
    public List<String> conditionWaiters(String monitor, String condition) {
        synchronized (lock) {
            return queues.describeCondition(BatonConfig.DEFAULT_NAMESPACE, monitor, condition);
        }
    }

    /**
     * A renewal: hears the session and reports which of the given grants it no longer holds.
     *
     * @return the entries not (or no longer) granted to this session
     */
    Set<Entry> renew(MemSession s, long sentAt, List<Entry> held) {
        return request(s, sentAt, out -> queues.notHeldBy(s, held));
    }

    Optional<LockSnapshot> inspect(MemSession s, long sentAt, String lockName) {
        return request(s, sentAt, out -> queues.snapshot(s.namespace, lockName));
    }

    List<LockSnapshot> locks(MemSession s, long sentAt, String prefix) {
        return request(s, sentAt, out -> queues.snapshots(s.namespace, prefix));
    }

    Optional<Versioned> get(MemSession s, long sentAt, String key) {
        return request(s, sentAt, out -> keyValue.get(s.namespace, key));
    }

    Versioned put(MemSession s, long sentAt, String key, byte[] value) {
        return request(s, sentAt, out -> keyValue.put(s.namespace, key, value));
    }

    Optional<Versioned> compareAndSet(
            MemSession s, long sentAt, String key, long expectedVersion, byte[] value) {
        return request(
                s, sentAt, out -> keyValue.compareAndSet(s.namespace, key, expectedVersion, value));
    }

    boolean delete(MemSession s, long sentAt, String key, long expectedVersion) {
        return request(s, sentAt, out -> keyValue.delete(s.namespace, key, expectedVersion));
    }

    List<String> keys(MemSession s, long sentAt, String prefix) {
        return request(s, sentAt, out -> keyValue.keys(s.namespace, prefix));
    }

    /** Starts a watch; closing the returned handle ends it. */
    AutoCloseable watch(MemSession s, long sentAt, String prefix, Consumer<WatchEvent> sink) {
        MemWatches.Watch w = request(s, sentAt, out -> watches.add(s, prefix, sink));
        return () -> {
            synchronized (lock) {
                watches.remove(w);
            }
        };
    }
}
