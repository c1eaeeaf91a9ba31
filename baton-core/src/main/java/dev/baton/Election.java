package dev.baton;

import java.util.Optional;

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

    /** The current leader's client id, as the engine sees it now. */
    Optional<String> leader();
}
