package dev.baton.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The order of the systems in each round: all of them once, and no fixed predecessor over rounds.
 * The predecessor check is proven on the rotation the harness used before, which it must reject.
 */
class RoundOrderTest {
    /** The Redis systems: the longest list a round visits. */
    private static final List<String> SYSTEMS =
            List.of(
                    "baton",
                    "redisson-rlock",
                    "redisson-fairlock",
                    "redisson-fencedlock",
                    "si-redis-pubsub",
                    "si-redis-spin",
                    "shedlock-redis",
                    "redis-floor");

    private static final int ROUNDS = 400;

    @Test
    void everySystemRunsOncePerRound() {
        for (long seed = 0; seed < 20; seed++) {
            RoundOrder order = new RoundOrder(seed);
            for (int round = 0; round < 7; round++) {
                assertThat(order.of("uncontended/redis", round, SYSTEMS))
                        .as("seed %d, round %d", seed, round)
                        .hasSize(SYSTEMS.size())
                        .containsExactlyInAnyOrderElementsOf(SYSTEMS);
            }
        }
    }

    @Test
    void theSeedRepeatsTheOrderAndAnotherSeedChangesIt() {
        List<List<String>> a = rounds((r, s) -> new RoundOrder(7).of("contended-16/redis", r, s));
        List<List<String>> b = rounds((r, s) -> new RoundOrder(7).of("contended-16/redis", r, s));
        List<List<String>> c = rounds((r, s) -> new RoundOrder(8).of("contended-16/redis", r, s));
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
    }

    @Test
    void noSystemKeepsItsPredecessorOverRounds() {
        for (long seed = 0; seed < 5; seed++) {
            RoundOrder order = new RoundOrder(seed);
            assertNoFixedPredecessor(rounds((r, s) -> order.of("many-keys/redis", r, s)));
        }
    }

    @Test
    void aRotationIsCaught() {
        List<String> rotating = new ArrayList<>(SYSTEMS);
        List<List<String>> rotation = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            rotation.add(List.copyOf(rotating));
            Collections.rotate(rotating, -1);
        }
        assertThatThrownBy(() -> assertNoFixedPredecessor(rotation))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("redisson-rlock");
    }

    private static List<List<String>> rounds(BiFunction<Integer, List<String>, List<String>> of) {
        List<List<String>> rounds = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            rounds.add(of.apply(r, SYSTEMS));
        }
        return rounds;
    }

    /**
     * Over the rounds, every system runs right after every other one, and no predecessor is much
     * more frequent than chance: uniform would give each of the n - 1 predecessors of a system
     * {@code rounds / n} times (50 here); a rotation gives each system one predecessor only.
     */
    private static void assertNoFixedPredecessor(List<List<String>> rounds) {
        int n = SYSTEMS.size();
        int[][] after = new int[n][n]; // after[b][a]: rounds in which b ran right after a
        for (List<String> round : rounds) {
            for (int i = 1; i < round.size(); i++) {
                after[SYSTEMS.indexOf(round.get(i))][SYSTEMS.indexOf(round.get(i - 1))]++;
            }
        }
        double expected = (double) rounds.size() / n;
        for (int b = 0; b < n; b++) {
            for (int a = 0; a < n; a++) {
                if (a != b) {
                    assertThat(after[b][a])
                            .as("%s right after %s", SYSTEMS.get(b), SYSTEMS.get(a))
                            .isBetween((int) (expected / 3), (int) (expected * 2));
                }
            }
        }
    }
}
