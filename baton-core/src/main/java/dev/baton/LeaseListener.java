package dev.baton;

import java.time.Duration;

/**
 * Observes the leases of one client: what metrics, logs and frameworks hook into. Every method does
 * nothing by default, so an implementation overrides only what it needs. Set one with {@link
 * BatonConfig.Builder#leaseListener}.
 *
 * <p>Threads and order: events of one client are delivered one at a time, in the order they
 * happened (for one lease: granted, then any in-doubt/confirmed, then lost or released), on a
 * thread of the client's own worker pool: never on an engine I/O thread, never on the thread that
 * caused them, never on the configured callback executor. A listener must return quickly and must
 * not block on Baton: it delays every later event of the client (they queue without bound), though
 * never a loss signal ({@link Lease#lost()} and {@link Lease#state()} do not wait for listeners).
 * An exception thrown by a listener is logged and dropped. A listener receives the live lease: it
 * may read it, and must not release it. Events after the client closed are dropped.
 *
 * <p>An event reports what this client decided and when: {@link #lost} comes when the client
 * declared the lease lost, which is before the engine can grant the name to anyone else.
 */
public interface LeaseListener {

    /** The listener that ignores everything: the default. */
    LeaseListener NONE = new LeaseListener() {};

    /** Why an acquisition ended without a lease. */
    enum Refusal {
        /** The timeout passed while the name was held by others. */
        TIMEOUT,
        /** A try-once acquisition found the name held. */
        BUSY,
        /** The caller was interrupted or cancelled the acquisition. */
        CANCELLED,
        /** The engine failed or could not be reached, or the client closed. */
        FAILED
    }

    /**
     * A lease was granted to this client after {@code waited}.
     *
     * @param lease the new lease
     * @param waited from the acquisition's start to the grant: the lock's contention, as callers
     *     feel it
     */
    default void granted(Lease lease, Duration waited) {}

    /**
     * An acquisition of {@code name} ended without a lease after {@code waited}.
     *
     * @param name the primitive's name
     * @param kind the primitive's kind
     * @param refusal why it ended
     * @param waited from the acquisition's start to its end
     */
    default void refused(String name, LeaseKind kind, Refusal refusal, Duration waited) {}

    /**
     * A renewal round confirmed this client's leases ({@code leases} of them, in one batch) after
     * {@code roundTrip}. A round that fails shows as {@link #inDoubt} per lease instead.
     *
     * @param leases how many leases the round confirmed
     * @param roundTrip from sending the round to its answer: the engine's latency as leases see it
     */
    default void renewed(int leases, Duration roundTrip) {}

    /**
     * A held lease went {@link LeaseState#IN_DOUBT}: a renewal went unanswered.
     *
     * @param lease the lease in doubt
     */
    default void inDoubt(Lease lease) {}

    /**
     * A lease in doubt was confirmed in time and is {@link LeaseState#HELD} again.
     *
     * @param lease the confirmed lease
     */
    default void confirmed(Lease lease) {}

    /**
     * A lease was lost; {@code loss} says why.
     *
     * @param lease the lost lease
     * @param loss the reason and when the client declared it
     */
    default void lost(Lease lease, LeaseLoss loss) {}

    /**
     * A lease was released by its holder.
     *
     * @param lease the released lease
     */
    default void released(Lease lease) {}
}
