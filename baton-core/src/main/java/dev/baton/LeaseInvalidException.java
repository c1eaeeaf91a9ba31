package dev.baton;

/**
 * Thrown by {@link Lease#ensureValid()} when the lease is not {@link LeaseState#HELD}: released, in
 * doubt (the connection blipped and renewal is not yet confirmed), or lost. The holder must not
 * perform side effects that rely on exclusivity.
 */
public class LeaseInvalidException extends BatonException {
    private static final long serialVersionUID = 1L;
    private final String name;
    private final LeaseState state;

    /**
     * Creates the exception with a message of the caller's.
     *
     * @param name the lease's name
     * @param state the state the lease was found in
     * @param message what happened
     */
    public LeaseInvalidException(String name, LeaseState state, String message) {
        super(message);
        this.name = name;
        this.state = state;
    }

    /**
     * Creates the exception with the standard message naming the lease and its state.
     *
     * @param name the lease's name
     * @param state the state the lease was found in
     */
    public LeaseInvalidException(String name, LeaseState state) {
        this(name, state, "lease on \"" + name + "\" is " + state + ", not HELD");
    }

    /**
     * The lease's name.
     *
     * @return the name of the primitive that granted the lease
     */
    public String name() {
        return name;
    }

    /**
     * The state the lease was found in.
     *
     * @return {@link LeaseState#RELEASED}, {@link LeaseState#IN_DOUBT} or {@link LeaseState#LOST}
     */
    public LeaseState state() {
        return state;
    }
}
