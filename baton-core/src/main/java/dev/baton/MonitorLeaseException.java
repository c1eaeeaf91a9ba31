package dev.baton;

/**
 * A lease passed to {@link MonitorCondition#await} or {@link MonitorCondition#signal} cannot be
 * used there: it belongs to another monitor or primitive, or it is released, in doubt or lost. The
 * call changed nothing. {@link #name()} is the monitor's name; the message names the lease too.
 */
public class MonitorLeaseException extends LeaseInvalidException {
    private static final long serialVersionUID = 1L;
    private final String lease;

    /**
     * Creates the exception.
     *
     * @param monitor the monitor's name
     * @param lease the refused lease (may be null)
     * @param state the lease's state when it was refused
     * @param problem why it was refused
     */
    public MonitorLeaseException(String monitor, Lease lease, LeaseState state, String problem) {
        super(
                monitor,
                state,
                "monitor \"" + monitor + "\" refuses " + describe(lease) + ": " + problem);
        this.lease = describe(lease);
    }

    /**
     * The refused lease, described.
     *
     * @return its kind, name, token and holder in words
     */
    public String lease() {
        return lease;
    }

    private static String describe(Lease l) {
        if (l == null) {
            return "a null lease";
        }
        return "the "
                + l.kind()
                + " lease on \""
                + l.name()
                + "\""
                + (l instanceof FencedLease f ? " with token " + f.fencingToken() : "")
                + " of "
                + l.holder();
    }
}
