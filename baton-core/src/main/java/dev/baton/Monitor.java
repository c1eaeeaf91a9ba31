package dev.baton;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A monitor across processes: a fair (FIFO) exclusive lock with named {@link MonitorCondition
 * condition variables}, for the classic "check a condition under the lock, and if it does not hold,
 * wait until another holder makes it true and signals" (a producer waits until a shared bounded
 * buffer has room, a consumer until it has an item), without polling.
 *
 * <pre>{@code
 * Monitor buffer = baton.monitor("jobs/buffer");
 * MonitorCondition notEmpty = buffer.condition("not-empty");
 * FencedLease lease = buffer.enter(Duration.ofSeconds(10));
 * try {
 *     while (queue.isEmpty(lease.fencingToken())) {          // Mesa: always re-check in a loop
 *         lease = notEmpty.await(lease, Duration.ofSeconds(30)).lease();   // a new lease each time
 *     }
 *     Job job = queue.take(lease.fencingToken());           // the resource checks the token
 *     notFull.signal(lease);
 * } finally {
 *     lease.release();
 * }
 * }</pre>
 *
 * <p>Entering gives a {@link FencedLease} of kind {@link LeaseKind#MONITOR}, with every guarantee
 * of a {@link Mutex} lease: at most one holder, a strictly increasing fencing token per monitor
 * name, and the loss signal before anyone else can enter. Unlike {@code java.util.concurrent}, the
 * lease is passed explicitly to {@link MonitorCondition#await} and {@link MonitorCondition#signal},
 * and every wake-up is a new grant with a new, higher token (the monitor was someone else's
 * meanwhile).
 *
 * <p>The monitor and a {@link Mutex} of the same name are unrelated. Instances are cheap and
 * thread-safe; a lease is not tied to the thread that entered.
 */
public interface Monitor {

    /**
     * The monitor's name.
     *
     * @return the name this handle was made with
     */
    String name();

    /**
     * Enters the monitor, waiting up to {@code timeout} in FIFO order.
     *
     * @param timeout how long to wait for the monitor
     * @return the lease of the monitor, to pass to its conditions' {@code await} and {@code signal}
     * @throws LockTimeoutException if not entered in time (nothing is left in the engine)
     * @throws LockInterruptedException if interrupted while waiting (nothing is left)
     * @throws InvalidArgumentException if {@code timeout} is null or negative
     */
    FencedLease enter(Duration timeout);

    /**
     * Enters the monitor, waiting as long as it takes (interruptible).
     *
     * @return the lease of the monitor
     * @throws LockInterruptedException if interrupted while waiting (nothing is left)
     * @throws BackendUnavailableException if the engine cannot be reached
     */
    FencedLease enter();

    /**
     * Enters the monitor only if nobody holds it or waits for it now: never overtakes a waiter.
     *
     * @return the lease of the monitor, or empty if it is held or has waiters
     * @throws BackendUnavailableException if the engine cannot be reached
     */
    Optional<FencedLease> tryEnter();

    /**
     * Asynchronous {@link #enter(Duration)}, for a caller that cannot hold a thread per waiter (the
     * HTTP gateway). Cancelling the future withdraws the request; a grant that races with the
     * cancel is released. Dependent actions run on Baton's callback executor.
     *
     * @param timeout how long to wait in the FIFO entry queue; {@link Duration#ZERO} tries once
     * @return the lease once entered; the future fails with {@link LockTimeoutException} if not
     *     entered in time (nothing is left in the engine)
     * @throws InvalidArgumentException if {@code timeout} is null or negative
     */
    CompletableFuture<FencedLease> enterAsync(Duration timeout);

    /**
     * The condition variable {@code name} of this monitor (created on first use in the engine; a
     * condition with no waiter leaves nothing there).
     *
     * @param name the condition's name, e.g. {@code notEmpty}
     * @return a handle on the condition
     * @throws InvalidNameException if {@code name} is not one segment of {@code [A-Za-z0-9._-]+} of
     *     at most {@value MonitorCondition#MAX_NAME_LENGTH} characters
     */
    MonitorCondition condition(String name);
}
