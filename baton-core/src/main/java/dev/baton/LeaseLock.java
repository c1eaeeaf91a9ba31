package dev.baton;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A named lock whose grants are {@link FencedLease leases}: the common shape of {@link Mutex}, the
 * sides of a {@link ReadWriteLock}, and single permits of a {@link Semaphore}.
 *
 * <p>Waiting is by engine notification, not polling, and first-come first-served: no waiter is
 * overtaken by a later arrival. A waiter that gives up (timeout, interrupt, cancelled future)
 * leaves nothing behind in the engine. Handles are cheap, thread-safe and reusable; each acquire
 * produces a new lease.
 */
public interface LeaseLock {

    /**
     * The lock's name.
     *
     * @return the name this handle was made with
     */
    String name();

    /**
     * Waits at most {@code timeout} for a grant.
     *
     * @param timeout how long to wait; {@link Duration#ZERO} tries once like {@link #tryAcquire()}
     *     but reports a held lock as a timeout
     * @return the new lease, {@link LeaseState#HELD}; close it to release
     * @throws LockTimeoutException if not granted in time (carrying what was seen)
     * @throws LockInterruptedException if the thread was interrupted (interrupt flag re-set)
     * @throws BackendUnavailableException if the engine cannot be reached
     * @throws InvalidArgumentException if {@code timeout} is negative or null
     */
    FencedLease acquire(Duration timeout);

    /**
     * Waits until granted, without a time limit (interruptible): for callers that have nothing
     * better to do than wait, such as a worker whose only job needs the lock.
     *
     * @return the new lease, {@link LeaseState#HELD}; close it to release
     * @throws LockInterruptedException if the thread was interrupted (interrupt flag re-set)
     * @throws BackendUnavailableException if the engine cannot be reached
     */
    FencedLease acquire();

    /**
     * Tries once, never waits: "not acquired" is an empty result, not an exception.
     *
     * @return the new lease, or empty if the lock is held (or, for a fair lock, others wait)
     * @throws BackendUnavailableException if the engine cannot be reached
     */
    Optional<FencedLease> tryAcquire();

    /**
     * Asynchronous {@link #acquire(Duration)}. Cancelling the future withdraws the request; a grant
     * that races with the cancel is released. Dependent actions run on Baton's callback executor.
     *
     * @param timeout how long to wait for the grant
     * @return a future completed with the lease, or exceptionally with the exceptions {@link
     *     #acquire(Duration)} throws
     * @throws InvalidArgumentException if {@code timeout} is negative or null
     */
    CompletableFuture<FencedLease> acquireAsync(Duration timeout);

    /**
     * Acquires (waiting at most {@code timeout}), runs {@code action}, releases, even when {@code
     * action} throws.
     *
     * @param timeout how long to wait for the grant
     * @param action the work to do while holding the lease; it receives the lease for its fencing
     *     token and validity checks
     * @throws LockTimeoutException if not granted in time
     * @throws LockInterruptedException if the thread was interrupted while waiting
     * @throws BackendUnavailableException if the engine cannot be reached
     */
    default void withLease(Duration timeout, Consumer<? super FencedLease> action) {
        try (FencedLease lease = acquire(timeout)) {
            action.accept(lease);
        }
    }

    /**
     * Acquires (waiting at most {@code timeout}), computes, releases, returns the result.
     *
     * @param <T> the result's type
     * @param timeout how long to wait for the grant
     * @param action the computation to run while holding the lease; it receives the lease for its
     *     fencing token and validity checks
     * @return what {@code action} returned
     * @throws LockTimeoutException if not granted in time
     * @throws LockInterruptedException if the thread was interrupted while waiting
     * @throws BackendUnavailableException if the engine cannot be reached
     */
    default <T> T callWithLease(Duration timeout, Function<? super FencedLease, T> action) {
        try (FencedLease lease = acquire(timeout)) {
            return action.apply(lease);
        }
    }
}
