package dev.baton;

/**
 * Many readers or one writer. A waiting writer blocks readers that arrive after it (no writer
 * starvation); write-lease tokens are fencing tokens strictly increasing across all grants of the
 * name.
 */
public interface ReadWriteLock {
    /**
     * The lock's name.
     *
     * @return the name this handle was made with
     */
    String name();

    /**
     * The read side: granted while no writer holds the lock or waits ahead of the reader, together
     * with any number of other readers.
     *
     * @return the read lock; its leases are of kind {@link LeaseKind#READ}
     */
    LeaseLock readLock();

    /**
     * The write side: granted alone, when no reader or writer holds the lock.
     *
     * @return the write lock; its leases are of kind {@link LeaseKind#WRITE}
     */
    LeaseLock writeLock();
}
