package dev.baton.integration;

import dev.baton.BatonException;
import dev.baton.FencedLease;
import dev.baton.LeaseLostException;
import dev.baton.LeaseState;
import dev.baton.LockInterruptedException;
import dev.baton.LockTimeoutException;
import dev.baton.Mutex;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import org.springframework.dao.CannotAcquireLockException;

/**
 * The {@link Lock} a {@link BatonLockRegistry} hands out for one key: a per-thread reentrant lock
 * over one Baton {@link Mutex} lease.
 *
 * <p>The first acquisition by a thread asks the engine for a lease (FIFO, by notification, no
 * polling); re-entries by the same thread only count; the final {@link #unlock()} releases the
 * lease. While a thread of this registry holds the key, the registry's other threads wait locally
 * (in arrival order), so one registry has at most one request per key in the engine. Another
 * registry or process holding the key is excluded by the engine.
 *
 * <p>What Baton adds to a Spring Integration lock: the holding thread can read its {@linkplain
 * #lease() lease}, pass the lease's {@linkplain FencedLease#fencingToken() fencing token} to the
 * resource it protects, call {@link FencedLease#ensureValid()} before side effects, and react to
 * {@link FencedLease#lost()}. A lost lease (the client was closed, its session expired, renewal
 * failed past the lease's deadline) is known to this client before the engine lets anyone else take
 * the lock; the lock then reports it with a {@link LockLostException} at the holder's next re-entry
 * and at its final unlock.
 *
 * <p>Handles are cheap and interchangeable: every handle of one key of one registry shares that
 * key's state (they are {@linkplain #equals equal}), and a handle stays valid for ever. Conditions
 * are not supported. No method runs user code or calls back on an engine thread: everything happens
 * on the calling thread.
 */
public final class BatonLock implements Lock {
    private final BatonLockRegistry registry;
    private final String key;
    private final Mutex mutex;

    BatonLock(BatonLockRegistry registry, String key, Mutex mutex) {
        this.registry = registry;
        this.key = key;
        this.mutex = mutex;
    }

    /** The key given to {@link BatonLockRegistry#obtain(Object)}. */
    public String key() {
        return key;
    }

    /** The Baton mutex name: the registry's prefix followed by the key. */
    public String name() {
        return mutex.name();
    }

    /**
     * Waits until this thread holds the lock, without a time limit and without giving up on an
     * interrupt (the interrupt flag is set again on return).
     *
     * @throws LockLostException if this thread already holds the lock and its lease was lost (the
     *     re-entry is refused; the earlier holds stay until unlocked)
     * @throws CannotAcquireLockException if the engine cannot be reached or the client is closed
     *     (the cause is Baton's exception)
     */
    @Override
    public void lock() {
        Holding h = registry.enter(this);
        h.local.lock();
        try {
            acquireHolding(h, this::acquireUninterruptibly);
        } catch (InterruptedException e) {
            throw new AssertionError("an uninterruptible acquisition was interrupted", e);
        }
    }

    /**
     * Waits until this thread holds the lock, or it is interrupted.
     *
     * @throws InterruptedException if interrupted before or while waiting; nothing is left in the
     *     engine and the interrupt flag is cleared, as {@link Lock} specifies
     * @throws LockLostException as for {@link #lock()}
     * @throws CannotAcquireLockException as for {@link #lock()}
     */
    @Override
    public void lockInterruptibly() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before locking \"" + name() + "\"");
        }
        Holding h = registry.enter(this);
        try {
            h.local.lockInterruptibly();
        } catch (InterruptedException e) {
            registry.leave(key);
            throw e;
        }
        acquireHolding(h, this::acquireInterruptibly);
    }

    /**
     * Acquires the lock if this thread holds it already, or if no other thread of this registry
     * holds it and the engine grants it at once (one round trip; it never waits in the engine's
     * queue). An interrupt during the round trip makes it return {@code false} with the interrupt
     * flag set.
     *
     * @throws LockLostException as for {@link #lock()}
     * @throws CannotAcquireLockException as for {@link #lock()}
     */
    @Override
    public boolean tryLock() {
        Holding h = registry.enter(this);
        if (!h.local.tryLock()) {
            registry.leave(key);
            return false;
        }
        try {
            return acquireHolding(h, this::acquireAtOnce);
        } catch (InterruptedException e) {
            throw new AssertionError("a single attempt was interrupted", e);
        }
    }

    /**
     * Waits at most {@code time} for the lock: first for this registry's other threads, then, with
     * what is left, in the engine's FIFO queue. On timeout the request is withdrawn from the
     * engine.
     *
     * @return whether this thread now holds the lock
     * @throws InterruptedException if interrupted before or while waiting (flag cleared)
     * @throws LockLostException as for {@link #lock()}
     * @throws CannotAcquireLockException as for {@link #lock()}
     */
    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        long timeoutNanos = Math.max(0, unit.toNanos(time));
        long deadline = System.nanoTime() + timeoutNanos;
        Holding h = registry.enter(this);
        boolean locallyHeld;
        try {
            locallyHeld = h.local.tryLock(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            registry.leave(key);
            throw e;
        }
        if (!locallyHeld) {
            registry.leave(key);
            return false;
        }
        return acquireHolding(h, () -> acquireUntil(deadline));
    }

    /**
     * Releases one hold of the calling thread; the final one gives the lease back to the engine.
     *
     * @throws IllegalStateException if the calling thread does not hold this lock (as {@code
     *     RedisLockRegistry} does); nothing changes
     * @throws LockLostException if this was the final hold and the lease had been lost meanwhile:
     *     another process may have held the lock during the critical section. The lock is released
     *     locally all the same, and the key can be locked again.
     */
    @Override
    public void unlock() {
        Holding h = registry.holding(key);
        if (h == null || !h.local.isHeldByCurrentThread()) {
            throw new IllegalStateException(
                    "You do not own the lock for key \""
                            + key
                            + "\" (Baton mutex \""
                            + name()
                            + "\"): "
                            + Thread.currentThread()
                            + " does not hold it");
        }
        if (h.local.getHoldCount() > 1) {
            h.local.unlock();
            registry.leave(key);
            return;
        }
        FencedLease lease = h.lease;
        h.lease = null; // before letting go of `local`: the next holder starts from null
        boolean released;
        try {
            released = lease.release(); // never throws; a lost lease is a no-op that says false
        } finally {
            h.local.unlock();
            registry.leave(key);
        }
        if (!released && lease.state() == LeaseState.LOST) {
            throw lost(lease);
        }
    }

    /** Not supported: a Baton mutex has no condition queue. */
    @Override
    public Condition newCondition() {
        throw new UnsupportedOperationException("Conditions are not supported by BatonLock");
    }

    /**
     * The lease behind the calling thread's hold: its fencing token, state and loss signal. Empty
     * if the calling thread does not hold this lock. Present until the final unlock even if the
     * lease was lost meanwhile ({@link FencedLease#state()} then says {@code LOST}).
     *
     * <p>Do not release the lease directly; {@link #unlock()} does.
     */
    public Optional<FencedLease> lease() {
        return registry.currentLease(key);
    }

    /** Whether the calling thread holds this lock (counting holds whose lease was since lost). */
    public boolean isHeldByCurrentThread() {
        Holding h = registry.holding(key);
        return h != null && h.local.isHeldByCurrentThread() && h.lease != null;
    }

    /**
     * Whether some thread of this registry holds this lock (until its final unlock, even if the
     * lease was lost meanwhile). A snapshot, for diagnostics.
     */
    public boolean isAcquiredInThisProcess() {
        Holding h = registry.holding(key);
        return h != null && h.lease != null;
    }

    /** Same registry and key. */
    @Override
    public boolean equals(Object o) {
        return o instanceof BatonLock other && other.registry == registry && other.key.equals(key);
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(registry) * 31 + key.hashCode();
    }

    @Override
    public String toString() {
        return "BatonLock{key=\"" + key + "\", name=\"" + name() + "\"}";
    }

    /** One engine step of an acquisition: a lease, or {@code null} if not granted. */
    @FunctionalInterface
    private interface EngineStep {
        FencedLease acquire() throws InterruptedException;
    }

    /**
     * Completes an acquisition by the thread that has just taken one more hold of {@code h.local}
     * (and one more user count): a re-entry checks that the lease still stands; a first hold asks
     * the engine. Whatever does not end with the lock held gives back that hold and count.
     */
    private boolean acquireHolding(Holding h, EngineStep step) throws InterruptedException {
        boolean held = false;
        try {
            if (h.local.getHoldCount() > 1) {
                FencedLease lease = h.lease;
                LeaseState state = lease.state();
                if (state == LeaseState.LOST) {
                    throw lost(lease);
                }
                if (state == LeaseState.RELEASED) {
                    throw new IllegalStateException(
                            "the lease of \""
                                    + name()
                                    + "\" was released directly instead of through unlock()");
                }
                held = true; // HELD, or IN_DOUBT: not lost, and Baton renews it meanwhile
                return true;
            }
            FencedLease lease = step.acquire();
            if (lease != null) {
                h.lease = lease;
                held = true;
            }
            return held;
        } finally {
            if (!held) {
                h.local.unlock();
                registry.leave(key);
            }
        }
    }

    private FencedLease acquireUninterruptibly() {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return mutex.acquire();
                } catch (LockInterruptedException e) {
                    // The request was withdrawn; lock() does not give up: clear the flag and ask
                    // again, then set the flag once granted.
                    Thread.interrupted();
                    interrupted = true;
                } catch (BatonException e) {
                    throw cannotAcquire(e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private FencedLease acquireInterruptibly() throws InterruptedException {
        try {
            return mutex.acquire();
        } catch (LockInterruptedException e) {
            throw interrupted(e);
        } catch (BatonException e) {
            throw cannotAcquire(e);
        }
    }

    private FencedLease acquireAtOnce() {
        try {
            return mutex.tryAcquire().orElse(null);
        } catch (LockInterruptedException e) {
            return null; // Baton has set the interrupt flag again
        } catch (BatonException e) {
            throw cannotAcquire(e);
        }
    }

    private FencedLease acquireUntil(long deadline) throws InterruptedException {
        long left = deadline - System.nanoTime();
        try {
            return mutex.acquire(Duration.ofNanos(Math.max(0, left)));
        } catch (LockTimeoutException e) {
            return null;
        } catch (LockInterruptedException e) {
            throw interrupted(e);
        } catch (BatonException e) {
            throw cannotAcquire(e);
        }
    }

    private InterruptedException interrupted(LockInterruptedException e) {
        Thread.interrupted(); // Baton set the flag again; Lock's contract clears it
        InterruptedException ie = new InterruptedException(e.getMessage());
        ie.initCause(e);
        return ie;
    }

    private CannotAcquireLockException cannotAcquire(BatonException e) {
        return new CannotAcquireLockException(
                "Failed to lock key \"" + key + "\" (Baton mutex \"" + name() + "\"): " + e, e);
    }

    LockLostException lost(FencedLease lease) {
        try {
            lease.ensureValid();
        } catch (LeaseLostException e) {
            return new LockLostException(key, lease, e);
        }
        return new LockLostException(key, lease, new LeaseLostException(lease.name(), null));
    }
}
