package dev.baton;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A value with its version. Versions are positive and strictly increase with every write of the
 * key, across deletes and re-creates, so a compare-and-set on a stale version can never succeed (no
 * ABA).
 *
 * @param key the key
 * @param value the bytes (never null; a defensive copy)
 * @param version the version of this write, ≥ 1
 */
public record Versioned(String key, byte[] value, long version) {
    /** Expected version meaning "the key must not exist" in {@code compareAndSet}. */
    public static final long ABSENT = 0;

    /**
     * Builds a value; {@code value} is copied.
     *
     * @param key the key
     * @param value the bytes, not null
     * @param version the version of this write, at least 1
     */
    public Versioned {
        value = value.clone();
    }

    /**
     * The value.
     *
     * @return a copy of the bytes: changing it changes nothing stored
     */
    @Override
    public byte[] value() {
        return value.clone();
    }

    /**
     * The value decoded as UTF-8.
     *
     * @return the text
     */
    public String asString() {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Versioned v
                && v.key.equals(key)
                && v.version == version
                && Arrays.equals(v.value, value);
    }

    @Override
    public int hashCode() {
        return key.hashCode() * 31 + Long.hashCode(version);
    }

    @Override
    public String toString() {
        return key + "@" + version + "=" + asString();
    }
}
