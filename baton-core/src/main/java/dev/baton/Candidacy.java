package dev.baton;

import java.util.Optional;

/** One candidate in an {@link Election}. Closing it withdraws the candidate and ends its task. */
public interface Candidacy extends AutoCloseable {

    /**
     * Whether this candidate holds a valid leadership lease right now.
     *
     * @return true while leading with a {@link LeaseState#HELD} lease
     */
    boolean isLeader();

    /**
     * The current leadership lease, if leading: its fencing token marks the leader's writes, so
     * that a resource can reject a deposed leader's late ones.
     *
     * @return the lease of the current term, or empty when not leading
     */
    Optional<FencedLease> leadership();

    /**
     * How many times this candidate has become leader.
     *
     * @return the number of terms begun, 0 before the first
     */
    int terms();

    /**
     * The last exception (or error) the leader task threw, if any: a failed task is also logged at
     * ERROR and reported to the listener given to {@link Election#join(LeaderTask,
     * java.util.function.Consumer)}, and the candidate queues again. An interruption on loss or
     * close is no failure.
     *
     * @return the last failure, or empty if the task never failed
     */
    Optional<Throwable> lastFailure();

    /**
     * Withdraws: interrupts the task if leading, releases leadership, stops queueing; returns once
     * the task has returned (bounded: at most 5 s for a task that ignores its interrupt), without
     * any further pause. Idempotent.
     */
    @Override
    void close();
}
