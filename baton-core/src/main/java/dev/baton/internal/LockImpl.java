package dev.baton.internal;

import dev.baton.BackendUnavailableException;
import dev.baton.BatonException;
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
        CompletableFuture<LeaseImpl> f = baton.backend().acquire(request(permits, true));
        try {
            return Optional.of(
                    await(f, baton.config().connectTimeout().toNanos() + ANSWER_GRACE_NANOS));
        } catch (NotAcquiredException e) {
            return Optional.empty();
        }
    }

    @Override
    public CompletableFuture<FencedLease> acquireAsync(int permits, Duration timeout) {
        long nanos = checkTimeout(timeout);
        checkPermits(permits);
        baton.ensureOpen();
        CompletableFuture<LeaseImpl> engine = start(permits, nanos);
        CompletableFuture<FencedLease> user = new CompletableFuture<>();
        // Continuations must not run on engine threads: hop to the callback executor.
        engine.whenCompleteAsync(
                (lease, error) -> {
                    if (error != null) {
                        user.completeExceptionally(unwrap(error));
                    } else if (!user.complete(lease)) {
                        lease.release(); // the caller gave up as it was granted
                    }
                },
                baton.callbackExecutor());
        user.whenComplete(
                (lease, error) -> {
                    if (user.isCancelled()) {
                        engine.cancel(false);
                    }
                });
        return user;
    }

    private FencedLease blockingAcquire(int permits, long timeoutNanos) {
        baton.ensureOpen();
        CompletableFuture<LeaseImpl> f = start(permits, timeoutNanos);
        long bound = timeoutNanos < 0 ? -1 : timeoutNanos + ANSWER_GRACE_NANOS;
        return await(f, bound);
    }

    /**
     * Starts an acquisition; a finite timeout fails the future at the deadline (withdrawing it).
     */
    private CompletableFuture<LeaseImpl> start(int permits, long timeoutNanos) {
        long started = baton.ticker().read();
        CompletableFuture<LeaseImpl> f = baton.backend().acquire(request(permits, false));
        if (timeoutNanos > 0 && !f.isDone()) {
            ScheduledFuture<?> timer =
                    baton.timer()
                            .schedule(
                                    () ->
                                            baton.blockingExecutor()
                                                    .execute(() -> expire(f, started)),
                                    timeoutNanos,
                                    TimeUnit.NANOSECONDS);
            f.whenComplete((l, e) -> timer.cancel(false));
        }
        return f;
    }

    private void expire(CompletableFuture<LeaseImpl> f, long started) {
        if (f.isDone()) {
            return;
        }
        LockSnapshot seen = snapshotQuietly();
        Duration waited = Duration.ofNanos(baton.ticker().read() - started);
        f.completeExceptionally(new LockTimeoutException(name, waited, seen));
    }

    private LockSnapshot snapshotQuietly() {
        try {
            return baton.backend().inspect(name).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Waits for the future. On interrupt, withdraws; if the grant won the race, releases it, so
     * that an interrupted caller never leaves a grant behind.
     */
    private LeaseImpl await(CompletableFuture<LeaseImpl> f, long boundNanos) {
        try {
            return boundNanos < 0 ? f.get() : f.get(boundNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            giveUp(f);
            Thread.currentThread().interrupt();
            throw new LockInterruptedException(name);
        } catch (TimeoutException e) {
            giveUp(f);
            throw new BackendUnavailableException(
                    "the engine did not answer an acquire of \"" + name + "\" in time");
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (CancellationException e) {
            throw new BatonException("acquire of \"" + name + "\" was cancelled", e);
        }
    }

    private static void giveUp(CompletableFuture<LeaseImpl> f) {
        if (!f.cancel(false) && !f.isCompletedExceptionally()) {
            LeaseImpl granted = f.getNow(null);
            if (granted != null) {
                granted.release();
            }
        }
    }

    private AcquireRequest request(int permits, boolean tryOnce) {
        return new AcquireRequest(name, kind, permits, limit, tryOnce);
    }

    private static BatonException unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof BatonException b) {
            return b;
        }
        if (t instanceof CancellationException) {
            return new BatonException("acquire was cancelled", t);
        }
        return new BackendUnavailableException("acquire failed: " + t, t);
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
