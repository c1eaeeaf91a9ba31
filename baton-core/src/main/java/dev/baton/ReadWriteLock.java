package dev.baton;

/**
 * Many readers or one writer. A waiting writer blocks readers that arrive after it (no writer
 * starvation); write-lease tokens are fencing tokens strictly increasing across all grants of the
 * name.
 */
public interface ReadWriteLock {
    String name();

    LeaseLock readLock();

    LeaseLock writeLock();
}
