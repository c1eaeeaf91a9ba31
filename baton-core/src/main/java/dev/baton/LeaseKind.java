package dev.baton;

/** Which primitive granted a lease. */
public enum LeaseKind {
    /** A {@link Mutex}: exclusive. */
    MUTEX,
    /** A {@link Semaphore}: one or more of its permits. */
    SEMAPHORE,
    /** The read side of a {@link ReadWriteLock}: shared with other readers. */
    READ,
    /** The write side of a {@link ReadWriteLock}: exclusive of readers and writers. */
    WRITE,
    /** Leadership in an {@link Election}. */
    LEADERSHIP,
    /** The monitor of {@link Baton#monitor}: exclusive, FIFO, re-entered after each wait. */
    MONITOR
}
