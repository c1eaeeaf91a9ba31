package dev.baton.bench;

import dev.baton.InvalidArgumentException;
import java.time.Duration;
import java.util.List;

/**
 * The sizes of one benchmark run. Counts are per round and per system; every measured scenario runs
 * {@code rounds} rounds, each round visiting every system once in an order shuffled per round.
 *
 * @param rounds rounds per scenario (the reported value is the median over rounds)
 * @param warmupCycles uncontended cycles per system before anything is measured (JIT, pools)
 * @param uncontendedCycles acquire+release cycles per uncontended round
 * @param handoffs handoffs per contended round (the round also ends at {@code roundCap})
 * @param waiters the W of {@code contended-W}: W waiters besides the holder, W + 1 threads
 * @param manyKeysOps cycles per many-keys round, over all threads
 * @param manyKeysThreads threads of the many-keys scenario
 * @param manyKeysNames distinct lock names of the many-keys scenario
 * @param roundCap the longest a contended or many-keys round may take
 * @param renewalLeases leases held at once by one Baton client in {@code renewal-10k}
 * @param renewalHold how long they are held
 * @param auctionBids bids per auction round, over all bidders
 * @param bidders the B of {@code auction-B}
 * @param clients client instances per system for the multi-threaded scenarios
 */
public record BenchConfig(
        int rounds,
        int warmupCycles,
        int uncontendedCycles,
        int handoffs,
        List<Integer> waiters,
        int manyKeysOps,
        int manyKeysThreads,
        int manyKeysNames,
        Duration roundCap,
        int renewalLeases,
        Duration renewalHold,
        int auctionBids,
        List<Integer> bidders,
        int clients) {

    public BenchConfig {
        positive("rounds", rounds);
        positive("warmupCycles", warmupCycles);
        positive("uncontendedCycles", uncontendedCycles);
        positive("handoffs", handoffs);
        positive("manyKeysOps", manyKeysOps);
        positive("manyKeysThreads", manyKeysThreads);
        positive("manyKeysNames", manyKeysNames);
        positive("renewalLeases", renewalLeases);
        positive("auctionBids", auctionBids);
        positive("clients", clients);
        waiters = List.copyOf(waiters);
        bidders = List.copyOf(bidders);
        for (int w : waiters) {
            positive("waiters entry", w);
        }
        for (int b : bidders) {
            positive("bidders entry", b);
        }
        if (roundCap == null || roundCap.isNegative() || roundCap.isZero()) {
            throw InvalidArgumentException.mustBe("roundCap", "positive", roundCap);
        }
        if (renewalHold == null || renewalHold.isNegative() || renewalHold.isZero()) {
            throw InvalidArgumentException.mustBe("renewalHold", "positive", renewalHold);
        }
    }

    private static void positive(String what, int value) {
        if (value <= 0) {
            throw InvalidArgumentException.mustBe(what, "positive", value);
        }
    }

    /** {@code bin/baton bench --quick}: within 5 minutes on a 2-core machine. */
    public static BenchConfig quick() {
        return new BenchConfig(
                5,
                500,
                1_000,
                300,
                List.of(1, 4, 16, 64),
                2_000,
                64,
                10_000,
                Duration.ofSeconds(2),
                10_000,
                Duration.ofSeconds(10),
                300,
                List.of(1, 8, 64),
                4);
    }

    /** {@code bin/baton bench}: the run docs/BENCHMARKS.md reports. */
    public static BenchConfig full() {
        return new BenchConfig(
                7,
                3_000,
                5_000,
                2_000,
                List.of(1, 4, 16, 64),
                20_000,
                64,
                10_000,
                Duration.ofSeconds(8),
                10_000,
                Duration.ofSeconds(60),
                1_000,
                List.of(1, 8, 64),
                4);
    }
}
