package dev.baton;

import java.time.Duration;
import java.util.Optional;

/**
 * An acquisition did not succeed within its timeout. The message and accessors tell what was seen:
 * who held the lock, how many waited, and how long this caller waited. The caller's request was
 * withdrawn from the engine before this was thrown.
 */
public class LockTimeoutException extends BatonException {
    private static final long serialVersionUID = 1L;
    private final String name;
    private final Duration waited;
    private final transient LockSnapshot seen;

    /**
     * Creates the exception; the message is built from the arguments.
     *
     * @param name the lock's name
     * @param waited how long the caller waited
     * @param seen the lock's state as last seen, or null if the backend could not tell
     */
    public LockTimeoutException(String name, Duration waited, LockSnapshot seen) {
        super(describe(name, waited, seen));
        this.name = name;
        this.waited = waited;
        this.seen = seen;
    }

    private static String describe(String name, Duration waited, LockSnapshot seen) {
        StringBuilder b =
                new StringBuilder("timed out after ")
                        .append(waited.toMillis())
                        .append(" ms waiting for \"")
                        .append(name)
                        .append('"');
        if (seen != null) {
            b.append(": ").append(seen.describeHolders());
        }
        return b.toString();
    }

    /**
     * The lock the caller waited for.
     *
     * @return the lock's name
     */
    public String name() {
        return name;
    }

    /**
     * How long the caller waited before giving up.
     *
     * @return the time waited (at least the timeout, unless the engine said "held" at once)
     */
    public Duration waited() {
        return waited;
    }

    /**
     * The lock's state as last seen by the waiter, when the backend could tell: who held it, to
     * tell a stuck holder from a long queue.
     *
     * @return the snapshot, or empty if it could not be read (it is not serialized either)
     */
    public Optional<LockSnapshot> seen() {
        return Optional.ofNullable(seen);
    }
}
