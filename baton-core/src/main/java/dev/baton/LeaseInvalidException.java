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

    public LeaseInvalidException(String name, LeaseState state, String message) {
        super(message);
        this.name = name;
        this.state = state;
    }

    public LeaseInvalidException(String name, LeaseState state) {
        this(name, state, "lease on \"" + name + "\" is " + state + ", not HELD");
    }

    public String name() {
        return name;
    }

    public LeaseState state() {
        return state;
    }
}
