package dev.baton.bench.scenario;

import dev.baton.bench.BenchConfig;
import dev.baton.bench.LockSystem;
import dev.baton.bench.LockSystem.Client;
import dev.baton.bench.LockSystem.Held;
import dev.baton.bench.Results;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code many-keys}: {@link BenchConfig#manyKeysThreads()} threads over the clients, each cycling
 * on names drawn uniformly from {@link BenchConfig#manyKeysNames()}. Metrics: {@code ops_per_s},
 * {@code client_cpu_us_per_op} (this JVM's CPU over the round, every thread, divided by the cycles
 * done: the system's clients and callers, plus the other systems' idle clients, which cost little),
 * and {@code server_cpu_us_per_op} (and {@code replica_cpu_us_per_op} with a replica) where the
 * engine reports its CPU time ({@link ServerCpu}). One cycle is one op. On a machine where the
 * clients and the server share the cores, throughput follows the sum of client and server CPU.
 */
public final class ManyKeys implements Scenario {
    public static final String NAME = "many-keys";

    /** This JVM's CPU time ({@code getProcessCpuTime}: -1 where the platform does not tell). */
    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final Context context;
    private final ServerCpu cpu;

    /**
     * @param cpu the engine's CPU time, where it tells
     */
    public ManyKeys(Context context, ServerCpu cpu) {
        this.context = context;
        this.cpu = cpu;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void round(LockSystem s, List<Client> clients, int round) throws Exception {
        BenchConfig config = context.config();
        int threads = config.manyKeysThreads();
        int perThread = (config.manyKeysOps() + threads - 1) / threads;
        LongAdder done = new LongAdder();
        AtomicReference<Throwable> error = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        long[] goAt = new long[1]; // published to the workers by go.countDown()
        long capNanos = config.roundCap().toNanos();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Client client = clients.get(i % clients.size());
            SplittableRandom random = new SplittableRandom(i);
            Runnable body =
                    () -> {
                        try {
                            ready.countDown();
                            go.await();
                            long deadline = goAt[0] + capNanos;
                            for (int j = 0; j < perThread && error.get() == null; j++) {
                                String key = "bench-mk-" + random.nextInt(config.manyKeysNames());
                                Held held = client.acquire(key, Workers.WAIT_SLICE);
                                if (held != null) {
                                    held.release();
                                    done.increment();
                                }
                                if (System.nanoTime() - deadline > 0) {
                                    break;
                                }
                            }
                        } catch (Throwable e) {
                            error.compareAndSet(null, e);
                        }
                    };
            workers.add(Workers.start("bench-" + s.name() + "-k" + i, body));
        }
        ready.await();
        ServerCpu.Reading cpu0 = cpu.read();
        long client0 = PROCESS.getProcessCpuTime();
        goAt[0] = System.nanoTime();
        go.countDown();
        Workers.join(
                s, workers, config.roundCap().plus(Workers.WAIT_SLICE).plus(Workers.JOIN_GRACE));
        long elapsed = System.nanoTime() - goAt[0];
        long client1 = PROCESS.getProcessCpuTime();
        ServerCpu.Reading cpu1 = cpu.read();
        if (error.get() != null) {
            throw new IllegalStateException("a worker failed", error.get());
        }
        Results.Round r = context.results().round(NAME, s.backend(), s.name(), round);
        r.add("ops_per_s", "ops/s", done.sum() / Workers.seconds(elapsed));
        if (done.sum() > 0 && client0 >= 0) {
            r.add("client_cpu_us_per_op", "us", (client1 - client0) / 1e3 / done.sum());
        }
        cpu.record(r, cpu0, cpu1, "op", done.sum());
    }
}
