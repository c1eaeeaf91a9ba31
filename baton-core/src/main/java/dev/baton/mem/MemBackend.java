package dev.baton.mem;

import dev.baton.BackendUnavailableException;
import dev.baton.ClientClosedException;
import dev.baton.LeaseLoss;
import dev.baton.LockSnapshot;
import dev.baton.Versioned;
import dev.baton.WatchEvent;
import dev.baton.mem.MemQueues.CondWaiter;
import dev.baton.mem.MemQueues.Entry;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.Backend;
import dev.baton.spi.BackendContext;
import dev.baton.spi.GrantSink;
import dev.baton.spi.NotAcquiredException;
import dev.baton.spi.PendingAcquire;
import dev.baton.spi.PendingAwait;
import dev.baton.spi.Renewal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's connection to a {@link MemEngine}: the in-JVM counterpart of a ZooKeeper client.
 *
 * <p>Threads: requests run on the caller's thread and take the engine lock briefly. One daemon
 * thread per client ({@code baton-mem-<clientId>}, the counterpart of ZooKeeper's event thread)
 * sends keep-alives and reports grants handed over by the engine to the core's sink; it never runs
 * user code (the sink only wakes the core, which moves user continuations to the callback
 * executor). The engine calls {@link #sessionExpired} on its sweeper thread, outside its lock; that
 * only changes lease state.
 *
 * <p>Keep-alives: every TTL/3 (every {@value #RECONNECT_MILLIS} ms while the engine is unreachable,
 * like a client's reconnect loop) a keep-alive proves the session alive, which confirms every lease
 * of the client: the engine removes a grant only when its lease is released or withdrawn, or when
 * the session ends, which the client is told about first. Any request that cannot reach the engine
 * makes the leases IN_DOUBT.
 *
 * <p>Removals (release, withdrawal) that cannot reach the engine are kept in {@code unsent} and
 * retried by the next keep-alive that gets through, so a grant whose lease was lost during a
 * partition does not outlive the partition when the session survives it.
 *
 * <p>Session expiry: a client the engine can reach is told at once ({@link #sessionExpired}). A
 * client cut off when its session expired learns of it from its first request that reaches the
 * engine again ({@link SessionExpiredException}, like ZooKeeper's {@code Expired} on reconnect): it
 * tells the core {@link BackendContext#sessionLost sessionLost(SESSION_EXPIRED)} — never {@link
 * BackendContext#sessionConfirmed sessionConfirmed} for the dead session — then opens a new session
 * under the same client id and carries on with it. The swap happens under {@code sessionLock}, with
 * the loss signalled before the new session is published, so no lease of the new session can be
 * declared lost by it.
 *
 * <p>Close: the sink of every entry the engine dropped on close is failed, and an acquire that
 * queued concurrently with close re-checks {@code closed} after registering its entry, so no
 * interleaving leaves an acquisition unanswered.
 */
final class MemBackend implements Backend<Entry>, MemSession.Client {
    private static final Logger log = LoggerFactory.getLogger(MemBackend.class);
    static final long RECONNECT_MILLIS = 100;

    private final MemEngine engine;
    private final BackendContext ctx;
    private final Duration ttl;
    private final long keepAliveNanos;
    private final ScheduledThreadPoolExecutor events;

    /** Guards swapping {@link #session} and setting {@link #closed}. */
    private final Object sessionLock = new Object();

    /** The current session; replaced (under {@code sessionLock}) after an expiry. */
    private volatile MemSession session;

    /** Entries whose removal could not be sent; retried after the next keep-alive that is heard. */
    private final Set<Entry> unsent = ConcurrentHashMap.newKeySet();

    /** Our queued entries not yet granted, so that close can fail their sinks. */
    private final Set<Entry> waiting = ConcurrentHashMap.newKeySet();

    /** Our monitor waits not yet granted, so that close can fail their sinks. */
    private final Set<AwaitSink> awaiting = ConcurrentHashMap.newKeySet();

    /** Condition waiters whose withdrawal could not be sent; retried like {@link #unsent}. */
    private final Set<CondWaiter> unsentWithdrawals = ConcurrentHashMap.newKeySet();

    private volatile boolean closed;

    MemBackend(MemEngine engine, BackendContext ctx) {
        this.engine = engine;
        this.ctx = ctx;
        this.ttl = ctx.config().leaseTtl();
        this.keepAliveNanos = ttl.toNanos() / 3;
        this.events =
                new ScheduledThreadPoolExecutor(
                        1,
                        r -> {
                            Thread t = new Thread(r, "baton-mem-" + ctx.clientId());
                            t.setDaemon(true);
                            return t;
                        });
        this.events.setRemoveOnCancelPolicy(true);
        try {
            this.session =
                    engine.open(
                            ctx.clientId(),
                            ctx.namespace(),
                            ttl.toNanos(),
                            ctx.ticker().read(),
                            this);
        } catch (RuntimeException e) {
            events.shutdownNow();
            throw e;
        }
        events.schedule(this::keepAlive, keepAliveNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public Duration leaseTtl() {
        return ttl;
    }

    private long now() {
        return ctx.ticker().read();
    }

    // ---- leases ----

    @Override
    public PendingAcquire acquire(AcquireRequest request, GrantSink<Entry> sink) {
        if (closed) {
            throw new ClientClosedException(ctx.clientId());
        }
        long sentAt = now();
        Entry e;
        try {
            e = onSession(s -> engine.enqueue(s, sentAt, request, sink));
        } catch (NotAcquiredException ex) {
            sink.denied();
            return NOTHING_TO_WITHDRAW;
        } catch (BackendUnavailableException ex) {
            if (closed) {
                sink.failed(new ClientClosedException(ctx.clientId()));
            } else {
                ctx.sessionSuspended();
                sink.failed(ex);
            }
            return NOTHING_TO_WITHDRAW;
        } catch (RuntimeException ex) { // invalid argument, client closed
            sink.failed(ex);
            return NOTHING_TO_WITHDRAW;
        }
        if (e.grantedOnEnqueue) {
            // The answer itself shows the grant. Not e.granted: a release on another thread may
            // grant the entry as soon as the engine lock is dropped, and then the engine hands
            // that grant to this client itself; reporting it here too would make the core take the
            // second report for a grant nobody wants, and release it under its holder.
            report(e, sentAt);
            return NOTHING_TO_WITHDRAW;
        }
        waiting.add(e);
        // A close that ran before waiting.add could not see this entry: fail it here. (A close
        // that runs after this read sees the entry in waiting.)
        if (closed) {
            sink.failed(new ClientClosedException(ctx.clientId()));
        }
        return () -> {
            waiting.remove(e);
            remove(e);
        };
    }

    /** For a request answered at once: the core never withdraws it. */
    private static final PendingAcquire NOTHING_TO_WITHDRAW = () -> {};

    /**
     * Runs a request on the current session; if the engine says that session expired, tells the
     * core, opens a new session and runs the request once more on it.
     */
    private <T> T onSession(Function<MemSession, T> request) {
        MemSession s = session;
        try {
            return request.apply(s);
        } catch (SessionExpiredException expired) {
            MemSession fresh = replaceExpired(s, expired.getMessage());
            try {
                return request.apply(fresh);
            } catch (SessionExpiredException again) {
                throw new BackendUnavailableException(again.getMessage(), again);
            }
        }
    }

    /**
     * After the engine reported {@code expired} expired: signals the loss of every lease (all of
     * them belong to that session) and opens a new session, unless another thread did already.
     *
     * @return the current session
     * @throws ClientClosedException if the client is closed
     * @throws BackendUnavailableException if the new session cannot be opened (cut off again)
     */
    private MemSession replaceExpired(MemSession expired, String detail) {
        synchronized (sessionLock) {
            if (closed) {
                throw new ClientClosedException(ctx.clientId());
            }
            if (session != expired) {
                return session; // replaced meanwhile; the loss was signalled then
            }
            // Before any lease of the new session can exist: this marks every held lease lost.
            ctx.sessionLost(LeaseLoss.Reason.SESSION_EXPIRED, detail);
            session = engine.reopen(expired, now());
            return session;
        }
    }

    /** Engine → client: a waiting entry was granted. Runs outside the engine lock; never blocks. */
    @Override
    public void granted(Entry e, long sentAtNanos) {
        try {
            events.execute(() -> take(e, sentAtNanos));
        } catch (RejectedExecutionException closing) {
            // Closing: the engine drops every entry of this client on close, and close fails the
            // waiting futures.
        }
    }

    private void take(Entry e, long sentAtNanos) {
        waiting.remove(e);
        // If the caller gave up meanwhile, its withdrawal removed the entry (or will), and the core
        // releases this grant, which removes it again: removal is idempotent.
        report(e, sentAtNanos);
    }

    private void report(Entry e, long sentAtNanos) {
        e.sink.granted(e.token, sentAtNanos, e);
        // If the session expired after the grant, the lease may have missed the expiry signal
        // (it was registered after the client was told): report the loss here. The generation is
        // bumped before the client is told, so one of the two always sees the other.
        if (e.generation != e.session.generation) {
            ctx.grantLost(
                    e, LeaseLoss.Reason.SESSION_EXPIRED, "the session expired as it was granted");
        }
    }

    @Override
    public void release(Entry grant) {
        remove(grant);
    }

    /** Removes our entry from the engine, now or, if cut off, after the next heard keep-alive. */
    private void remove(Entry e) {
        if (closed) {
            return; // close removes every entry of the session
        }
        try {
            engine.remove(session, now(), e);
            unsent.remove(e);
        } catch (SessionExpiredException ex) {
            // The entry's session expired (a newer one would be current otherwise): its entries
            // are gone. The next keep-alive tells the core and opens a new session.
            unsent.remove(e);
        } catch (BackendUnavailableException ex) {
            log.debug(
                    "removal of {} deferred until the engine is reachable: {}", e, ex.getMessage());
            unsent.add(e);
            ctx.sessionSuspended();
        }
    }

    // ---- monitors ----

    @Override
    public PendingAwait await(
            Entry holder, String condition, AcquireRequest reentry, GrantSink<Entry> sink) {
        if (closed) {
            throw new ClientClosedException(ctx.clientId());
        }
        AwaitSink tracked = new AwaitSink(sink);
        awaiting.add(tracked);
        long sentAt = now();
        CondWaiter w;
        try {
            w = call(s -> engine.await(s, sentAt, holder, condition, reentry, tracked));
        } catch (RuntimeException e) {
            awaiting.remove(tracked);
            throw e;
        }
        // A close that ran before awaiting.add could not see this wait; one after it does.
        if (closed) {
            tracked.failed(new ClientClosedException(ctx.clientId()));
        }
        return new PendingAwait() {
            @Override
            public boolean timeUp() {
                return call(s -> engine.timeUp(s, now(), w));
            }

            @Override
            public void withdraw() {
                awaiting.remove(tracked);
                withdrawWaiter(w);
            }
        };
    }

    private void withdrawWaiter(CondWaiter w) {
        if (closed) {
            return; // close removes every waiter of the session
        }
        try {
            engine.withdraw(session, now(), w);
            unsentWithdrawals.remove(w);
        } catch (SessionExpiredException ex) {
            unsentWithdrawals.remove(w); // gone with its session
        } catch (BackendUnavailableException ex) {
            unsentWithdrawals.add(w);
            ctx.sessionSuspended();
        }
    }

    @Override
    public int signal(Entry holder, String monitor, String condition, boolean all) {
        if (closed) {
            throw new ClientClosedException(ctx.clientId());
        }
        return call(s -> engine.signal(s, now(), holder, monitor, condition, all));
    }

    /** The core's sink of one wait, tracked until its grant (or failure) is reported. */
    private final class AwaitSink implements GrantSink<Entry> {
        private final GrantSink<Entry> inner;

        AwaitSink(GrantSink<Entry> inner) {
            this.inner = inner;
        }

        @Override
        public void granted(long fencingToken, long sentAtNanos, Entry grant) {
            awaiting.remove(this);
            inner.granted(fencingToken, sentAtNanos, grant);
        }

        @Override
        public void denied() {
            awaiting.remove(this);
            inner.denied();
        }

        @Override
        public void failed(Throwable error) {
            awaiting.remove(this);
            inner.failed(error);
        }
    }

    @Override
    public CompletionStage<List<Renewal>> renew(List<Entry> grants) {
        try {
            long sentAt = now();
            Set<Entry> gone = onSession(s -> engine.renew(s, sentAt, grants));
            List<Renewal> verdicts = new ArrayList<>(grants.size());
            for (Entry e : grants) {
                verdicts.add(gone.contains(e) ? Renewal.GONE : Renewal.CONFIRMED);
            }
            return CompletableFuture.completedFuture(verdicts);
        } catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }

    private void keepAlive() {
        if (closed) {
            return;
        }
        long next = keepAliveNanos;
        long sentAt = now();
        MemSession s = session;
        try {
            try {
                engine.heartbeat(s, sentAt);
            } catch (SessionExpiredException expired) {
                // Never confirm a dead session: its leases are lost, and the new session has none.
                replaceExpired(s, expired.getMessage());
                s = null;
            }
            if (s != null && s == session) {
                for (Entry e : List.copyOf(unsent)) {
                    remove(e);
                }
                for (CondWaiter w : List.copyOf(unsentWithdrawals)) {
                    withdrawWaiter(w);
                }
                ctx.sessionConfirmed(sentAt);
            }
        } catch (ClientClosedException ex) {
            return;
        } catch (BackendUnavailableException ex) {
            log.debug("keep-alive of {} failed: {}", ctx.clientId(), ex.getMessage());
            ctx.sessionSuspended();
            next = TimeUnit.MILLISECONDS.toNanos(RECONNECT_MILLIS);
        } catch (RuntimeException ex) {
            log.warn("keep-alive of {} failed", ctx.clientId(), ex);
        }
        try {
            events.schedule(this::keepAlive, next, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            // closed meanwhile
        }
    }

    // ---- engine → client ----

    @Override
    public void sessionExpired(String detail) {
        ctx.sessionLost(LeaseLoss.Reason.SESSION_EXPIRED, "mem engine session expired: " + detail);
    }

    @Override
    public void waitersDropped(List<Entry> entries, List<CondWaiter> conditionWaiters, String why) {
        for (Entry e : entries) {
            waiting.remove(e);
            e.sink.failed(
                    new BackendUnavailableException(
                            "waiting for \"" + e.name + "\" ended: " + why));
        }
        for (CondWaiter w : conditionWaiters) {
            w.sink.failed(
                    new BackendUnavailableException(
                            "waiting on a condition of monitor \""
                                    + w.reentry.name()
                                    + "\" ended: "
                                    + why));
        }
    }

    // ---- reads, keys, watches ----

    private <T> T call(Function<MemSession, T> request) {
        try {
            return onSession(request);
        } catch (BackendUnavailableException e) {
            ctx.sessionSuspended();
            throw e;
        }
    }

    @Override
    public Optional<LockSnapshot> inspect(String name) {
        return call(s -> engine.inspect(s, now(), name));
    }

    @Override
    public List<LockSnapshot> locks(String prefix) {
        return call(s -> engine.locks(s, now(), prefix));
    }

    @Override
    public Optional<Versioned> get(String key) {
        return call(s -> engine.get(s, now(), key));
    }

    @Override
    public Versioned put(String key, byte[] value) {
        return call(s -> engine.put(s, now(), key, value));
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
        return call(s -> engine.compareAndSet(s, now(), key, expectedVersion, value));
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        return call(s -> engine.delete(s, now(), key, expectedVersion));
    }

    @Override
    public List<String> keys(String prefix) {
        return call(s -> engine.keys(s, now(), prefix));
    }

    @Override
    public AutoCloseable watch(String prefix, Consumer<WatchEvent> sink) {
        return call(s -> engine.watch(s, now(), prefix, sink));
    }

    @Override
    public void close() {
        MemSession s;
        synchronized (sessionLock) {
            if (closed) {
                return;
            }
            closed = true;
            s = session; // no new session can be opened from now on
        }
        List<Entry> dropped = engine.close(s);
        unsent.clear();
        // The waiters the engine dropped, and those registered as waiting (granted, but the grant
        // not yet taken): fail them all (a sink ignores a second report). An acquire still between
        // enqueue and registering its entry re-checks closed itself.
        for (Entry e : dropped) {
            e.sink.failed(new ClientClosedException(ctx.clientId()));
        }
        for (Entry e : List.copyOf(waiting)) {
            e.sink.failed(new ClientClosedException(ctx.clientId()));
        }
        for (AwaitSink a : List.copyOf(awaiting)) {
            a.failed(new ClientClosedException(ctx.clientId()));
        }
        unsentWithdrawals.clear();
        events.shutdownNow();
    }

    @Override
    public String toString() {
        return "MemBackend{" + ctx.clientId() + " → " + engine.name() + "}";
    }
}
