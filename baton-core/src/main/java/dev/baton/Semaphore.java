package dev.baton;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * At most {@link #permits()} permits are held at once across all clients. A grant of {@code n}
 * permits is one lease; a crashed holder's permits return when its lease expires, never leak.
 * Requests are served in arrival order (a large request at the head blocks later small ones), so
 * nobody starves. All clients must use the same permit count for a name.
 *
 * <p>The {@link LeaseLock} methods acquire one permit.
 */
public interface Semaphore extends LeaseLock {

    /**
     * Total permits of this semaphore.
     *
     * @return the permit count given to {@link Baton#semaphore(String, int)}
     */
    int permits();

    /**
     * Waits at most {@code timeout} for {@code permits} permits at once, as one lease: a caller
     * needing several never holds some while waiting for the rest, so two such callers cannot
     * deadlock.
     *
     * @param permits how many permits, between 1 and {@link #permits()}
     * @param timeout how long to wait
     * @return the lease of all the permits; closing it returns them all
     * @throws LockTimeoutException if not granted in time (carrying what was seen)
     * @throws LockInterruptedException if the thread was interrupted (interrupt flag re-set)
     * @throws BackendUnavailableException if the engine cannot be reached
     * @throws InvalidArgumentException if {@code permits} is out of range, or {@code timeout} is
     *     negative or null
     */
    FencedLease acquire(int permits, Duration timeout);

    /**
     * Tries once for {@code permits} permits, never waits.
     *
     * @param permits how many permits, between 1 and {@link #permits()}
     * @return the lease of all the permits, or empty if they are not free now (or others wait)
     * @throws BackendUnavailableException if the engine cannot be reached
     * @throws InvalidArgumentException if {@code permits} is out of range
     */
    Optional<FencedLease> tryAcquire(int permits);

    /**
     * Asynchronous {@link #acquire(int, Duration)}: cancelling the future withdraws the request.
     *
     * @param permits how many permits, between 1 and {@link #permits()}
     * @param timeout how long to wait
     * @return a future completed with the lease, or exceptionally as {@link #acquire(int,
     *     Duration)} throws
     * @throws InvalidArgumentException if {@code permits} is out of range, or {@code timeout} is
     *     negative or null
     */
    CompletableFuture<FencedLease> acquireAsync(int permits, Duration timeout);
}
