package dev.baton;

import java.util.Optional;

/** One candidate in an {@link Election}. Closing it withdraws the candidate and ends its task. */
public interface Candidacy extends AutoCloseable {

    /** Whether this candidate holds a valid leadership lease right now. */
    boolean isLeader();

    /** The current leadership lease, if leading. */
    Optional<FencedLease> leadership();

    /** How many times this candidate has become leader. */
    int terms();

    /**
     * The last exception (or error) the leader task threw, if any: a failed task is also logged at
     * ERROR and reported to the listener given to {@link Election#join(LeaderTask,
     * java.util.function.Consumer)}, and the candidate queues again. An interruption on loss or
     * close is no failure.
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
