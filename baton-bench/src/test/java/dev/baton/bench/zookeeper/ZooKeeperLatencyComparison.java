package dev.baton.bench.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.bench.LockSystem;
import dev.baton.bench.scenario.RoundOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A quick side-by-side of the uncontended acquire+release cycle of {@code baton}, {@code
 * curator-mutex} and {@code zk-floor} on one server, for the goal "baton ≤ 1.1 × curator-mutex".
 * Not part of the build's tests (it measures, it does not check): run it with
 *
 * <pre>
 * ./mvnw -o -pl baton-bench test -Dtest=ZooKeeperLatencyComparison -Dbench.zk.latency=true \
 *     [-Dbench.zk.rounds=15] [-Dbench.zk.cycles=1000] [-Dbench.zk.warmup=3000]
 * </pre>
 *
 * <p>The systems take turns, round after round, in an order shuffled per round ({@link RoundOrder};
 * {@code -Dbench.zk.seed=N} repeats one), so that the machine's drift reaches all of them alike;
 * the result is the median over rounds of each round's median cycle, with the lowest and highest
 * round, and the median of the per-round ratios to curator-mutex.
 */
@EnabledIfSystemProperty(named = "bench.zk.latency", matches = "true")
class ZooKeeperLatencyComparison {
    private static final Duration GRANT = Duration.ofSeconds(20);
    private static final List<String> COMPARED = List.of("baton", "curator-mutex", "zk-floor");

    @Test
    void uncontendedCycle() throws Exception {
        int rounds = Integer.getInteger("bench.zk.rounds", 5);
        int cycles = Integer.getInteger("bench.zk.cycles", 200);
        int warmup = Integer.getInteger("bench.zk.warmup", 300);
        boolean fsync = Boolean.getBoolean("bench.zk.fsync");
        RoundOrder order = new RoundOrder(Long.getLong("bench.zk.seed", System.nanoTime()));

        try (ZooKeeperBench bench = ZooKeeperBench.start(fsync)) {
            Map<String, LockSystem> systems = new LinkedHashMap<>();
            Map<String, LockSystem.Client> clients = new LinkedHashMap<>();
            for (LockSystem s : bench.systems()) {
                if (COMPARED.contains(s.name())) {
                    systems.put(s.name(), s);
                }
            }
            Map<String, double[]> medians = new LinkedHashMap<>();
            try {
                for (String name : COMPARED) {
                    LockSystem.Client c = systems.get(name).client();
                    clients.put(name, c);
                    medians.put(name, new double[rounds]);
                    run(c, "latency-" + name, warmup, new long[warmup]);
                }
                long[] sample = new long[cycles];
                for (int r = 0; r < rounds; r++) {
                    for (String name : order.of("zk-latency", r, COMPARED)) {
                        run(clients.get(name), "latency-" + name, cycles, sample);
                        medians.get(name)[r] = median(sample) / 1_000.0;
                    }
                }
            } finally {
                for (LockSystem.Client c : clients.values()) {
                    c.close();
                }
                for (LockSystem s : systems.values()) {
                    s.close();
                }
            }

            StringBuilder out =
                    new StringBuilder(
                            String.format(
                                    "Uncontended acquire+release, µs (%d rounds × %d cycles,"
                                            + " fsync %s, seed %d): median of round medians"
                                            + " [min..max]%n",
                                    rounds, cycles, fsync ? "on" : "off", order.seed()));
            double[] curator = medians.get("curator-mutex");
            for (String name : COMPARED) {
                double[] m = medians.get(name);
                double[] ratio = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratio[r] = m[r] / curator[r];
                }
                double[] sorted = m.clone();
                Arrays.sort(sorted);
                out.append(
                        String.format(
                                "  %-14s %8.1f [%.1f..%.1f]   × curator-mutex: %.2f%n",
                                name, medianOf(m), sorted[0], sorted[rounds - 1], medianOf(ratio)));
            }
            System.out.print(out);
            assertThat(medianOf(medians.get("baton"))).isPositive();
        }
    }

    /** Runs {@code n} cycles, storing each one's nanoseconds in {@code into}. */
    private static void run(LockSystem.Client client, String key, int n, long[] into)
            throws Exception {
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            LockSystem.Held held = client.acquire(key, GRANT);
            held.release();
            into[i] = System.nanoTime() - t0;
        }
    }

    private static double median(long[] values) {
        long[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
    }

    private static double medianOf(double[] values) {
        List<Double> s = new ArrayList<>();
        for (double v : values) {
            s.add(v);
        }
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2.0;
    }
}
