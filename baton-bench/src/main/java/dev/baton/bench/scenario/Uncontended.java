package dev.baton.bench.scenario;

import dev.baton.bench.LockSystem;
import dev.baton.bench.LockSystem.Client;
import dev.baton.bench.LockSystem.Held;
import dev.baton.bench.Results;
import dev.baton.bench.Stats;
import java.time.Duration;
import java.util.List;

/**
 * {@code uncontended}: one thread, one key, acquire → release, {@link
 * dev.baton.bench.BenchConfig#uncontendedCycles()} cycles per round on the first client. Metrics:
 * {@code latency_p50_us}, {@code latency_p99_us}, {@code ops_per_s}, and {@code
 * server_cpu_us_per_cycle} (and {@code replica_cpu_us_per_cycle} with a replica) where the engine
 * reports its CPU time ({@link ServerCpu}).
 */
public final class Uncontended implements Scenario {
    public static final String NAME = "uncontended";

    /** Generous: an uncontended acquire that takes this long means the system is broken. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Context context;
    private final ServerCpu cpu;

    /**
     * @param cpu the engine's CPU time, where it tells
     */
    public Uncontended(Context context, ServerCpu cpu) {
        this.context = context;
        this.cpu = cpu;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void round(LockSystem s, List<Client> clients, int round) throws Exception {
        long[] latencies = new long[context.config().uncontendedCycles()];
        ServerCpu.Reading cpu0 = cpu.read();
        long t0 = System.nanoTime();
        loop(clients.get(0), "bench-uncontended", latencies);
        long t1 = System.nanoTime();
        ServerCpu.Reading cpu1 = cpu.read();
        int n = latencies.length;
        Results.Round r = context.results().round(NAME, s.backend(), s.name(), round);
        r.add("latency_p50_us", "us", Workers.micros(Stats.percentile(latencies, n, 50)));
        r.add("latency_p99_us", "us", Workers.micros(Stats.percentile(latencies, n, 99)));
        r.add("ops_per_s", "ops/s", n / Workers.seconds(t1 - t0));
        cpu.record(r, cpu0, cpu1, "cycle", n);
    }

    /** Runs {@code cycles} untimed cycles on {@code key}: warm-up, and the engine-cost count. */
    public static void cycles(Client client, String key, int cycles) throws Exception {
        loop(client, key, new long[cycles]);
    }

    /** One cycle per element of {@code latencies}, storing each one's nanoseconds there. */
    private static void loop(Client client, String key, long[] latencies) throws Exception {
        for (int i = 0; i < latencies.length; i++) {
            long start = System.nanoTime();
            Held held = client.acquire(key, TIMEOUT);
            if (held == null) {
                throw new IllegalStateException(
                        "no grant of the free lock " + key + " within " + TIMEOUT);
            }
            held.release();
            latencies[i] = System.nanoTime() - start;
        }
    }
}
