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
     * Withdraws: interrupts the task if leading, releases leadership, stops queueing. Idempotent.
     */
    @Override
    void close();
}
