package dev.baton;

/** Which primitive granted a lease. */
public enum LeaseKind {
    MUTEX,
    SEMAPHORE,
    READ,
    WRITE,
    LEADERSHIP,
    /** The monitor of {@link Baton#monitor}: exclusive, FIFO, re-entered after each wait. */
    MONITOR
}
