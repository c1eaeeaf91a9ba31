package dev.baton;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * A time-bounded grant of a primitive (mutex, semaphore permits, read or write side, leadership).
 *
 * <p>The client keeps a conservative local deadline for every lease: the time it <em>sent</em> the
 * grant or last confirmed renewal request, plus the TTL (ZooKeeper: the negotiated session
 * timeout), minus a safety margin. Past that deadline the lease is {@link LeaseState#LOST} locally,
 * before the engine can grant the name to anyone else. {@link #state()} and {@link #ensureValid()}
 * read the clock themselves, so a thread resuming from a long pause sees the loss at once.
 *
 * <p>Threads: every method may be called from any thread. Callbacks attached to {@link #lost()} run
 * on Baton's callback executor, never on an engine I/O or event thread; they may block briefly but
 * should hand long work elsewhere.
 *
 * <p>Single use: once released or lost, a lease stays so; acquire again for a new one.
 */
public interface Lease extends AutoCloseable {

    /**
     * The primitive's name.
     *
     * @return the name of the mutex, semaphore, lock or election that granted this lease
     */
    String name();

    /**
     * Which primitive granted this lease.
     *
     * @return the kind, e.g. {@link LeaseKind#MUTEX}
     */
    LeaseKind kind();

    /**
     * Permits held.
     *
     * @return the permits this grant counts for: 1 except for semaphores
     */
    int permits();

    /**
     * Identity of the holding client.
     *
     * @return the holder's {@link Baton#clientId()}, as the engine records it
     */
    String holder();

    /**
     * Wall-clock time at which the grant was confirmed to this client; for display and logs only,
     * since deadlines are measured on the monotonic {@link Ticker}.
     *
     * @return when the grant was confirmed
     */
    Instant grantedAt();

    /**
     * Current state, checked against the local deadline at the call.
     *
     * @return {@link LeaseState#LOST} as soon as the deadline has passed, even before the renewal
     *     machinery notices
     */
    LeaseState state();

    /**
     * Time left before the local deadline, read from the clock at the call: how long the holder may
     * still act as the holder if no renewal succeeds meanwhile. {@link Duration#ZERO} once the
     * deadline has passed or the lease is released or lost. A renewal moves the deadline forward,
     * so the value can grow between calls.
     *
     * @return the time left, never negative
     */
    Duration remaining();

    /**
     * Whether {@link #state()} is {@link LeaseState#HELD}.
     *
     * @return true while the lease is held and confirmed
     */
    default boolean isHeld() {
        return state() == LeaseState.HELD;
    }

    /**
     * Throws unless the lease is {@link LeaseState#HELD}. Call it before each side effect that
     * relies on exclusivity, and pass the fencing token to resources that can check it.
     *
     * @throws LeaseLostException if lost
     * @throws LeaseInvalidException if released or in doubt
     */
    void ensureValid();

    /**
     * Completes once, with the reason, when the lease is lost; never completes if it is released
     * first. Dependent actions run on Baton's callback executor.
     *
     * @return the loss signal: stop work that relies on the lease when it completes
     */
    CompletionStage<LeaseLoss> lost();

    /**
     * Gives the grant back to the engine, removing only this lease's own entry. Idempotent.
     *
     * @return {@code true} if this call released a held (or in-doubt) lease; {@code false} if the
     *     lease was already released or lost (a no-op)
     */
    boolean release();

    /** Same as {@link #release()}; for try-with-resources. */
    @Override
    default void close() {
        release();
    }
}
