package dev.baton.mem;

import dev.baton.Names;
import dev.baton.Versioned;
import dev.baton.WatchEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The versioned keys of one {@link MemEngine}, per namespace: reads, writes, compare-and-set and
 * deletes, each write announced to the {@link MemWatches watches}.
 *
 * <p><b>Threads and lock.</b> This class has no lock of its own: the caller holds the engine lock
 * for every method, which guards both maps, so each operation is atomic and the watches see the
 * writes in the engine's order.
 *
 * <p><b>Invariant.</b> A key's versions never repeat, not even across deletes (the last version of
 * each key outlives its value), so a compare-and-set against a version seen before a delete can
 * never succeed on a later value (no ABA).
 */
final class MemKeyValue {
    private final MemWatches watches;

    // ---- guarded by the engine lock; keys qualified by namespace ----
    private final Map<String, Versioned> values = new HashMap<>();
    private final Map<String, Long> lastVersions = new HashMap<>(); // survives deletes: no ABA

    MemKeyValue(MemWatches watches) {
        this.watches = watches;
    }

    private static String qualify(String namespace, String key) {
        return namespace + "/" + key;
    }

    /** The current value of {@code key}, if any. Caller holds the engine lock. */
    Optional<Versioned> get(String namespace, String key) {
        return Optional.ofNullable(values.get(qualify(namespace, key)));
    }

    /**
     * Writes {@code key} with its next version and announces it. Caller holds the engine lock.
     *
     * @return what was written
     */
    Versioned put(String namespace, String key, byte[] value) {
        String q = qualify(namespace, key);
        long version = lastVersions.merge(q, 1L, Long::sum);
        Versioned v = new Versioned(key, value, version);
        values.put(q, v);
        watches.emit(namespace, key, WatchEvent.put(v));
        return v;
    }

    /**
     * Writes {@code key} if its current version is {@code expectedVersion} ({@link
     * Versioned#ABSENT} for a key without value). Caller holds the engine lock.
     *
     * @return what was written, or empty if the version differed (nothing written)
     */
    Optional<Versioned> compareAndSet(
            String namespace, String key, long expectedVersion, byte[] value) {
        Versioned current = values.get(qualify(namespace, key));
        long currentVersion = current == null ? Versioned.ABSENT : current.version();
        return currentVersion == expectedVersion
                ? Optional.of(put(namespace, key, value))
                : Optional.empty();
    }

    /**
     * Deletes {@code key} if it has a value and, unless {@code expectedVersion} is negative, that
     * value has that version; announces the delete. Caller holds the engine lock.
     *
     * @return whether a value was deleted
     */
    boolean delete(String namespace, String key, long expectedVersion) {
        String q = qualify(namespace, key);
        Versioned current = values.get(q);
        boolean deleted =
                current != null && (expectedVersion < 0 || current.version() == expectedVersion);
        if (deleted) {
            values.remove(q);
            watches.emit(namespace, key, WatchEvent.delete(key));
        }
        return deleted;
    }

    /** The keys with a value under {@code prefix}, sorted. Caller holds the engine lock. */
    List<String> keys(String namespace, String prefix) {
        List<String> result = new ArrayList<>();
        String ns = namespace + "/";
        for (String q : new TreeMap<>(values).keySet()) {
            if (q.startsWith(ns)) {
                String key = q.substring(ns.length());
                if (Names.isUnder(key, prefix)) {
                    result.add(key);
                }
            }
        }
        return result;
    }

    /** Drops every value (the engine was reset). Caller holds the engine lock. */
    void clear() {
        values.clear();
    }
}
