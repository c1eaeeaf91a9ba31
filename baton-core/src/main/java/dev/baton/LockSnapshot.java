package dev.baton;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A point-in-time view of one lock name as the engine reported it: current holders and the number
 * of queued waiters. Used by {@code baton locks} and carried by {@link LockTimeoutException}.
 *
 * @param name the lock name
 * @param holders current grants, oldest first
 * @param waiters number of queued requests not yet granted
 */
public record LockSnapshot(String name, List<Holder> holders, int waiters) {

    /**
     * Builds a snapshot; {@code holders} is copied.
     *
     * @param name the lock name
     * @param holders current grants, oldest first
     * @param waiters number of queued requests not yet granted
     */
    public LockSnapshot {
        holders = List.copyOf(holders);
    }

    /**
     * One current grant.
     *
     * @param clientId holder identity
     * @param kind which primitive granted it
     * @param permits number of permits (1 for locks)
     * @param fencingToken the grant's fencing token, or -1 where the backend has none
     * @param since when the grant (or, on ZooKeeper, its queue entry) was created, engine time
     */
    public record Holder(
            String clientId, LeaseKind kind, int permits, long fencingToken, Instant since) {
        /**
         * How long this grant has been held as of {@code now}.
         *
         * @param now the time to measure to, usually {@link Instant#now()}
         * @return the time since {@link #since()}, or zero where the engine gave no time
         */
        public Duration heldFor(Instant now) {
            return since == null ? Duration.ZERO : Duration.between(since, now);
        }
    }

    /**
     * Whether anyone holds the name.
     *
     * @return true if there is at least one holder
     */
    public boolean isHeld() {
        return !holders.isEmpty();
    }

    /**
     * The holders and waiters in words, for messages such as {@link LockTimeoutException}'s.
     *
     * @return e.g. {@code held by 42@host#1a2b (token 7, for 1200 ms); 3 waiting}
     */
    public String describeHolders() {
        Instant now = Instant.now();
        String held =
                holders.isEmpty()
                        ? "not held"
                        : "held by "
                                + holders.stream()
                                        .map(
                                                h ->
                                                        h.clientId()
                                                                + " (token "
                                                                + h.fencingToken()
                                                                + ", for "
                                                                + h.heldFor(now).toMillis()
                                                                + " ms)")
                                        .collect(Collectors.joining(", "));
        return held + "; " + waiters + " waiting";
    }
}
