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
        public Duration heldFor(Instant now) {
            return since == null ? Duration.ZERO : Duration.between(since, now);
        }
    }

    public boolean isHeld() {
        return !holders.isEmpty();
    }

    /** "held by X (token 7) for 1.2 s; 3 waiting" — for messages. */
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
