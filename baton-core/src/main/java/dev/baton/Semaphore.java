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

    /** Total permits of this semaphore. */
    int permits();

    FencedLease acquire(int permits, Duration timeout);

    Optional<FencedLease> tryAcquire(int permits);

    CompletableFuture<FencedLease> acquireAsync(int permits, Duration timeout);
}
