package dev.baton.redis;

import dev.baton.Lease;
import dev.baton.Mutex;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A Redlock mutex: grants are plain {@link Lease}s with a loss signal and a conservative local
 * deadline, but <b>no fencing token</b>. Not fair: waiters retry with random jitter and may be
 * overtaken. Handles are cheap, thread-safe and reusable; each acquire produces a new lease.
 */
public final class RedlockMutex {
    private final Mutex core;

    RedlockMutex(Mutex core) {
        this.core = core;
    }

    /** The mutex's name. */
    public String name() {
        return core.name();
    }

    /**
     * Retries Redlock rounds for at most {@code timeout}.
     *
     * @throws dev.baton.LockTimeoutException if no majority was won in time
     * @throws dev.baton.LockInterruptedException if the thread was interrupted
     * @throws dev.baton.InvalidArgumentException if {@code timeout} is negative or null
     */
    public Lease acquire(Duration timeout) {
        return new RedlockLease(core.acquire(timeout));
    }

    /** Retries Redlock rounds until granted, without a time limit (interruptible). */
    public Lease acquire() {
        return new RedlockLease(core.acquire());
    }

    /** One Redlock round, never waits: "not acquired" is an empty result. */
    public Optional<Lease> tryAcquire() {
        return core.tryAcquire().map(RedlockLease::new);
    }

    /** Acquires (waiting at most {@code timeout}), runs {@code action}, releases. */
    public void withLease(Duration timeout, Consumer<? super Lease> action) {
        try (Lease lease = acquire(timeout)) {
            action.accept(lease);
        }
    }

    /** Acquires (waiting at most {@code timeout}), computes, releases, returns the result. */
    public <T> T callWithLease(Duration timeout, Function<? super Lease, T> action) {
        try (Lease lease = acquire(timeout)) {
            return action.apply(lease);
        }
    }

    @Override
    public String toString() {
        return "RedlockMutex \"" + name() + "\"";
    }
}
