package dev.baton.bench.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The order in which one round visits the systems: a fresh shuffle for every round, so that no
 * system always runs right after a given other one (a system running after one that leaves the
 * server or the JIT busy would otherwise pay for it in every round). A rotation does not do this:
 * it moves where the sequence starts, but every system keeps its predecessor.
 *
 * <p>Each round's shuffle is drawn from a generator seeded by the run's seed, the scenario (and
 * backend) and the round number alone, so a run's orders are repeated by its seed even when only
 * some of its scenarios are run again. Immutable and thread-safe.
 *
 * <pre>{@code
 * RoundOrder order = new RoundOrder(42);
 * List<String> round0 = order.of("uncontended/redis", 0, List.of("baton", "redis-floor", "x"));
 * }</pre>
 */
public final class RoundOrder {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final long seed;

    /**
     * @param seed the run's seed: printed and recorded with the results, accepted by {@code --seed}
     */
    public RoundOrder(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    /**
     * The order of round {@code round} of {@code stream} (a scenario and backend): a permutation of
     * {@code items}, the same for the same seed, stream, round and items.
     */
    public <T> List<T> of(String stream, int round, List<T> items) {
        SplittableRandom random =
                new SplittableRandom(
                        (seed * GOLDEN_GAMMA + stream.hashCode()) * GOLDEN_GAMMA + round);
        List<T> order = new ArrayList<>(items);
        // Fisher–Yates: every permutation equally likely.
        for (int i = order.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T swapped = order.get(i);
            order.set(i, order.get(j));
            order.set(j, swapped);
        }
        return order;
    }
}
