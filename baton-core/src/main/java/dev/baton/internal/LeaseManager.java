package dev.baton.internal;

import dev.baton.LeaseKind;
import dev.baton.LeaseLoss;
import dev.baton.Ticker;
import dev.baton.spi.Backend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p>Why the loss signal comes first: a lease's deadline is {@code sentAt + ttl − margin}, where
 * {@code sentAt} precedes the engine's receipt of the request. The engine cannot expire the grant
 * before {@code receipt + ttl}, so the client declares the loss at least {@code margin/2} earlier
 * (the check runs every {@code min(margin/2, 100 ms)}), and readers of the lease state see it at
 * once.
 */
public final class LeaseManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseManager.class);

    private final String clientId;
    private final Ticker ticker;
    private final ScheduledExecutorService timer;
    private final ScheduledExecutorService deadlines;
    private final Executor callbacks;
    private final Executor blocking;
    private final Set<LeaseImpl> leases = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean renewalInFlight = new AtomicBoolean();
    private volatile Backend backend;
    private volatile long ttlNanos;
    private volatile long marginNanos;
    private volatile boolean closed;

    LeaseManager(
            String clientId,
            Ticker ticker,
            ScheduledExecutorService timer,
            ScheduledExecutorService deadlines,
            Executor callbacks,
            Executor blocking) {
        this.clientId = clientId;
        this.ticker = ticker;
        this.timer = timer;
        this.deadlines = deadlines;
        this.callbacks = callbacks;
        this.blocking = blocking;
    }

    /** Starts renewal once the backend is connected and its TTL known. */
    void start(Backend connected, Duration ttl, Duration margin) {
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

    LeaseImpl newLease(
            String name, LeaseKind kind, int permits, long token, long sentAtNanos, Object handle) {
        LeaseImpl lease =
                new LeaseImpl(this, name, kind, permits, clientId, token, sentAtNanos, handle);
        leases.add(lease);
        if (closed) {
            lease.markLost(LeaseLoss.Reason.CLIENT_CLOSED, "client closed while granting");
        }
        return lease;
    }

    /** Held (or in-doubt) leases right now. */
    public List<LeaseImpl> held() {
        return new ArrayList<>(leases);
    }

    private void renewTick() {
        if (leases.isEmpty() || closed || !renewalInFlight.compareAndSet(false, true)) {
            return;
        }
        List<LeaseImpl> batch = held();
        long sentAt = ticker.read();
        try {
            CompletableFuture<Set<LeaseImpl>> answer = backend.renew(batch).toCompletableFuture();
            // Well inside the renewal interval (ttl/3), so an unanswered renewal shows as IN_DOUBT
            // long before the deadline, and the next tick is not skipped. Timed on this (the
            // scheduler) thread rather than with orTimeout, which would start the JDK's own
            // delay thread.
            ScheduledFuture<?> bound =
                    timer.schedule(
                            () ->
                                    answer.completeExceptionally(
                                            new TimeoutException(
                                                    "no answer to the renewal within ttl/4")),
                            ttlNanos / 4,
                            TimeUnit.NANOSECONDS);
            answer.whenComplete(
                    (gone, error) -> {
                        bound.cancel(false);
                        renewalInFlight.set(false);
                        if (error != null) {
                            log.debug(
                                    "renewal of {} leases failed: {}",
                                    batch.size(),
                                    error.toString());
                            batch.forEach(LeaseImpl::suspect);
                            return;
                        }
                        for (LeaseImpl lease : batch) {
                            if (gone.contains(lease)) {
                                lease.markLost(
                                        LeaseLoss.Reason.GRANT_GONE,
                                        "renewal found the grant gone from the engine");
                            } else {
                                lease.confirm(sentAt);
                            }
                        }
                    });
        } catch (RuntimeException e) {
            renewalInFlight.set(false);
            log.debug("renewal could not be sent: {}", e.toString());
            batch.forEach(LeaseImpl::suspect);
        }
    }

    private void checkDeadlines() {
        try {
            long now = ticker.read();
            for (LeaseImpl lease : leases) {
                lease.checkDeadline(now);
            }
        } catch (RuntimeException e) {
            log.warn("deadline check failed", e);
        }
    }

    void sessionSuspended() {
        leases.forEach(LeaseImpl::suspect);
    }

    void sessionConfirmed(long sentAtNanos) {
        leases.forEach(l -> l.confirm(sentAtNanos));
    }

    void sessionLost(LeaseLoss.Reason reason, String detail) {
        for (LeaseImpl lease : held()) {
            lease.markLost(reason, detail);
        }
    }

    /** Side effects of a loss; called exactly once per lost lease, outside its lock. */
    void onLost(LeaseImpl lease, LeaseLoss loss) {
        leases.remove(lease);
        log.info("lease on \"{}\" (token {}) lost: {}", lease.name(), lease.fencingToken(), loss);
        runOrInline(callbacks, () -> lease.completeLost(loss));
        if (!closed) {
            // The grant may outlive our belief in it (deadline passed while the session lives on):
            // remove it, so that the next waiter need not wait for the engine to expire it.
            runOrInline(blocking, () -> releaseQuietly(lease));
        }
    }

    /**
     * Side effects of a release; called exactly once per released lease, on the caller's thread.
     */
    void onReleased(LeaseImpl lease) {
        leases.remove(lease);
        releaseQuietly(lease);
    }

    private void releaseQuietly(LeaseImpl lease) {
        Backend b = backend;
        if (b == null) {
            return;
        }
        try {
            b.release(lease);
        } catch (RuntimeException e) {
            log.warn(
                    "could not remove the grant of \"{}\" from the engine; it expires with its TTL: {}",
                    lease.name(),
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
