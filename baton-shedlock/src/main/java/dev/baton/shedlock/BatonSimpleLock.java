package dev.baton.shedlock;

import java.time.Duration;
import java.util.Optional;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;

/**
 * The handle ShedLock holds for one lock: the first from {@link BatonLockProvider#lock}, a new one
 * from each successful {@link #extend}. Single use, as ShedLock's {@code AbstractSimpleLock}: after
 * {@code unlock()} or {@code extend(…)} (whatever its result) further calls throw {@link
 * IllegalStateException}. All state lives in the {@link ShedLockLease}.
 */
final class BatonSimpleLock implements SimpleLock {
    private final ShedLockLease lock;
    private final LockConfiguration configuration;

    BatonSimpleLock(ShedLockLease lock, LockConfiguration configuration) {
        this.lock = lock;
        this.configuration = configuration;
    }

    /**
     * Ends the task's hold: the name is free when this returns, or, if {@code lockAtLeastFor} has
     * not passed since the lock (or its last extension) was taken, once it has. After an expiry or
     * a loss there is nothing left to free, and this only marks the handle used.
     *
     * @throws IllegalStateException if this handle was already unlocked or extended
     */
    @Override
    public void unlock() {
        lock.unlock(this);
    }

    /**
     * Moves the deadlines to {@code lockAtMostFor} and {@code lockAtLeastFor} from now, keeping the
     * same Baton lease (and fencing token), and returns the new handle; this one is spent.
     *
     * @return empty if {@code lockAtMostFor} had already passed or the lease was lost: the lock is
     *     gone and stays gone
     * @throws IllegalStateException if this handle was already unlocked or extended
     * @throws IllegalArgumentException if {@code lockAtLeastFor} exceeds {@code lockAtMostFor} or
     *     either is negative (this handle stays valid)
     */
    @Override
    public Optional<SimpleLock> extend(Duration lockAtMostFor, Duration lockAtLeastFor) {
        return lock.extend(this, lockAtMostFor, lockAtLeastFor);
    }

    @Override
    public String toString() {
        return "BatonSimpleLock{" + configuration + ", " + lock + "}";
    }
}
