package dev.baton.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * A resource that checks fencing tokens, as a storage service should: it accepts a write only with
 * a token strictly greater than every token it accepted before, and remembers rejected ones. Writes
 * in grant order with correct tokens are never rejected; a stale holder's write is.
 *
 * <p>Thread-safe (synchronized): concurrent writers are serialised in arrival order.
 */
public final class FencedRegister {
    private long highest = Long.MIN_VALUE;
    private long accepted;
    private final List<String> rejected = new ArrayList<>();

    /**
     * Writes with {@code token}.
     *
     * @return whether the write was accepted (the token was higher than every earlier one)
     */
    public synchronized boolean write(long token, String who) {
        if (token <= highest) {
            rejected.add(who + " wrote with token " + token + " after token " + highest);
            return false;
        }
        highest = token;
        accepted++;
        return true;
    }

    /** The highest token accepted so far. */
    public synchronized long highest() {
        return highest;
    }

    public synchronized long accepted() {
        return accepted;
    }

    /** Descriptions of the rejected writes, in order. */
    public synchronized List<String> rejected() {
        return List.copyOf(rejected);
    }
}
