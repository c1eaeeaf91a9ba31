package dev.baton;

/**
 * Outcome of {@link KeyValueStore#update}: the value written and how many optimistic attempts
 * contention cost.
 *
 * @param written the value and version written
 * @param retries attempts that failed because another writer got in first (0 = first try won)
 */
public record UpdateResult(Versioned written, int retries) {}
