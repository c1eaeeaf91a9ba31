package dev.baton.mem;

import dev.baton.BackendUnavailableException;
import dev.baton.ClientClosedException;
import dev.baton.LeaseLoss;
import dev.baton.LockSnapshot;
import dev.baton.Versioned;
import dev.baton.WatchEvent;
import dev.baton.internal.LeaseImpl;
import dev.baton.mem.MemEngine.Entry;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.Backend;
import dev.baton.spi.BackendContext;
import dev.baton.spi.NotAcquiredException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's connection to a {@link MemEngine}: the in-JVM counterpart of a ZooKeeper client.
 *
 * <p>Threads: requests run on the caller's thread and take the engine lock briefly. One daemon
 * thread per client ({@code baton-mem-<clientId>}, the counterpart of ZooKeeper's event thread)
 * sends keep-alives and turns grants handed over by the engine into leases; it never runs user code
 * (completing a backend future only wakes the core, which moves user continuations to the callback
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
 */
final class MemBackend implements Backend, MemEngine.Client {
    private static final Logger log = LoggerFactory.getLogger(MemBackend.class);
    static final long RECONNECT_MILLIS = 100;

    private final MemEngine engine;
    private final BackendContext ctx;
    private final Duration ttl;
    private final long keepAliveNanos;
    private final MemEngine.Session session;
    private final ScheduledThreadPoolExecutor events;

    /** Entries whose removal could not be sent; retried after the next keep-alive that is heard. */
    private final Set<Entry> unsent = ConcurrentHashMap.newKeySet();

    /** Our queued entries not yet granted, so that close can fail their futures. */
    private final Set<Entry> waiting = ConcurrentHashMap.newKeySet();

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
    public CompletableFuture<LeaseImpl> acquire(AcquireRequest request) {
        CompletableFuture<LeaseImpl> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new ClientClosedException(ctx.clientId()));
            return f;
        }
        long sentAt = now();
        Entry e;
        try {
            e = engine.enqueue(session, sentAt, request, f);
        } catch (NotAcquiredException | BackendUnavailableException ex) {
            if (ex instanceof BackendUnavailableException) {
                ctx.sessionSuspended();
            }
            f.completeExceptionally(ex);
            return f;
        }
        if (e.granted) {
            // The answer itself shows the grant; the future is new, so nobody can have completed
            // it.
            f.complete(newLease(e, sentAt));
            return f;
        }
        waiting.add(e);
        // Whoever fails the future (timeout, cancel, interrupt, close) withdraws the request.
        f.whenComplete(
                (lease, error) -> {
                    waiting.remove(e);
                    if (error != null) {
                        remove(e);
                    }
                });
        return f;
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
        if (e.future.isDone()) {
            remove(e); // the caller gave up first; its withdrawal may have raced with the grant
            return;
        }
        LeaseImpl lease = newLease(e, sentAtNanos);
        if (!e.future.complete(lease)) {
            lease.release(); // the caller gave up as it was granted
        }
    }

    private LeaseImpl newLease(Entry e, long sentAtNanos) {
        LeaseImpl lease = ctx.newLease(e.name, e.kind, e.permits, e.token, sentAtNanos, e);
        // If the session expired after the grant, the lease may have missed the expiry signal
        // (it was registered after the client was told): declare it lost here. The generation is
        // bumped before the client is told, so one of the two always sees the other.
        if (e.generation != session.generation) {
            lease.markLost(
                    LeaseLoss.Reason.SESSION_EXPIRED, "the session expired as it was granted");
        }
        return lease;
    }

    @Override
    public void release(LeaseImpl lease) {
        remove((Entry) lease.handle());
    }

    /** Removes our entry from the engine, now or, if cut off, after the next heard keep-alive. */
    private void remove(Entry e) {
        if (closed) {
            return; // close removes every entry of the session
        }
        try {
            engine.remove(session, now(), e);
            unsent.remove(e);
        } catch (BackendUnavailableException ex) {
            log.debug(
                    "removal of {} deferred until the engine is reachable: {}", e, ex.getMessage());
            unsent.add(e);
            ctx.sessionSuspended();
        }
    }

    @Override
    public CompletionStage<Set<LeaseImpl>> renew(Collection<LeaseImpl> leases) {
        Map<Entry, LeaseImpl> byEntry = new HashMap<>();
        for (LeaseImpl l : leases) {
            byEntry.put((Entry) l.handle(), l);
        }
        try {
            Set<Entry> gone = engine.renew(session, now(), new ArrayList<>(byEntry.keySet()));
            Set<LeaseImpl> result = new HashSet<>();
            for (Entry e : gone) {
                result.add(byEntry.get(e));
            }
            return CompletableFuture.completedFuture(result);
        } catch (BackendUnavailableException ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }

    private void keepAlive() {
        if (closed) {
            return;
        }
        long next = keepAliveNanos;
        long sentAt = now();
        try {
            engine.heartbeat(session, sentAt);
            for (Entry e : List.copyOf(unsent)) {
                remove(e);
            }
            ctx.sessionConfirmed(sentAt);
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
    public void waitersDropped(List<Entry> entries, String why) {
        for (Entry e : entries) {
            e.future.completeExceptionally(
                    new BackendUnavailableException(
                            "waiting for \"" + e.name + "\" ended: " + why));
        }
    }

    // ---- reads, keys, watches ----

    private <T> T call(Supplier<T> request) {
        try {
            return request.get();
        } catch (BackendUnavailableException e) {
            ctx.sessionSuspended();
            throw e;
        }
    }

    @Override
    public Optional<LockSnapshot> inspect(String name) {
        return call(() -> engine.inspect(session, now(), name));
    }

    @Override
    public List<LockSnapshot> locks(String prefix) {
        return call(() -> engine.locks(session, now(), prefix));
    }

    @Override
    public Optional<Versioned> get(String key) {
        return call(() -> engine.get(session, now(), key));
    }

    @Override
    public Versioned put(String key, byte[] value) {
        return call(() -> engine.put(session, now(), key, value));
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
        return call(() -> engine.compareAndSet(session, now(), key, expectedVersion, value));
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        return call(() -> engine.delete(session, now(), key, expectedVersion));
    }

    @Override
    public List<String> keys(String prefix) {
        return call(() -> engine.keys(session, now(), prefix));
    }

    @Override
    public AutoCloseable watch(String prefix, Consumer<WatchEvent> sink) {
        return call(() -> engine.watch(session, now(), prefix, sink));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        engine.close(session);
        unsent.clear();
        for (Entry e : List.copyOf(waiting)) {
            e.future.completeExceptionally(new ClientClosedException(ctx.clientId()));
        }
        events.shutdownNow();
    }

    @Override
    public String toString() {
        return "MemBackend{" + ctx.clientId() + " → " + engine.name() + "}";
    }
}
