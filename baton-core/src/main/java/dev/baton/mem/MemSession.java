package dev.baton.mem;

import dev.baton.mem.MemQueues.Entry;
import java.util.ArrayList;
import java.util.List;

/**
 * One client's session with a {@link MemEngine}, as the engine keeps it: who the client is, how to
 * reach it ({@link Client}), when the engine last heard it, and where the session is in its life.
 *
 * <p><b>Threads and lock.</b> Mostly a record of state: the engine opens, hears, expires and closes
 * sessions (see there). Fields other than the finals are guarded by the engine lock, except {@link
 * #generation}, which the client reads without it.
 */
final class MemSession {
    /**
     * How the engine reaches a connected client. Every method is called outside the engine lock.
     */
    interface Client {
        /**
         * {@code entry} was granted; the request that proved it was sent at {@code sentAtNanos}.
         * Must not block: hand the work to the client's own thread.
         */
        void granted(Entry entry, long sentAtNanos);

        /**
         * The session ended; called synchronously before the session's grants are removed, and only
         * if the engine can reach the client. (A client cut off at expiry learns of it from {@link
         * SessionExpiredException} on its first request that reaches the engine again.)
         */
        void sessionExpired(String detail);

        /** Waiting entries removed by the engine (session expiry); their futures must fail. */
        void waitersDropped(
                List<Entry> entries, List<MemQueues.CondWaiter> conditionWaiters, String why);
    }

    /** Where a session is in its life; it only moves down this list (or from ACTIVE to CLOSED). */
    enum State {
        ACTIVE,
        /** Expiry started: the client is being told; its waiters can no longer be granted. */
        EXPIRING,
        /**
         * Expired; requests of the session fail with {@link SessionExpiredException}, and the
         * client must {@link MemEngine#reopen} a new session under the same id.
         */
        EXPIRED,
        CLOSED
    }

    final String clientId;
    final String namespace;
    final long ttlNanos;
    final Client client;
    State state = State.ACTIVE;

    /** Bumped when the session expires; entries remember the value they were created under. */
    volatile int generation;

    long lastHeardNanos; // engine time (System.nanoTime) of the last request heard
    long lastSentAt; // client ticker reading: send time of the latest request heard
    boolean expiryRequested; // expire() while cut off: ends at TTL unheard, or at heal
    String expiryDetail; // why it expired, for the client that asks later
    final List<Entry> deferred = new ArrayList<>(); // grants held back by a partition

    /** A session opened by a request sent at {@code sentAt}, heard now. */
    MemSession(String clientId, String namespace, long ttlNanos, Client client, long sentAt) {
        this.clientId = clientId;
        this.namespace = namespace;
        this.ttlNanos = ttlNanos;
        this.client = client;
        this.lastHeardNanos = System.nanoTime();
        this.lastSentAt = sentAt;
    }

    /**
     * A new session for the same client (id, namespace, TTL), opened by a request sent at {@code
     * sentAt}; for the client of an expired session.
     */
    MemSession successor(long sentAt) {
        return new MemSession(clientId, namespace, ttlNanos, client, sentAt);
    }

    /**
     * The engine heard a request of this session sent at {@code sentAt} (a reading of the client's
     * ticker): the send time only moves forward. Caller holds the engine lock.
     */
    void heard(long sentAt) {
        lastHeardNanos = System.nanoTime();
        if (sentAt - lastSentAt > 0) {
            lastSentAt = sentAt;
        }
    }

    /**
     * Marks the session dying (its waiters can no longer be granted; its grants keep blocking) and
     * bumps its generation, before the client is told. Caller holds the engine lock.
     */
    void startExpiry(String detail) {
        state = State.EXPIRING;
        expiryDetail = detail;
        generation++;
    }
}
