package dev.baton.integration;

import dev.baton.FencedLease;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The state of one key while a thread of its registry holds the lock or waits for it; there is none
 * otherwise, so per-key state never outgrows the keys in use.
 *
 * <p>Invariants (who owns what, what happens before what):
 *
 * <ul>
 *   <li>{@link #users} counts the lock attempts under way (waiting on {@link #local} or on the
 *       engine) plus the holds not yet unlocked. It is read and written only inside {@code
 *       ConcurrentHashMap.compute} on this key in {@link BatonLockRegistry#enter} and {@link
 *       BatonLockRegistry#leave}, so the map's per-key lock guards it. A thread enters before it
 *       waits on {@link #local} and leaves after its failed attempt or its unlock, so this object
 *       stays mapped, and every thread contending for the key uses this one {@link #local}, for as
 *       long as anyone holds or waits.
 *   <li>{@link #local} decides which thread of this registry may hold the Baton lease, and counts
 *       that thread's re-entries: only its holder talks to the engine for this key, so at most one
 *       Baton request per key and registry is outstanding.
 *   <li>{@link #lease} is written only by the thread holding {@link #local}: set after the engine
 *       granted its first hold, cleared before that thread's final unlock lets go of {@link
 *       #local}. So it is non-null exactly while a thread has completed its first acquisition and
 *       not yet its final unlock, and the next holder of {@link #local} always starts from {@code
 *       null}. Volatile for readers on other threads (diagnostics); the owner reads its own write.
 *   <li>The lease's own state (held, in doubt, lost) is Baton's: this class never caches it, and
 *       reads it at each re-entry and at the final unlock.
 * </ul>
 */
final class Holding {
    /** The first handle that entered; {@link BatonLockRegistry#obtain} returns it while in use. */
    final BatonLock handle;

    /** Fair, as the Baton mutex behind it is FIFO. */
    final ReentrantLock local = new ReentrantLock(true);

    /** Guarded by the registry map's per-key lock (see the class comment). */
    int users;

    volatile FencedLease lease;

    Holding(BatonLock handle) {
        this.handle = handle;
    }
}
