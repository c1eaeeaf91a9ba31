package dev.baton;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Versioned key/value entries for small shared state (configuration, counters, records that must
 * not race). Keys follow the {@link Names} rule. Versions strictly increase per key, across
 * deletes.
 */
public interface KeyValueStore {

    /** Default number of attempts for {@link #update(String, UnaryOperator)}. */
    int DEFAULT_MAX_ATTEMPTS = 64;

    Optional<Versioned> get(String key);

    /** Writes unconditionally. */
    Versioned put(String key, byte[] value);

    default Versioned put(String key, String value) {
        return put(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes only if the key's current version is {@code expectedVersion} ({@link Versioned#ABSENT}
     * = the key must not exist). Linearizable on one key.
     *
     * @return the new value and version, or empty if the version did not match
     */
    Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value);

    default Optional<Versioned> compareAndSet(String key, long expectedVersion, String value) {
        return compareAndSet(key, expectedVersion, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Deletes; returns whether the key existed. */
    boolean delete(String key);

    /** Deletes only at {@code expectedVersion}; returns whether it did. */
    boolean delete(String key, long expectedVersion);

    /** Keys under {@code prefix} (path prefix; {@code ""} for all), sorted. */
    List<String> keys(String prefix);

    /**
     * Optimistic read-modify-write: reads, applies {@code fn} (to {@code null} when absent), and
     * writes with {@link #compareAndSet}; on conflict retries with jittered exponential backoff.
     * {@code fn} may run several times and must not have side effects.
     *
     * @throws UpdateConflictException if {@code maxAttempts} conflicts happen in a row
     */
    UpdateResult update(String key, UnaryOperator<byte[]> fn, int maxAttempts);

    default UpdateResult update(String key, UnaryOperator<byte[]> fn) {
        return update(key, fn, DEFAULT_MAX_ATTEMPTS);
    }

    /** {@link #update} on UTF-8 strings. */
    default UpdateResult updateString(String key, UnaryOperator<String> fn) {
        return update(
                key,
                old -> {
                    String next =
                            fn.apply(old == null ? null : new String(old, StandardCharsets.UTF_8));
                    return next.getBytes(StandardCharsets.UTF_8);
                });
    }
}
