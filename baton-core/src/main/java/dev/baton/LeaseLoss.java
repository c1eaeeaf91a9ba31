package dev.baton;

import java.time.Instant;

/**
 * Why and when a lease was lost; the value of {@link Lease#lost()}.
 *
 * @param reason the cause
 * @param detail a human-readable explanation
 * @param at wall-clock time at which the client declared the loss
 */
public record LeaseLoss(Reason reason, String detail, Instant at) {

    /** Cause of a loss. */
    public enum Reason {
        /**
         * Renewal was not confirmed before the lease's local deadline (send time of the last
         * confirmed renewal + TTL − safety margin). Declared before the engine can expire the
         * grant.
         */
        DEADLINE_PASSED,
        /** The engine ended the client's session (ZooKeeper session expiry). */
        SESSION_EXPIRED,
        /** A renewal found the grant gone from the engine (expired, restarted, removed by hand). */
        GRANT_GONE,
        /** The client was closed while the lease was held. */
        CLIENT_CLOSED
    }

    @Override
    public String toString() {
        return reason + " (" + detail + ") at " + at;
    }
}
