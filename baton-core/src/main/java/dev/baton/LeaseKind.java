package dev.baton;

/** Which primitive granted a lease. */
public enum LeaseKind {
    MUTEX,
    SEMAPHORE,
    READ,
    WRITE,
    LEADERSHIP
}
