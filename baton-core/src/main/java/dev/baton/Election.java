package dev.baton;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * Leader election on a name: candidates queue in arrival order; the head leads until its task
 * returns, it withdraws, or its leadership lease is lost. Failover to the next candidate happens
 * within the engine's session timeout (or lease TTL).
 */
public interface Election {
    String name();

    /**
     * Joins the election. {@code task} runs each time this candidate becomes leader.
     *
     * @return a handle that withdraws the candidate when closed
     */
    Candidacy join(LeaderTask task);

    /**
     * Joins the election; each exception (or error) {@code task} throws is logged at ERROR and
     * handed to {@code onFailure} on Baton's callback executor, after which the candidate queues
     * again. An interruption on loss or close is no failure.
     *
     * @return a handle that withdraws the candidate when closed
     */
    Candidacy join(LeaderTask task, Consumer<? super Throwable> onFailure);

    /** The current leader's client id, as the engine sees it now. */
    Optional<String> leader();
}
