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

    public String name() {
        return name;
    }

    public Duration waited() {
        return waited;
    }

    /** The lock's state as last seen by the waiter, when the backend could tell. */
    public Optional<LockSnapshot> seen() {
        return Optional.ofNullable(seen);
    }
}
