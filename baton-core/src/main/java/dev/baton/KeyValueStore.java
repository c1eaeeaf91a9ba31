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

    /**
     * Reads the key's current value and version. Take the version into a later {@link
     * #compareAndSet} to write only if nobody wrote in between.
     *
     * @param key the key, by the {@link Names} rule
     * @return the value and its version, or empty if the key does not exist
     * @throws InvalidNameException if {@code key} breaks the {@link Names} rule
     * @throws ClientClosedException if the client is closed
     */
    Optional<Versioned> get(String key);

    /**
     * Writes unconditionally, whatever the key held: last writer wins. Use {@link #compareAndSet}
     * or {@link #update} where a concurrent write must not be lost.
     *
     * @param key the key, by the {@link Names} rule
     * @param value the bytes to store (copied)
     * @return the value written and its new version
     * @throws InvalidNameException if {@code key} breaks the {@link Names} rule
     * @throws InvalidArgumentException if {@code value} is null
     * @throws ClientClosedException if the client is closed
     */
    Versioned put(String key, byte[] value);

    /**
     * {@link #put(String, byte[])} of a string, stored as UTF-8.
     *
     * @param key the key, by the {@link Names} rule
     * @param value the text to store
     * @return the value written and its new version
     * @throws InvalidNameException if {@code key} breaks the {@link Names} rule
     * @throws InvalidArgumentException if {@code value} is null
     * @throws ClientClosedException if the client is closed
     */
    default Versioned put(String key, String value) {
        return put(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes only if the key's current version is {@code expectedVersion} ({@link Versioned#ABSENT}
     * = the key must not exist). Linearizable on one key.
     *
     * @param key the key, by the {@link Names} rule
     * @param expectedVersion the version last read, or {@link Versioned#ABSENT}
     * @param value the bytes to store (copied)
     * @return the new value and version, or empty if the version did not match
     * @throws InvalidNameException if {@code key} breaks the {@link Names} rule
     * @throws InvalidArgumentException if {@code value} is null or {@code expectedVersion} is
     *     negative
     * @throws ClientClosedException if the client is closed
     */
    Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value);

    /**
     * {@link #compareAndSet(String, long, byte[])} of a string, stored as UTF-8.
     *
     * @param key the key, by the {@link Names} rule
     * @param expectedVersion the version last read, or {@link Versioned#ABSENT}
     * @param value the text to store
     * @return the new value and version, or empty if the version did not match
     * @throws InvalidNameException if {@code key} breaks the {@link Names} rule
     * @throws InvalidArgumentException if {@code expectedVersion} is negative
     * @throws ClientClosedException if the client is closed
     */
    default Optional<Versioned> compareAndSet(String key, long expectedVersion, String value) {
        return compareAndSet(key, expectedVersion, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Deletes unconditionally. The key's version is remembered: a later write of the key gets a
     * higher version than any before, so a compare-and-set from before the delete still fails.
     *
     * @param key the key, by the {@link Names} rule
     * @return whether the key existed
     * @throws InvalidNameException if {@code key} breaks the {@link Names} rule
     * @throws ClientClosedException if the client is closed
     */
    boolean delete(String key);

    /**
     * Deletes only if the key is still at {@code expectedVersion}: removes what was read, never a
     * newer write.
     *
     * @param key the key, by the {@link Names} rule
     * @param expectedVersion the version last read
     * @return whether it deleted (false if the key is absent or at another version)
     * @throws InvalidNameException if {@code key} breaks the {@link Names} rule
     * @throws InvalidArgumentException if {@code expectedVersion} is not a version (less than 1)
     * @throws ClientClosedException if the client is closed
     */
    boolean delete(String key, long expectedVersion);

    /**
     * Keys under {@code prefix}: the prefix itself and names below it segment by segment ({@code a}
     * covers {@code a} and {@code a/b}, not {@code ab}).
     *
     * @param prefix a name prefix by the {@link Names} rule, or {@code ""} for every key
     * @return the existing keys, sorted
     * @throws InvalidNameException if {@code prefix} is neither empty nor a valid name
     * @throws ClientClosedException if the client is closed
     */
    List<String> keys(String prefix);

    /**
     * Optimistic read-modify-write: reads, applies {@code fn} (to {@code null} when absent), and
     * writes with {@link #compareAndSet}; on conflict retries with jittered exponential backoff.
     * {@code fn} may run several times and must not have side effects.
     *
     * @param key the key, by the {@link Names} rule
     * @param fn computes the new value from the current one ({@code null} when the key is absent);
     *     it must return a value, never {@code null}
     * @param maxAttempts how many conflicting attempts to make before giving up, at least 1
     * @return the value written and how many attempts lost to other writers
     * @throws UpdateConflictException if {@code maxAttempts} conflicts happen in a row
     * @throws InvalidNameException if {@code key} breaks the {@link Names} rule
     * @throws InvalidArgumentException if {@code fn} is null or returns null, or {@code
     *     maxAttempts} is less than 1
     * @throws ClientClosedException if the client is closed
     */
    UpdateResult update(String key, UnaryOperator<byte[]> fn, int maxAttempts);

    /**
     * {@link #update(String, UnaryOperator, int)} with {@value #DEFAULT_MAX_ATTEMPTS} attempts.
     *
     * @param key the key, by the {@link Names} rule
     * @param fn computes the new value from the current one ({@code null} when the key is absent);
     *     it must return a value, never {@code null}
     * @return the value written and how many attempts lost to other writers
     * @throws UpdateConflictException if every attempt conflicts
     * @throws InvalidNameException if {@code key} breaks the {@link Names} rule
     * @throws InvalidArgumentException if {@code fn} is null or returns null
     * @throws ClientClosedException if the client is closed
     */
    default UpdateResult update(String key, UnaryOperator<byte[]> fn) {
        return update(key, fn, DEFAULT_MAX_ATTEMPTS);
    }

    /**
     * {@link #update(String, UnaryOperator)} on UTF-8 strings.
     *
     * @param key the key, by the {@link Names} rule
     * @param fn computes the new text from the current one ({@code null} when the key is absent);
     *     it must return a value, never {@code null}
     * @return the value written and how many attempts lost to other writers
     * @throws UpdateConflictException if every attempt conflicts
     * @throws InvalidNameException if {@code key} breaks the {@link Names} rule
     * @throws InvalidArgumentException if {@code fn} returns null
     * @throws ClientClosedException if the client is closed
     */
    default UpdateResult updateString(String key, UnaryOperator<String> fn) {
        return update(
                key,
                old -> {
                    String next =
                            fn.apply(old == null ? null : new String(old, StandardCharsets.UTF_8));
                    // null goes through, so that update's own check names the key
                    return next == null ? null : next.getBytes(StandardCharsets.UTF_8);
                });
    }
}
