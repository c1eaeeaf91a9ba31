package dev.baton.internal;

import dev.baton.LeaseKind;
import dev.baton.LeaseLoss;
import dev.baton.Ticker;
import dev.baton.spi.Backend;
import dev.baton.spi.Renewal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tracks one client's held leases: renews them in one batch every TTL/3 on a single scheduler
 * thread (never a timer per lease), checks their deadlines every min(margin/2, 100 ms), and carries
 * out the side effects of loss and release. <b>Internal.</b>
 *
 * <p>Threads: the client's scheduler thread runs renewal ticks and their timeouts (it also carries
 * the timeouts of asynchronous acquires, which only hand work to workers, and the backend's timers)
 * and never blocks on the engine (renewal is asynchronous). Deadline checks run on a thread of
 * their own that nothing else uses, so no stalled engine call, however long, can delay a loss
 * signal. Loss callbacks go to the callback executor; engine calls made because a lease was lost go
 * to the blocking executor. Session signals may arrive on engine threads and only change lease
 * state.
 *
 * <p>Renewal answers are applied whenever they arrive, even after the round's bound (ttl/4) put the
 * batch in doubt: a confirmation carries the round's send time, so it can only move a deadline
 * forward, and a grant found gone is lost however late the news. Only the round still current (ids
 * in {@code renewalInFlight}) may put leases in doubt, so an old round failing late cannot undo a
 * newer confirmation.
 *
 * <p>Leases are tracked by their backend grant ({@code equals}), which is how a backend names a
 * lease when it reports a loss on its own ({@link #grantLost}).
 *
 * <p>Why the loss signal comes first: a lease's deadline is {@code sentAt + ttl − margin}, where
 * {@code sentAt} precedes the engine's receipt of the request. The engine cannot expire the grant
 * before {@code receipt + ttl}, so the client declares the loss at least {@code margin/2} earlier
 * (the check runs every {@code min(margin/2, 100 ms)}), and readers of the lease state see it at
 * once.
 */
final class LeaseManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseManager.class);

    private final String clientId;
    private final Ticker ticker;
    private final ScheduledExecutorService timer;
    private final ScheduledExecutorService deadlines;
    private final Executor callbacks;
    private final Executor blocking;
    private final LeaseEvents events;
    private final Map<Object, LeaseImpl> leases = new ConcurrentHashMap<>();

    /** The id of the renewal round awaiting its answer within its bound; 0 if none. */
    private final AtomicLong renewalInFlight = new AtomicLong();

    private long lastRound; // scheduler thread only
    private volatile Backend<Object> backend;
    private volatile long ttlNanos;
    private volatile long marginNanos;
    private volatile boolean closed;

    LeaseManager(
            String clientId,
            Ticker ticker,
            ScheduledExecutorService timer,
            ScheduledExecutorService deadlines,
            Executor callbacks,
            Executor blocking,
            LeaseEvents events) {
        this.clientId = clientId;
        this.events = events;
        this.ticker = ticker;
        this.timer = timer;
        this.deadlines = deadlines;
        this.callbacks = callbacks;
        this.blocking = blocking;
    }

    /** Starts renewal once the backend is connected and its TTL known. */
    void start(Backend<Object> connected, Duration ttl, Duration margin) {
        this.backend = connected;
        this.ttlNanos = ttl.toNanos();
        this.marginNanos = margin.toNanos();
        long renewEvery = Math.max(TimeUnit.MILLISECONDS.toNanos(10), ttlNanos / 3);
        // At most 100 ms, so that the signal leads the engine's expiry by nearly the whole margin.
        long checkEvery =
                Math.max(
                        TimeUnit.MILLISECONDS.toNanos(5),
                        Math.min(TimeUnit.MILLISECONDS.toNanos(100), marginNanos / 2));
        timer.scheduleWithFixedDelay(this::renewTick, renewEvery, renewEvery, TimeUnit.NANOSECONDS);
        deadlines.scheduleAtFixedRate(
                this::checkDeadlines, checkEvery, checkEvery, TimeUnit.NANOSECONDS);
    }

    long now() {
        return ticker.read();
    }

    long deadlineFor(long sentAtNanos) {
        return sentAtNanos + ttlNanos - marginNanos;
    }

    Duration ttl() {
        return Duration.ofNanos(ttlNanos);
    }

    /**
     * Registers a lease for a grant the engine made. If the client is closing, the lease is lost at
     * once (close may have swept the leases just before this one); its grant goes with the session
     * or the TTL, since releasing could block the engine thread that reports the grant.
     */
    LeaseImpl newLease(
            String name,
            LeaseKind kind,
            int permits,
            long token,
            long sentAtNanos,
            Object grant,
            java.util.function.Consumer<LeaseImpl> made) {
        LeaseImpl lease =
                new LeaseImpl(this, name, kind, permits, clientId, token, sentAtNanos, grant);
        made.accept(lease); // before the lease is registered, so before any event of its own
        leases.put(grant, lease);
        if (closed) {
            lease.markLost(LeaseLoss.Reason.CLIENT_CLOSED, "client closed while granting");
        }
        return lease;
    }

    /**
     * A grant nobody wants: its caller gave up as it was granted. Released on a worker, since the
     * report may come on an engine thread and releasing waits on the engine.
     */
    void releaseUnwanted(String name, Object grant) {
        runOrInline(blocking, () -> releaseQuietly(name, grant));
    }

    /** The backend learnt by itself that the engine dropped {@code grant}. */
    void grantLost(Object grant, LeaseLoss.Reason reason, String detail) {
        LeaseImpl lease = leases.get(grant);
        if (lease != null) {
            lease.markLost(reason, detail);
        }
    }

    Executor blockingExecutor() {
        return blocking;
    }

    /** Held (or in-doubt) leases right now. */
    public List<LeaseImpl> held() {
        return new ArrayList<>(leases.values());
    }

    private void renewTick() {
        if (leases.isEmpty() || closed || renewalInFlight.get() != 0) {
            return;
        }
        long round = ++lastRound;
        renewalInFlight.set(round);
        List<LeaseImpl> batch = held();
        List<Object> grants = new ArrayList<>(batch.size());
        for (LeaseImpl lease : batch) {
            grants.add(lease.grant());
        }
        long sentAt = ticker.read();
        try {
            // Well inside the renewal interval (ttl/3), so an unanswered renewal shows as IN_DOUBT
            // long before the deadline, and the next tick is not skipped. Timed on this (the
            // scheduler) thread rather than with orTimeout, which would start the JDK's own
            // delay thread.
            ScheduledFuture<?> bound =
                    timer.schedule(
                            () -> {
                                if (renewalInFlight.compareAndSet(round, 0)) {
                                    log.debug("no answer to the renewal within ttl/4");
                                    batch.forEach(LeaseImpl::suspect);
                                }
                            },
                            ttlNanos / 4,
                            TimeUnit.NANOSECONDS);
            backend.renew(grants)
                    .whenComplete(
                            (verdicts, error) -> {
                                bound.cancel(false);
                                boolean current = renewalInFlight.compareAndSet(round, 0);
                                if (error != null || verdicts.size() != batch.size()) {
                                    if (current) {
                                        log.debug(
                                                "renewal of {} leases failed: {}",
                                                batch.size(),
                                                error != null
                                                        ? error.toString()
                                                        : "wrong number of verdicts");
                                        batch.forEach(LeaseImpl::suspect);
                                    }
                                    return;
                                }
                                int confirmed = 0;
                                for (int i = 0; i < batch.size(); i++) {
                                    Renewal verdict = verdicts.get(i);
                                    apply(batch.get(i), verdict, sentAt, current);
                                    confirmed += verdict == Renewal.CONFIRMED ? 1 : 0;
                                }
                                if (confirmed > 0) {
                                    events.renewed(confirmed, ticker.read() - sentAt);
                                }
                            });
        } catch (RuntimeException e) {
            renewalInFlight.compareAndSet(round, 0);
            log.debug("renewal could not be sent: {}", e.toString());
            batch.forEach(LeaseImpl::suspect);
        }
    }

    private static void apply(LeaseImpl lease, Renewal verdict, long sentAt, boolean current) {
        switch (verdict) {
            case CONFIRMED -> lease.confirm(sentAt);
            case GONE ->
                    lease.markLost(
                            LeaseLoss.Reason.GRANT_GONE,
                            "renewal found the grant gone from the engine");
            case UNDECIDED -> {
                if (current) {
                    lease.suspect();
                }
            }
        }
    }

    private void checkDeadlines() {
        try {
            long now = ticker.read();
            for (LeaseImpl lease : leases.values()) {
                lease.checkDeadline(now);
            }
        } catch (RuntimeException e) {
            log.warn("deadline check failed", e);
        }
    }

    void sessionSuspended() {
        leases.values().forEach(LeaseImpl::suspect);
    }

    void sessionConfirmed(long sentAtNanos) {
        leases.values().forEach(l -> l.confirm(sentAtNanos));
    }

    void sessionLost(LeaseLoss.Reason reason, String detail) {
        for (LeaseImpl lease : held()) {
            lease.markLost(reason, detail);
        }
    }

    LeaseEvents events() {
        return events;
    }

    /** Side effects of a loss; called exactly once per lost lease, outside its lock. */
    void onLost(LeaseImpl lease, LeaseLoss loss) {
        leases.remove(lease.grant(), lease);
        log.info("lease on \"{}\" (token {}) lost: {}", lease.name(), lease.fencingToken(), loss);
        runOrInline(callbacks, () -> lease.completeLost(loss));
        if (!closed) {
            // The grant may outlive our belief in it (deadline passed while the session lives on):
            // remove it, so that the next waiter need not wait for the engine to expire it.
            runOrInline(blocking, () -> releaseQuietly(lease));
        }
    }

    /** A lease handed over to a monitor wait: the backend removes its grant; stop tracking it. */
    void forget(LeaseImpl lease) {
        leases.remove(lease.grant(), lease);
    }

    /**
     * Side effects of a release; called exactly once per released lease, on the caller's thread.
     */
    void onReleased(LeaseImpl lease) {
        leases.remove(lease.grant(), lease);
        releaseQuietly(lease);
    }

    private void releaseQuietly(LeaseImpl lease) {
        releaseQuietly(lease.name(), lease.grant());
    }

    private void releaseQuietly(String name, Object grant) {
        Backend<Object> b = backend;
        if (b == null) {
            return;
        }
        try {
            b.release(grant);
        } catch (RuntimeException e) {
            log.warn(
                    "could not remove the grant of \"{}\" from the engine; it expires with its TTL: {}",
                    name,
                    e.toString());
        }
    }

    private static void runOrInline(Executor executor, Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /** Marks every lease lost (CLIENT_CLOSED) and removes its grant, synchronously. */
    @Override
    public void close() {
        closed = true;
        for (LeaseImpl lease : held()) {
            // Only a lease this call took from HELD/IN_DOUBT: a concurrent release() or loss has
            // already removed (or is removing) its grant, and release runs at most once.
            if (lease.markLost(LeaseLoss.Reason.CLIENT_CLOSED, "client closed")) {
                releaseQuietly(lease);
            }
        }
    }
}
