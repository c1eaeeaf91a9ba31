package dev.baton.mem;

import dev.baton.BackendUnavailableException;
import dev.baton.BatonConfig;
import dev.baton.InvalidArgumentException;
import dev.baton.LeaseKind;
import dev.baton.LockSnapshot;
import dev.baton.Names;
import dev.baton.Versioned;
import dev.baton.WatchEvent;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.GrantRules;
import dev.baton.spi.GrantSink;
import dev.baton.spi.NotAcquiredException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
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
 * <p><b>The engine lock.</b> One monitor ({@code lock}) guards all engine state: queues, sessions,
 * keys, watches and the token counter. Every operation is one critical section (a session expiry is
 * two, see below), so the engine is linearizable. Invariants:
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
 *       listener code (they append to a bounded queue and hand draining to Baton's own callback
 *       pool), so the lock order is always engine lock → subscription monitor, never the reverse. A
 *       sink that throws anyway is logged and skipped: it cannot abort the engine operation halfway
 *       or deprive other subscriptions of the event.
 *   <li>After every operation each queue is saturated: no live entry that the grant rule admits is
 *       left ungranted. Appending an entry therefore affects only that entry, which is why a
 *       try-once request can be decided by appending and, if not granted, removing it again.
 *   <li>Tokens are assigned when an entry is created (like ZooKeeper's {@code czxid}), from one
 *       counter shared by every engine of the JVM ({@link #TOKENS}); since grants within a queue
 *       follow queue order for conflicting grants, tokens increase from grant to grant of a name,
 *       and they never decrease within the JVM, not even across {@link #reset} (a fresh engine
 *       under the same name continues above every token handed out before).
 *   <li>A semaphore queue's size is fixed by the entry that creates the queue; a request declaring
 *       another size while the queue exists is rejected, so that clients disagreeing about the size
 *       cannot oversubscribe it.
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

    /**
     * The fencing token counter of every engine of the JVM: tokens never decrease within the JVM,
     * even when an engine is reset and a fresh one takes its name. Incremented under the lock of
     * the engine that assigns the token.
     */
    private static final AtomicLong TOKENS = new AtomicLong();

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

    // ---- guarded by lock ----
    private final Map<QueueKey, List<Entry>> queues = new HashMap<>();
    private final Map<String, Session> sessions = new LinkedHashMap<>();
    private final Set<String> partitioned = new HashSet<>();
    private final Map<String, Versioned> values = new HashMap<>(); // by namespace-qualified key
    private final Map<String, Long> lastVersions = new HashMap<>(); // survives deletes: no ABA
    private final List<Watch> watches = new ArrayList<>();
    private boolean destroyed;

    private MemEngine(String name) {
        this.name = name;
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
        Session pending;
        synchronized (lock) {
            partitioned.remove(clientId);
            Session s = sessions.get(clientId);
            pending = s != null && s.expiryRequested && s.state == SessionState.ACTIVE ? s : null;
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
        Session s;
        boolean now;
        synchronized (lock) {
            s = sessions.get(clientId);
            if (s == null || s.state != SessionState.ACTIVE) {
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
            List<Entry> q = queues.get(new QueueKey(namespace, family(kind), name));
            List<String> out = new ArrayList<>();
            if (q != null) {
                for (Entry e : q) {
                    out.add(e.describe());
                }
            }
            return out;
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
            for (Session s : sessions.values()) {
                if (s.state == SessionState.ACTIVE) {
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

    // ------------------------------------------------------------------ client side

    /**
     * How the engine reaches a connected client. Every method is called outside the engine lock.
     */
    interface Client {
        /**
         * {@code entry} was granted; the request that proved it was sent at {@code sentAtNanos}.
         * Must not block: hand the work to the client's own thread.
         */
        void granted(Entry entry, long sentAtNanos);

        /**
         * The session ended; called synchronously before the session's grants are removed, and only
         * if the engine can reach the client. (A client cut off at expiry learns of it from {@link
         * SessionExpiredException} on its first request that reaches the engine again.)
         */
        void sessionExpired(String detail);

        /** Waiting entries removed by the engine (session expiry); their futures must fail. */
        void waitersDropped(List<Entry> entries, String why);
    }

    enum SessionState {
        ACTIVE,
        /** Expiry started: the client is being told; its waiters can no longer be granted. */
        EXPIRING,
        /**
         * Expired; requests of the session fail with {@link SessionExpiredException}, and the
         * client must {@link #reopen} a new session under the same id.
         */
        EXPIRED,
        CLOSED
    }

    /** One client's session. Fields other than the finals are guarded by the engine lock. */
    static final class Session {
        final String clientId;
        final String namespace;
        final long ttlNanos;
        final Client client;
        SessionState state = SessionState.ACTIVE;

        /** Bumped when the session expires; entries remember the value they were created under. */
        volatile int generation;

        long lastHeardNanos; // engine time (System.nanoTime) of the last request heard
        long lastSentAt; // client ticker reading: send time of the latest request heard
        boolean expiryRequested; // expire() while cut off: ends at TTL unheard, or at heal
        String expiryDetail; // why it expired, for the client that asks later
        final List<Entry> deferred = new ArrayList<>(); // grants held back by a partition

        Session(String clientId, String namespace, long ttlNanos, Client client) {
            this.clientId = clientId;
            this.namespace = namespace;
            this.ttlNanos = ttlNanos;
            this.client = client;
        }
    }

    /** One queue entry: a waiter or a grant. Mutable fields are guarded by the engine lock. */
    static final class Entry implements GrantRules.Queued {
        final Session session;
        final int generation;
        final String name;
        final LeaseKind kind;
        final int permits;
        final int limit;
        final long token;

        /** Where the client reports this entry's grant; the engine never calls it. */
        final GrantSink<Entry> sink;

        boolean granted;

        /**
         * Whether the entry was granted by its own enqueue. Written under the lock by the enqueuing
         * thread and read only by that thread afterwards, unlike {@link #granted}, which another
         * thread's release may set as soon as the lock is dropped (and then tells the client
         * itself, so the enqueuing thread must not report that grant again).
         */
        boolean grantedOnEnqueue;

        Instant grantedAt;

        Entry(Session session, AcquireRequest r, long token, GrantSink<Entry> sink) {
            this.session = session;
            this.generation = session.generation;
            this.name = r.name();
            this.kind = r.kind();
            this.permits = r.permits();
            this.limit = r.limit();
            this.token = token;
            this.sink = sink;
        }

        @Override
        public LeaseKind kind() {
            return kind;
        }

        @Override
        public int permits() {
            return permits;
        }

        String describe() {
            return token + " " + kind + " " + session.clientId + (granted ? " held" : " waiting");
        }

        @Override
        public String toString() {
            return "Entry{" + kind + " \"" + name + "\" " + describe() + "}";
        }
    }

    private record QueueKey(String namespace, LeaseKind family, String name) {}

    private static final class Watch {
        Session session; // moves to the client's new session on reopen
        final String prefix;
        final Consumer<WatchEvent> sink;
        boolean missed; // events skipped while partitioned: send a RESYNC when heard again

        Watch(Session session, String prefix, Consumer<WatchEvent> sink) {
            this.session = session;
            this.prefix = prefix;
            this.sink = sink;
        }
    }

    /**
     * Work for clients, collected under the lock and run after it is released, in order, by the
     * thread that made the change.
     */
    private static final class Outbox {
        private final List<Runnable> tasks = new ArrayList<>();

        void add(Runnable task) {
            tasks.add(task);
        }

        void run() {
            for (Runnable t : tasks) {
                try {
                    t.run();
                } catch (RuntimeException e) {
                    log.warn("mem engine: handing work to a client failed", e);
                }
            }
        }
    }

    // ------------------------------------------------------------------ sessions

    /**
     * Opens a session for {@code clientId}.
     *
     * @throws BackendUnavailableException if the engine was reset, or if {@code clientId} already
     *     has a live session here (it is never overwritten: that would orphan the other client's
     *     grants; connecting again draws a new client id)
     */
    Session open(String clientId, String namespace, long ttlNanos, long sentAt, Client client) {
        synchronized (lock) {
            checkAlive();
            checkNoLiveSession(clientId);
            Session s = new Session(clientId, namespace, ttlNanos, client);
            s.lastHeardNanos = System.nanoTime();
            s.lastSentAt = sentAt;
            sessions.put(clientId, s);
            return s;
        }
    }

    private void checkNoLiveSession(String clientId) {
        if (sessions.containsKey(clientId)) {
            throw new BackendUnavailableException(
                    "mem engine \""
                            + name
                            + "\" already has a live session for client id "
                            + clientId
                            + "; refusing to replace it (connect again for a new id)");
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
    Session reopen(Session expired, long sentAt) {
        Outbox out = new Outbox();
        Session s;
        synchronized (lock) {
            if (expired.state != SessionState.EXPIRED) {
                throw new IllegalStateException(
                        "session of " + expired.clientId + " is " + expired.state);
            }
            checkAlive();
            checkReachable(expired.clientId);
            checkNoLiveSession(expired.clientId);
            s = new Session(expired.clientId, expired.namespace, expired.ttlNanos, expired.client);
            s.lastSentAt = sentAt;
            sessions.put(s.clientId, s);
            for (Watch w : watches) {
                if (w.session == expired) {
                    w.session = s;
                }
            }
            hear(s, sentAt, out);
        }
        log.info("mem engine {}: client {} opened a new session", name, s.clientId);
        out.run();
        return s;
    }

    private void checkReachable(String clientId) {
        if (partitioned.contains(clientId)) {
            throw new BackendUnavailableException(
                    "mem engine \""
                            + name
                            + "\" is unreachable from client "
                            + clientId
                            + " (partitioned)");
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
    private void hear(Session s, long sentAt, Outbox out) {
        if (destroyed) {
            throw new BackendUnavailableException("mem engine \"" + name + "\" was reset");
        }
        if (s.state == SessionState.CLOSED) {
            throw new BackendUnavailableException("client " + s.clientId + " is disconnected");
        }
        checkReachable(s.clientId);
        if (s.state == SessionState.EXPIRING) {
            throw new BackendUnavailableException("the session of " + s.clientId + " is expiring");
        }
        if (s.state == SessionState.EXPIRED) {
            throw new SessionExpiredException(
                    "the mem engine session of client "
                            + s.clientId
                            + " expired: "
                            + s.expiryDetail);
        }
        s.lastHeardNanos = System.nanoTime();
        if (sentAt - s.lastSentAt > 0) {
            s.lastSentAt = sentAt;
        }
        if (!s.deferred.isEmpty()) {
            for (Entry e : s.deferred) {
                if (e.granted && contains(e)) {
                    deliver(e, out);
                }
            }
            s.deferred.clear();
        }
        for (Watch w : watches) {
            if (w.session == s && w.missed) {
                w.missed = false;
                offer(w, WatchEvent.resync());
            }
        }
    }

    /** A keep-alive: proves the session alive (the caller then confirms its leases). */
    void heartbeat(Session s, long sentAt) {
        Outbox out = new Outbox();
        synchronized (lock) {
            hear(s, sentAt, out);
        }
        out.run();
    }

    /** Disconnects: removes every entry and watch of the session, whatever the partition state. */
    List<Entry> close(Session s) {
        Outbox out = new Outbox();
        List<Entry> dropped = new ArrayList<>();
        synchronized (lock) {
            if (s.state == SessionState.CLOSED) {
                return dropped;
            }
            s.state = SessionState.CLOSED;
            s.deferred.clear();
            if (sessions.get(s.clientId) == s) {
                sessions.remove(s.clientId);
            }
            watches.removeIf(w -> w.session == s);
            removeAllOf(s, dropped, out);
        }
        out.run();
        return dropped;
    }

    private void sweep() {
        List<Session> due = new ArrayList<>();
        long now = System.nanoTime();
        synchronized (lock) {
            for (Session s : sessions.values()) {
                if (s.state == SessionState.ACTIVE
                        && (now - s.lastHeardNanos > s.ttlNanos
                                || (s.expiryRequested && !partitioned.contains(s.clientId)))) {
                    due.add(s);
                }
            }
        }
        for (Session s : due) {
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
    private void expireSession(Session s, String detail) {
        boolean reachable;
        synchronized (lock) {
            if (s.state != SessionState.ACTIVE) {
                return;
            }
            s.state = SessionState.EXPIRING;
            s.expiryDetail = detail;
            s.generation++;
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
        synchronized (lock) {
            if (s.state != SessionState.EXPIRING) {
                return; // closed or destroyed meanwhile: entries are gone already
            }
            s.state = SessionState.EXPIRED;
            s.deferred.clear();
            if (sessions.get(s.clientId) == s) {
                sessions.remove(s.clientId);
            }
            removeAllOf(s, dropped, out);
        }
        out.run();
        if (!dropped.isEmpty()) {
            s.client.waitersDropped(dropped, "the session expired: " + detail);
        }
    }

    private void destroy() {
        sweep.cancel(false);
        List<Session> all;
        synchronized (lock) {
            all = new ArrayList<>(sessions.values());
        }
        for (Session s : all) {
            expireSession(s, "the engine was reset");
        }
        synchronized (lock) {
            destroyed = true;
            queues.clear();
            sessions.clear();
            values.clear();
            watches.clear();
        }
    }

    /**
     * Removes every entry of {@code s}; collects its waiters in {@code dropped}. Under the lock.
     */
    private void removeAllOf(Session s, List<Entry> dropped, Outbox out) {
        for (Iterator<Map.Entry<QueueKey, List<Entry>>> it = queues.entrySet().iterator();
                it.hasNext(); ) {
            Map.Entry<QueueKey, List<Entry>> qe = it.next();
            List<Entry> q = qe.getValue();
            boolean changed = false;
            for (Iterator<Entry> ei = q.iterator(); ei.hasNext(); ) {
                Entry e = ei.next();
                if (e.session == s) {
                    ei.remove();
                    changed = true;
                    if (!e.granted) {
                        dropped.add(e);
                    }
                }
            }
            if (changed) {
                grantWaiters(q, null, out);
                if (q.isEmpty()) {
                    it.remove();
                }
                emitLock(qe.getKey());
            }
        }
    }

    private void checkAlive() {
        if (destroyed) {
            throw new BackendUnavailableException("mem engine \"" + name + "\" was reset");
        }
    }

    // ------------------------------------------------------------------ locks

    private static LeaseKind family(LeaseKind kind) {
        return kind == LeaseKind.READ ? LeaseKind.WRITE : kind;
    }

    private static QueueKey keyOf(Entry e) {
        return new QueueKey(e.session.namespace, family(e.kind), e.name);
    }

    private boolean contains(Entry e) {
        List<Entry> q = queues.get(keyOf(e));
        return q != null && q.contains(e);
    }

    /**
     * Creates a queue entry for {@code r}, with the next token.
     *
     * @return the entry, granted or waiting; the caller reports to {@code sink} itself if it was
     *     granted at once, otherwise the engine hands the grant to the client later
     * @throws NotAcquiredException if {@code r} is try-once and not grantable now (nothing is left)
     * @throws InvalidArgumentException if {@code r} is a semaphore request whose limit differs from
     *     the limit of the existing queue (nothing is created)
     * @throws BackendUnavailableException if the client is cut off (nothing is created)
     */
    Entry enqueue(Session s, long sentAt, AcquireRequest r, GrantSink<Entry> sink) {
        Outbox out = new Outbox();
        Entry entry = null;
        InvalidArgumentException mismatch = null;
        synchronized (lock) {
            hear(s, sentAt, out);
            QueueKey key = new QueueKey(s.namespace, family(r.kind()), r.name());
            List<Entry> q = queues.computeIfAbsent(key, k -> new ArrayList<>());
            if (r.kind() == LeaseKind.SEMAPHORE && !q.isEmpty() && q.get(0).limit != r.limit()) {
                // The entry that created the queue fixed its size; every entry since has it.
                mismatch =
                        new InvalidArgumentException(
                                "semaphore \""
                                        + r.name()
                                        + "\" has "
                                        + q.get(0).limit
                                        + " permits in the engine, but this handle was made with "
                                        + r.limit());
            } else {
                entry = new Entry(s, r, TOKENS.incrementAndGet(), sink);
                q.add(entry);
                grantWaiters(q, entry, out);
                entry.grantedOnEnqueue = entry.granted;
                if (!entry.granted && r.tryOnce()) {
                    // Appending affects only the new entry (queues are saturated): undo it.
                    q.remove(entry);
                    entry = null;
                } else {
                    emitLock(key);
                }
            }
            if (q.isEmpty()) {
                queues.remove(key);
            }
        }
        out.run(); // hearing may have released grants kept back by a partition
        if (mismatch != null) {
            throw mismatch;
        }
        if (entry == null) {
            throw new NotAcquiredException(r.name());
        }
        return entry;
    }

    /**
     * Removes {@code e} (a waiter that gave up, or a grant being released), granting the next
     * waiters. Never touches another entry: an entry already removed (released, expired) is a
     * no-op.
     *
     * @return whether the entry was still in the engine
     */
    boolean remove(Session s, long sentAt, Entry e) {
        Outbox out = new Outbox();
        boolean removed;
        synchronized (lock) {
            hear(s, sentAt, out);
            QueueKey key = keyOf(e);
            List<Entry> q = queues.get(key);
            removed = q != null && q.remove(e);
            if (removed) {
                grantWaiters(q, null, out);
                if (q.isEmpty()) {
                    queues.remove(key);
                }
                emitLock(key);
            }
        }
        out.run();
        return removed;
    }

    /**
     * A renewal: hears the session and reports which of the given grants it no longer holds.
     *
     * @return the entries not (or no longer) granted to this session
     */
    Set<Entry> renew(Session s, long sentAt, List<Entry> held) {
        Outbox out = new Outbox();
        Set<Entry> gone = new HashSet<>();
        synchronized (lock) {
            hear(s, sentAt, out);
            for (Entry e : held) {
                if (e.session != s || !e.granted || !contains(e)) {
                    gone.add(e);
                }
            }
        }
        out.run();
        return gone;
    }

    /**
     * Grants every waiter of {@code q} that the rule admits. The new grants are handed to their
     * clients through {@code out}, except {@code self} (the entry being created, which the caller
     * answers directly). Under the lock.
     */
    private void grantWaiters(List<Entry> q, Entry self, Outbox out) {
        if (q.isEmpty()) {
            return;
        }
        List<Entry> live = new ArrayList<>(q.size());
        for (Entry e : q) {
            // A waiter of a dying session is never granted (as if already gone); its grants still
            // count until removed.
            if (e.granted || e.session.state == SessionState.ACTIVE) {
                live.add(e);
            }
        }
        // Every backend's rules; the granted entries are a prefix of the queue. A semaphore's
        // entries all carry the size the queue was created with.
        int granted = GrantRules.grantedCount(live, live.isEmpty() ? 0 : live.get(0).limit);
        for (int i = 0; i < granted; i++) {
            grant(live.get(i), self, out);
        }
    }

    private void grant(Entry e, Entry self, Outbox out) {
        if (e.granted) {
            return;
        }
        e.granted = true;
        e.grantedAt = Instant.now();
        if (e != self) {
            deliver(e, out);
        }
    }

    /** Hands a grant to its client after the lock, or keeps it back while the client is cut off. */
    private void deliver(Entry e, Outbox out) {
        Session s = e.session;
        if (partitioned.contains(s.clientId)) {
            s.deferred.add(e);
            return;
        }
        long sentAt = s.lastSentAt;
        out.add(() -> s.client.granted(e, sentAt));
    }

    // ------------------------------------------------------------------ inspection

    Optional<LockSnapshot> inspect(Session s, long sentAt, String lockName) {
        Outbox out = new Outbox();
        Optional<LockSnapshot> result;
        synchronized (lock) {
            hear(s, sentAt, out);
            result = snapshot(s.namespace, lockName);
        }
        out.run();
        return result;
    }

    List<LockSnapshot> locks(Session s, long sentAt, String prefix) {
        Outbox out = new Outbox();
        List<LockSnapshot> result = new ArrayList<>();
        synchronized (lock) {
            hear(s, sentAt, out);
            Set<String> names = new TreeSet<>();
            for (QueueKey k : queues.keySet()) {
                if (k.namespace().equals(s.namespace) && Names.isUnder(k.name(), prefix)) {
                    names.add(k.name());
                }
            }
            for (String n : names) {
                snapshot(s.namespace, n).ifPresent(result::add);
            }
        }
        out.run();
        return result;
    }

    /** The merged view of a name across queue families. Under the lock. */
    private Optional<LockSnapshot> snapshot(String namespace, String lockName) {
        List<Entry> all = new ArrayList<>();
        for (LeaseKind family :
                new LeaseKind[] {
                    LeaseKind.MUTEX, LeaseKind.SEMAPHORE, LeaseKind.WRITE, LeaseKind.LEADERSHIP
                }) {
            List<Entry> q = queues.get(new QueueKey(namespace, family, lockName));
            if (q != null) {
                all.addAll(q);
            }
        }
        if (all.isEmpty()) {
            return Optional.empty();
        }
        all.sort((a, b) -> Long.compare(a.token, b.token));
        List<LockSnapshot.Holder> holders = new ArrayList<>();
        int waiters = 0;
        for (Entry e : all) {
            if (e.granted) {
                holders.add(
                        new LockSnapshot.Holder(
                                e.session.clientId, e.kind, e.permits, e.token, e.grantedAt));
            } else {
                waiters++;
            }
        }
        return Optional.of(new LockSnapshot(lockName, holders, waiters));
    }

    // ------------------------------------------------------------------ key/value

    private static String qualify(Session s, String key) {
        return s.namespace + "/" + key;
    }

    Optional<Versioned> get(Session s, long sentAt, String key) {
        Outbox out = new Outbox();
        Optional<Versioned> result;
        synchronized (lock) {
            hear(s, sentAt, out);
            result = Optional.ofNullable(values.get(qualify(s, key)));
        }
        out.run();
        return result;
    }

    Versioned put(Session s, long sentAt, String key, byte[] value) {
        Outbox out = new Outbox();
        Versioned written;
        synchronized (lock) {
            hear(s, sentAt, out);
            written = write(s, key, value);
        }
        out.run();
        return written;
    }

    Optional<Versioned> compareAndSet(
            Session s, long sentAt, String key, long expectedVersion, byte[] value) {
        Outbox out = new Outbox();
        Optional<Versioned> result;
        synchronized (lock) {
            hear(s, sentAt, out);
            Versioned current = values.get(qualify(s, key));
            long currentVersion = current == null ? Versioned.ABSENT : current.version();
            result =
                    currentVersion == expectedVersion
                            ? Optional.of(write(s, key, value))
                            : Optional.empty();
        }
        out.run();
        return result;
    }

    boolean delete(Session s, long sentAt, String key, long expectedVersion) {
        Outbox out = new Outbox();
        boolean deleted;
        synchronized (lock) {
            hear(s, sentAt, out);
            String q = qualify(s, key);
            Versioned current = values.get(q);
            deleted =
                    current != null
                            && (expectedVersion < 0 || current.version() == expectedVersion);
            if (deleted) {
                values.remove(q);
                emit(s.namespace, key, WatchEvent.delete(key));
            }
        }
        out.run();
        return deleted;
    }

    List<String> keys(Session s, long sentAt, String prefix) {
        Outbox out = new Outbox();
        List<String> result = new ArrayList<>();
        synchronized (lock) {
            hear(s, sentAt, out);
            String ns = s.namespace + "/";
            for (String q : new TreeMap<>(values).keySet()) {
                if (q.startsWith(ns)) {
                    String key = q.substring(ns.length());
                    if (Names.isUnder(key, prefix)) {
                        result.add(key);
                    }
                }
            }
        }
        out.run();
        return result;
    }

    /** Writes with the key's next version; versions never repeat, even across deletes. Locked. */
    private Versioned write(Session s, String key, byte[] value) {
        String q = qualify(s, key);
        long version = lastVersions.merge(q, 1L, Long::sum);
        Versioned v = new Versioned(key, value, version);
        values.put(q, v);
        emit(s.namespace, key, WatchEvent.put(v));
        return v;
    }

    // ------------------------------------------------------------------ watch

    AutoCloseable watch(Session s, long sentAt, String prefix, Consumer<WatchEvent> sink) {
        Outbox out = new Outbox();
        Watch w = new Watch(s, prefix, sink);
        synchronized (lock) {
            hear(s, sentAt, out);
            watches.add(w);
        }
        out.run();
        return () -> {
            synchronized (lock) {
                watches.remove(w);
            }
        };
    }

    private void emitLock(QueueKey key) {
        LockSnapshot snap =
                snapshot(key.namespace(), key.name())
                        .orElse(new LockSnapshot(key.name(), List.of(), 0));
        emit(key.namespace(), key.name(), WatchEvent.lock(key.name(), snap));
    }

    /**
     * Hands an event to every matching watch, under the lock, so that each sees the engine's order.
     * Sinks only enqueue. A watch of a cut-off client misses the event and gets a RESYNC later.
     */
    /**
     * Calls a sink, under the lock. A sink must only enqueue (no listener code runs here); one that
     * throws all the same is logged and skipped, so the engine operation still completes and the
     * other subscriptions still get the event.
     */
    private void offer(Watch w, WatchEvent event) {
        try {
            w.sink.accept(event);
        } catch (RuntimeException e) {
            log.warn(
                    "mem engine {}: watch sink of client {} on \"{}\" threw on {}; skipped",
                    name,
                    w.session.clientId,
                    w.prefix,
                    event,
                    e);
        }
    }

    private void emit(String namespace, String eventName, WatchEvent event) {
        Set<Watch> targets = new LinkedHashSet<>();
        for (Watch w : watches) {
            if (w.session.namespace.equals(namespace) && Names.isUnder(eventName, w.prefix)) {
                targets.add(w);
            }
        }
        for (Watch w : targets) {
            if (partitioned.contains(w.session.clientId)) {
                w.missed = true;
            } else {
                offer(w, event);
            }
        }
    }
}
