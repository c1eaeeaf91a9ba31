package dev.baton;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A condition variable of a {@link Monitor}: a FIFO queue of holders that gave the monitor up until
 * another holder signals that the condition they wait for may now hold.
 *
 * <p><b>Mesa semantics.</b> A signal does not hand the monitor to the woken waiter, and it says
 * only that the condition <em>may</em> hold: the signaller keeps the monitor, and the waiter enters
 * again after it. Another holder may run first and make the condition false again, so a woken
 * waiter must re-check its condition in a loop:
 *
 * <pre>{@code
 * while (!conditionHolds(lease.fencingToken())) {
 *     lease = condition.await(lease, timeout).lease();
 * }
 * }</pre>
 *
 * <p><b>Where a woken waiter goes.</b> A signal (or the end of a waiter's timeout) moves the waiter
 * to the <em>tail</em> of the monitor's FIFO entry queue, behind everyone who was already waiting
 * to enter. So a waiter, once woken, waits for at most the holders that queued before it — a finite
 * number, each bounded by its lease — and no stream of later arrivals or of other signalled waiters
 * can overtake it: waiting to re-enter is bounded, for waiters and for new entrants alike. (A
 * waiter that kept its old place would let two holders that signal each other starve every
 * entrant.)
 *
 * <p><b>Signals are not remembered.</b> A signal with no waiter does nothing, as in {@code
 * java.util.concurrent}: state lives in the protected resource, not in the condition. Because
 * {@link #await} gives up the monitor and joins the wait queue in one atomic step in the engine, no
 * signal can fall between the two: a holder that saw the condition false and awaits is woken by the
 * next signal of any later holder.
 *
 * <p><b>Failures.</b> A waiter whose client dies or whose session expires leaves the wait queue
 * within the backend's usual bound (the lease TTL, or ZooKeeper's session timeout); until then the
 * engine cannot tell it from a slow live waiter. A signal goes to the longest-waiting waiter the
 * engine still counts as live. A waiter that dies after it was signalled takes that signal with it,
 * as a thread killed after {@code Condition.signal} would; a program that can lose waiters and
 * cannot afford to wait for the next signal uses {@link #signalAll} or a finite await timeout.
 * Timeouts, interrupts and cancellation leave nothing in the engine.
 *
 * <p>Instances are cheap and thread-safe.
 */
public interface MonitorCondition {
    /** The longest condition name. */
    int MAX_NAME_LENGTH = 64;

    /**
     * The condition's name, unique within its monitor.
     *
     * @return the name given to {@link Monitor#condition(String)}
     */
    String name();

    /**
     * The monitor this condition belongs to: only its leases may await or signal here.
     *
     * @return the monitor
     */
    Monitor monitor();

    /**
     * Atomically gives up the monitor held by {@code lease} and joins this condition's wait queue;
     * once signalled, or once {@code timeout} has passed, enters the monitor again (waiting in its
     * FIFO entry queue, without a time limit, as {@code Condition.await} does) and returns the new
     * lease, with a new, higher fencing token. The old lease is {@link LeaseState#RELEASED} by the
     * call; using it afterwards fails.
     *
     * @param lease the caller's current lease of this monitor
     * @param timeout how long to wait for a signal; {@link Duration#ZERO} gives the monitor up and
     *     queues again at once (a fair yield)
     * @return the new lease, and whether it was a signal (not the timeout) that woke the waiter
     * @throws MonitorLeaseException if {@code lease} is not this monitor's, or is released, in
     *     doubt or lost (also when the engine finds it gone): nothing changes in the engine
     * @throws LockInterruptedException if interrupted while waiting: the old lease is released and
     *     the caller holds nothing (nothing of the wait is left in the engine)
     * @throws InvalidArgumentException if {@code timeout} is null or negative
     * @throws BackendUnavailableException if the engine cannot be reached
     */
    Wakeup await(FencedLease lease, Duration timeout);

    /**
     * {@link #await(FencedLease, Duration)} with no timeout: waits for a signal.
     *
     * @param lease the caller's current lease of this monitor
     * @return the new lease (its {@code signalled} is always {@code true})
     * @throws MonitorLeaseException if {@code lease} is not this monitor's or not held: nothing
     *     changes in the engine
     * @throws LockInterruptedException if interrupted while waiting: the old lease is released and
     *     the caller holds nothing
     * @throws BackendUnavailableException if the engine cannot be reached
     */
    Wakeup await(FencedLease lease);

    /**
     * The atomic first step of {@link #await(FencedLease, Duration)} alone, for a caller that
     * cannot hold a thread for every waiter (the HTTP gateway waits on behalf of many clients):
     * gives up the monitor held by {@code lease} and joins this condition's wait queue in one
     * engine step, on the calling thread, and returns once the engine has done it (bounded by the
     * connect timeout). The returned {@link Waiting} completes when the waiter has re-entered; its
     * {@link Waiting#timeUp} ends the wait for a signal, as {@code await}'s timeout does.
     *
     * @param lease the caller's current lease of this monitor; {@link LeaseState#RELEASED} once
     *     this returns
     * @return the waiter, in the wait queue
     * @throws MonitorLeaseException if {@code lease} is not this monitor's, or is released, in
     *     doubt or lost (also when the engine finds it gone): nothing changes in the engine
     * @throws BackendUnavailableException if the engine cannot be reached (the lease is then lost)
     */
    Waiting beginAwait(FencedLease lease);

    /**
     * Wakes the longest-waiting waiter of this condition, if there is one: it moves to the tail of
     * the monitor's entry queue. Only the current holder may signal, which the engine checks
     * against {@code lease}; the caller keeps the monitor.
     *
     * @param lease the caller's current lease of this monitor
     * @return whether a waiter was woken (a signal with no waiter is not remembered)
     * @throws MonitorLeaseException if {@code lease} is not this monitor's or not held (also when
     *     the engine finds it gone): nothing changes
     */
    boolean signal(FencedLease lease);

    /**
     * Wakes every waiter of this condition, longest-waiting first: each moves to the tail of the
     * monitor's entry queue, behind everyone already queued to enter. On ZooKeeper each woken
     * waiter's own client queues it again (its entry must belong to its own session), so the
     * waiters of one {@code signalAll} may re-enter in another order among themselves; on the other
     * engines they re-enter in the order they waited.
     *
     * @param lease the caller's current lease of this monitor
     * @return how many waiters were woken
     * @throws MonitorLeaseException as {@link #signal}
     */
    int signalAll(FencedLease lease);

    /**
     * What {@link #await} returns.
     *
     * @param lease the new lease of the monitor: held, with a token above the given one's
     * @param signalled {@code true} if a signal woke the waiter, {@code false} if its timeout did
     */
    record Wakeup(FencedLease lease, boolean signalled) {}

    /**
     * An await begun by {@link #beginAwait}: the waiter is in the condition's wait queue until a
     * signal or {@link #timeUp} moves it to the tail of the monitor's entry queue, where it is
     * granted the monitor as any entrant is. Thread-safe.
     */
    interface Waiting {

        /**
         * The outcome, the same future on every call: completes with the new lease once the waiter
         * has re-entered, and {@code signalled} unless {@link #timeUp} moved it. Dependent actions
         * run on Baton's callback executor. Cancelling it gives the wait up: the waiter leaves
         * whichever queue it is in, and a grant that races with the cancel is released, so nothing
         * is left in the engine. It fails if the client closes or the engine ends the waiter's
         * session.
         *
         * @return the future wake-up
         */
        CompletableFuture<Wakeup> wakeup();

        /**
         * The wait for a signal is over (the caller's timeout): if the waiter is still in the wait
         * queue, moves it to the tail of the entry queue in one engine step, and waits for the
         * engine's answer (bounded by the connect timeout). Only the first call asks the engine.
         *
         * @return {@code true} if this call moved the waiter, {@code false} if a signal had moved
         *     it already, the wake-up is already complete, or an earlier call asked
         * @throws BackendUnavailableException if the engine could not be reached: the wait is then
         *     given up (nothing is left in the engine) and {@link #wakeup} fails with the same
         */
        boolean timeUp();
    }
}
