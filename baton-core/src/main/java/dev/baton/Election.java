package dev.baton;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * Leader election on a name: candidates queue in arrival order; the head leads until its task
 * returns, it withdraws, or its leadership lease is lost. Failover to the next candidate happens
 * within the engine's session timeout (or lease TTL).
 */
public interface Election {
    /**
     * The election's name.
     *
     * @return the name this handle was made with
     */
    String name();

    /**
     * Joins the election. {@code task} runs each time this candidate becomes leader. A task that
     * throws is logged at ERROR and the candidate queues again; use {@link #join(LeaderTask,
     * Consumer)} to hear of it in code.
     *
     * @param task the work to do while leader, on a thread of the candidacy's own
     * @return a handle that withdraws the candidate when closed
     */
    Candidacy join(LeaderTask task);

    /**
     * Joins the election; each exception (or error) {@code task} throws is logged at ERROR and
     * handed to {@code onFailure} on Baton's callback executor, after which the candidate queues
     * again. An interruption on loss or close is no failure.
     *
     * @param task the work to do while leader, on a thread of the candidacy's own
     * @param onFailure receives each exception or error the task throws
     * @return a handle that withdraws the candidate when closed
     */
    Candidacy join(LeaderTask task, Consumer<? super Throwable> onFailure);

    /**
     * The current leader's client id, as the engine sees it now: one round trip, for display; a
     * process that must act only as leader checks its own {@link Candidacy#leadership()} instead.
     *
     * @return the leader's {@link Baton#clientId()}, or empty if nobody leads
     * @throws BackendUnavailableException if the engine cannot be reached
     */
    Optional<String> leader();
}
