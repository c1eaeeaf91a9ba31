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

    /** The lock's name. */
    String name();

    /**
     * Waits at most {@code timeout} for a grant.
     *
     * @throws LockTimeoutException if not granted in time (carrying what was seen)
     * @throws LockInterruptedException if the thread was interrupted (interrupt flag re-set)
     * @throws BackendUnavailableException if the engine cannot be reached
     * @throws InvalidArgumentException if {@code timeout} is negative or null
     */
    FencedLease acquire(Duration timeout);

    /** Waits until granted, without a time limit (interruptible). */
    FencedLease acquire();

    /** Tries once, never waits: "not acquired" is an empty result, not an exception. */
    Optional<FencedLease> tryAcquire();

    /**
     * Asynchronous {@link #acquire(Duration)}. Cancelling the future withdraws the request; a grant
     * that races with the cancel is released. Dependent actions run on Baton's callback executor.
     */
    CompletableFuture<FencedLease> acquireAsync(Duration timeout);

    /** Acquires (waiting at most {@code timeout}), runs {@code action}, releases. */
    default void withLease(Duration timeout, Consumer<? super FencedLease> action) {
        try (FencedLease lease = acquire(timeout)) {
            action.accept(lease);
        }
    }

    /** Acquires (waiting at most {@code timeout}), computes, releases, returns the result. */
    default <T> T callWithLease(Duration timeout, Function<? super FencedLease, T> action) {
        try (FencedLease lease = acquire(timeout)) {
            return action.apply(lease);
        }
    }
}
