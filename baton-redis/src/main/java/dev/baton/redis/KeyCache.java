package dev.baton.redis;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A bounded cache of values built from a name (the lock keys of {@link RedisConnection#lockKeys}),
 * in two generations: a lookup tries the young map, then the old one; a value found in neither is
 * built and put in the young map; when the young map has taken {@code generation} names it becomes
 * the old one and a new, empty young map starts. So a name used again within the last {@code
 * generation} new names is found, at most {@code 2 × generation} names are held, and starting over
 * costs one swap of two references. The single map it replaces was cleared when full: with more
 * names in use than it held, every thread walked its table on each clear (most of the cache's
 * samples in a profile of 10,000 names), and nothing was kept.
 *
 * <p>Threads: any thread, no lock on lookups. Values must be immutable: two threads that miss the
 * same name may build it twice and either value may be returned. The count of the young map's
 * insertions may run past {@code generation} by the racing inserts, which only makes a generation a
 * little larger.
 */
final class KeyCache<V> {
    private final int generation;
    private final Function<String, V> build;
    private final AtomicInteger inserted = new AtomicInteger();
    private volatile ConcurrentHashMap<String, V> young;
    private volatile ConcurrentHashMap<String, V> old = new ConcurrentHashMap<>();

    KeyCache(int generation, Function<String, V> build) {
        if (generation < 1) {
            throw new IllegalArgumentException("generation must be at least 1: " + generation);
        }
        this.generation = generation;
        this.build = build;
        this.young = newGeneration();
    }

    /**
     * Sized for a whole generation: grown from the default, a map that takes a generation of 4,096
     * names resizes nine times, and every thread that meets a resize helps move the table (a
     * visible share of the cache's samples in a 10,000-name profile). The table itself is only
     * allocated by the first insert.
     */
    private ConcurrentHashMap<String, V> newGeneration() {
        return new ConcurrentHashMap<>(generation);
    }

    V get(String name) {
        ConcurrentHashMap<String, V> y = young;
        V v = y.get(name);
        if (v != null) {
            return v;
        }
        v = old.get(name);
        if (v == null) {
            v = build.apply(name);
        }
        if (y.putIfAbsent(name, v) == null && inserted.incrementAndGet() == generation) {
            // Exactly one thread sees the count reach the bound, once per generation.
            old = y;
            young = newGeneration();
            inserted.set(0);
        }
        return v;
    }

    /** Names held in both generations (for tests). */
    int size() {
        return young.size() + old.size();
    }
}
