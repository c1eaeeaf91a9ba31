package dev.baton.integration;

import dev.baton.FencedLease;
import dev.baton.LeaseLoss;
import dev.baton.LeaseLostException;
import java.util.ConcurrentModificationException;

/**
 * The lease behind a {@link BatonLock} was lost while a thread held the lock: another process may
 * have held the lock since, so the integrity of whatever the lock protected may be compromised.
 * Thrown by the final {@link BatonLock#unlock()} (the lock is released locally all the same) and by
 * a re-entrant acquisition by the holding thread.
 *
 * <p>A {@link ConcurrentModificationException}, as Spring Integration's {@code RedisLockRegistry}
 * and {@code JdbcLockRegistry} throw at unlock when their lock expired in the store, so code
 * written against those registries catches it unchanged. The cause is Baton's {@link
 * LeaseLostException}; {@link #loss()} tells why and when, {@link #fencingToken()} which grant was
 * lost.
 */
public final class LockLostException extends ConcurrentModificationException {
    private static final long serialVersionUID = 1L;
    private final String key;
    private final String name;
    private final long fencingToken;
    private final transient LeaseLoss loss;

    LockLostException(String key, FencedLease lease, LeaseLostException cause) {
        super(
                "lock key \""
                        + key
                        + "\" (Baton mutex \""
                        + lease.name()
                        + "\", fencing token "
                        + lease.fencingToken()
                        + ") was lost while held: "
                        + (cause.loss() != null ? cause.loss() : "reason unknown")
                        + ". Another process may have held it since; the integrity of data"
                        + " protected by this lock may have been compromised.",
                cause);
        this.key = key;
        this.name = lease.name();
        this.fencingToken = lease.fencingToken();
        this.loss = cause.loss();
    }

    /** The key given to {@link BatonLockRegistry#obtain(Object)}. */
    public String key() {
        return key;
    }

    /** The Baton mutex name (registry prefix + key). */
    public String name() {
        return name;
    }

    /** The fencing token of the lost grant. */
    public long fencingToken() {
        return fencingToken;
    }

    /** Why and when the lease was lost ({@code null} only if the client could not tell). */
    public LeaseLoss loss() {
        return loss;
    }
}
