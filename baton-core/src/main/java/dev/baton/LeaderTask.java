package dev.baton;

/**
 * Work done while leader. Runs on a thread owned by the {@link Candidacy}; it is interrupted when
 * leadership is lost or the candidacy is closed, and must then return promptly. When it returns,
 * leadership is released and the candidate queues again (unless closed).
 */
@FunctionalInterface
public interface LeaderTask {
    void lead(FencedLease leadership) throws Exception;
}
