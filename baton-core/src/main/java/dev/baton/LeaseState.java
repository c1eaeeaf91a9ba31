package dev.baton;

/**
 * Life cycle of a {@link Lease}: {@code HELD → RELEASED}, {@code HELD → IN_DOUBT → HELD}, or {@code
 * HELD/IN_DOUBT → LOST}. {@code RELEASED} and {@code LOST} are final.
 */
public enum LeaseState {
    /** Granted and confirmed within its deadline: exclusive side effects are safe. */
    HELD,
    /**
     * The connection to the engine blipped or a renewal failed; the lease may still be held.
     * Becomes {@link #HELD} again when renewal is confirmed before the deadline, otherwise {@link
     * #LOST}.
     */
    IN_DOUBT,
    /** Given back by its holder. Final. */
    RELEASED,
    /** Expired, revoked or its session ended; another client may hold the name now. Final. */
    LOST;

    /**
     * Whether the state is final: a lease in it never changes again.
     *
     * @return true for {@code RELEASED} and {@code LOST}
     */
    public boolean isFinal() {
        return this == RELEASED || this == LOST;
    }
}
