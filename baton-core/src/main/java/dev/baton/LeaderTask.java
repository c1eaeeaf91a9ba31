package dev.baton;

/**
 * Work done while leader. Runs on a thread owned by the {@link Candidacy}; it is interrupted when
 * leadership is lost or the candidacy is closed, and must then return promptly. When it returns,
 * leadership is released and the candidate queues again (unless closed).
 */
@FunctionalInterface
public interface LeaderTask {
    /**
     * Does the leader's work for one term.
     *
     * @param leadership the term's lease: pass its fencing token to resources that check it, and
     *     {@link Lease#ensureValid()} before side effects
     * @throws Exception any failure, logged and reported by the candidacy, after which the
     *     candidate queues again
     */
    void lead(FencedLease leadership) throws Exception;
}
