package dev.baton;

/**
 * An exclusive, fair (FIFO) lock across processes: at most one {@link LeaseState#HELD} lease per
 * name at a time, and tokens strictly increase from grant to grant.
 */
public interface Mutex extends LeaseLock {}
