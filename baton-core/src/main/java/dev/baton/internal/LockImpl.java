package dev.baton.internal;

import dev.baton.BackendUnavailableException;
import dev.baton.BatonException;
import dev.baton.ClientClosedException;
import dev.baton.FencedLease;
import dev.baton.InvalidArgumentException;
import dev.baton.LeaseKind;
import dev.baton.LockInterruptedException;
import dev.baton.LockSnapshot;
import dev.baton.LockTimeoutException;
import dev.baton.Mutex;
import dev.baton.Semaphore;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.NotAcquiredException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The generic lock over a backend: mutex, semaphore, one side of a read-write lock, leadership. It
 * owns the caller-facing semantics that every backend shares — argument checks, timeouts,
 * interrupts, cancellation, and moving user continuations off engine threads — so that a backend
 * only grants, withdraws and releases. <b>Internal.</b>
 */
final class LockImpl implements Mutex, Semaphore {
    /** Extra time a blocked caller waits beyond the timeout for the backend to answer at all. */
    private static final long ANSWER_GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final BatonImpl baton;
    private final String name;
    private final LeaseKind kind;
    private final int limit;

    LockImpl(BatonImpl baton, String name, LeaseKind kind, int limit) {
        this.baton = baton;
        this.name = name;
        this.kind = kind;
        this.limit = limit;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int permits() {
        return limit;
    }

    @Override
    public FencedLease acquire(Duration timeout) {
        return acquire(1, timeout);
    }

    @Override
    public FencedLease acquire() {
        return blockingAcquire(1, -1);
    }

    @Override
    public Optional<FencedLease> tryAcquire() {
        return tryAcquire(1);
    }

    @Override
    public CompletableFuture<FencedLease> acquireAsync(Duration timeout) {
        return acquireAsync(1, timeout);
    }

    @Override
    public FencedLease acquire(int permits, Duration timeout) {
        long nanos = checkTimeout(timeout);
        checkPermits(permits);
        if (nanos == 0) {
            return tryAcquire(permits)
                    .orElseThrow(
                            () -> new LockTimeoutException(name, Duration.ZERO, snapshotQuietly()));
        }
        return blockingAcquire(permits, nanos);
    }

    @Override
    public Optional<FencedLease> tryAcquire(int permits) {
        checkPermits(permits);
        baton.ensureOpen();
        AcquireCall f = baton.acquire(request(permits, true));
        try {
            return Optional.of(
                    await(
                            f,
                            baton.config().connectTimeout().toNanos() + ANSWER_GRACE_NANOS,
                            baton.ticker().read()));
        } catch (NotAcquiredException e) {
            return Optional.empty();
        }
    }

    @Override
    public CompletableFuture<FencedLease> acquireAsync(int permits, Duration timeout) {
        long nanos = checkTimeout(timeout);
        checkPermits(permits);
        baton.ensureOpen();
        long started = baton.ticker().read();
        AcquireCall engine =
                nanos == 0 ? baton.acquire(request(permits, true)) : start(permits, nanos, started);
        CompletableFuture<FencedLease> user = new CompletableFuture<>();
        // Continuations must not run on engine threads: hop to the callback executor. The hop
        // itself may be refused (client closing): then release here, so no grant is left behind.
        engine.whenComplete(
                (lease, error) -> {
                    Runnable handOff = () -> handOff(user, lease, error, started);
                    try {
                        baton.callbackExecutor().execute(handOff);
                    } catch (RejectedExecutionException rejected) {
                        if (lease != null) {
                            lease.release();
                        }
                        user.completeExceptionally(new ClientClosedException(baton.clientId()));
                    }
                });
        // However the caller's future ends (cancel, complete, orTimeout), withdraw the request.
        // That
        // may run on any thread (the JDK's shared delay thread for orTimeout), and withdrawing may
        // wait on the engine: do it on a worker.
        user.whenComplete(
                (lease, error) -> {
                    if (!engine.isDone()) {
                        runOnWorker(() -> engine.cancel(false));
                    }
                });
        return user;
    }

    private void handOff(
            CompletableFuture<FencedLease> user, LeaseImpl lease, Throwable error, long started) {
        if (error != null) {
            Throwable cause = error instanceof CompletionException ? error.getCause() : error;
            user.completeExceptionally(
                    cause instanceof NotAcquiredException // acquireAsync(ZERO) tried once
                            ? new LockTimeoutException(name, Duration.ZERO, snapshotQuietly())
                            : failure(error, started));
        } else if (!user.complete(lease)) {
            lease.release(); // the caller gave up as it was granted
        }
    }

    /**
     * A blocking acquire times out on the caller's own timed wait, so no timer task is scheduled
     * and cancelled per call (it would wake the scheduler thread on every uncontended acquire).
     * When the wait ends unanswered, the caller fails the future itself, which makes the backend
     * withdraw the request, on this thread; if the grant won that race, the lease is the answer.
     */
    private FencedLease blockingAcquire(int permits, long timeoutNanos) {
        baton.ensureOpen();
        long started = baton.ticker().read();
        AcquireCall f = baton.acquire(request(permits, false));
        if (timeoutNanos < 0) {
            return await(f, -1, started);
        }
        try {
            f.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.completeExceptionally(TimedOut.INSTANCE); // no effect if answered meanwhile
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // await gives up and reports it
        } catch (ExecutionException | CancellationException e) {
            // await reports it
        }
        // Done by now (or interrupted): await only reads the outcome.
        return await(f, ANSWER_GRACE_NANOS, started);
    }

    /**
     * Starts an asynchronous acquisition; a finite timeout fails the future at the deadline, which
     * makes the backend withdraw the request. Withdrawing may wait on the engine, so the scheduler
     * thread only hands the failure to a worker: it must stay free for renewal. What was seen is
     * read afterwards by whoever reports the timeout.
     */
    private AcquireCall start(int permits, long timeoutNanos, long started) {
        AcquireCall f = baton.acquire(request(permits, false));
        if (timeoutNanos > 0 && !f.isDone()) {
            ScheduledFuture<?> timer =
                    baton.timer()
                            .schedule(
                                    () -> failOnWorker(f, TimedOut.INSTANCE),
                                    timeoutNanos,
                                    TimeUnit.NANOSECONDS);
            f.whenComplete((l, e) -> timer.cancel(false));
        }
        return f;
    }

    private void failOnWorker(AcquireCall f, Throwable t) {
        runOnWorker(() -> f.completeExceptionally(t));
    }

    private void runOnWorker(Runnable task) {
        try {
            baton.blockingExecutor().execute(task);
        } catch (RejectedExecutionException closing) {
            task.run(); // the client is closing; its threads are going away
        }
    }

    /**
     * Marks a future failed by the timeout timer; never escapes to callers (the lease events tell a
     * timeout by it).
     */
    static final class TimedOut extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final TimedOut INSTANCE = new TimedOut();

        private TimedOut() {
            super("timed out", null, false, false);
        }
    }

    private LockSnapshot snapshotQuietly() {
        try {
            return baton.backend().inspect(name).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Waits for the future. On interrupt, abandons it: withdraws, or if the grant won the race,
     * releases it, so that an interrupted caller never leaves a grant behind.
     */
    private LeaseImpl await(AcquireCall f, long boundNanos, long started) {
        try {
            return boundNanos < 0 ? f.get() : f.get(boundNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            f.abandon();
            Thread.currentThread().interrupt();
            throw new LockInterruptedException(name);
        } catch (TimeoutException e) {
            f.abandon();
            throw new BackendUnavailableException(
                    "the engine did not answer an acquire of \"" + name + "\" in time");
        } catch (ExecutionException e) {
            throw failure(e.getCause(), started);
        } catch (CancellationException e) {
            throw new BatonException("acquire of \"" + name + "\" was cancelled", e);
        }
    }

    private AcquireRequest request(int permits, boolean tryOnce) {
        return new AcquireRequest(name, kind, permits, limit, tryOnce);
    }

    /**
     * The exception to report for a failed acquisition. A timeout is reported with what was seen,
     * read now that the request has been withdrawn, on the reporting (never an engine) thread.
     */
    private BatonException failure(Throwable t, long started) {
        while ((t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof TimedOut) {
            Duration waited = Duration.ofNanos(baton.ticker().read() - started);
            return new LockTimeoutException(name, waited, snapshotQuietly());
        }
        if (t instanceof BatonException b) {
            return b;
        }
        if (t instanceof CancellationException) {
            return new BatonException("acquire of \"" + name + "\" was cancelled", t);
        }
        return new BatonException("acquire of \"" + name + "\" failed: " + t, t);
    }

    static long checkTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative()) {
            throw InvalidArgumentException.mustBe("timeout", "zero or positive", timeout);
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4; // centuries: effectively unbounded, and safe to add to
        }
    }

    private void checkPermits(int permits) {
        if (permits < 1 || permits > limit) {
            throw InvalidArgumentException.mustBe(
                    "permits for \"" + name + "\"", "between 1 and " + limit, permits);
        }
    }

    @Override
    public String toString() {
        return kind
                + " \""
                + name
                + "\""
                + (kind == LeaseKind.SEMAPHORE ? " (" + limit + " permits)" : "");
    }
}
