package dev.baton.bench.scenario;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FencedLease;
import dev.baton.bench.BenchConfig;
import dev.baton.bench.BenchEngine;
import dev.baton.bench.EngineCounter;
import dev.baton.bench.Results;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code renewal-10k}, Baton only: one client holds {@link BenchConfig#renewalLeases()} leases for
 * {@link BenchConfig#renewalHold()}. Metrics: {@code renewal_cmds_per_s} (client commands during
 * the hold per second; nothing else talks to the server then), {@code renewal_engine_calls_per_s},
 * {@code client_threads} (threads alive in the middle of the hold that did not exist before the
 * client connected, plus the threads named {@code lettuce-…}, which are the Lettuce event loops
 * Baton shares between all its clients in the JVM; the harness names every other Lettuce pool
 * differently; the names are logged) and {@code leases_lost}.
 */
public final class RenewalLoad {
    public static final String NAME = "renewal-10k";

    private final Context context;
    private final BenchEngine engine;

    public RenewalLoad(Context context, BenchEngine engine) {
        this.context = context;
        this.engine = engine;
    }

    /** Runs the one round; run it with no other client open, so that only Baton's work counts. */
    public void run() throws Exception {
        BenchConfig config = context.config();
        EngineCounter calls = engine.counter();
        Set<Long> before = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            before.add(t.getId());
        }
        int n = config.renewalLeases();
        try (BenchEngine.CommandCount commands = engine.openCommandCount();
                Baton baton = Baton.connect(engine.batonUri(), BatonConfig.defaults())) {
            List<FencedLease> leases = new ArrayList<>(n);
            long a0 = System.nanoTime();
            try {
                // Acquired from a few threads at once (10,000 one after the other take 20 s on
                // ZooKeeper); the pool is gone before the hold, and its names are not counted.
                List<Callable<FencedLease>> acquires = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    String name = "bench/renew/" + i;
                    acquires.add(() -> baton.mutex(name).acquire(Uncontended.TIMEOUT));
                }
                leases.addAll(inParallel(acquires));
                context.log(
                        "renewal-10k: %d leases acquired in %.1f s",
                        n, Workers.seconds(System.nanoTime() - a0));
                long c0 = commands.commands();
                Map<String, Long> n0 = commands.byName();
                long e0 = calls.commands();
                Map<Thread, Long> cpu0 = threadCpu();
                long t0 = System.nanoTime();
                long half = config.renewalHold().toNanos() / 2;
                TimeUnit.NANOSECONDS.sleep(half);
                Map<String, Integer> threads = new TreeMap<>();
                Set<Thread> own = new HashSet<>();
                int count = 0;
                for (Thread t : Thread.getAllStackTraces().keySet()) {
                    if (t.isAlive()
                            && !t.getName().startsWith("bench-")
                            && (!before.contains(t.getId())
                                    || t.getName().startsWith("lettuce-"))) {
                        count++;
                        own.add(t);
                        threads.merge(t.getName().replaceAll("[0-9]+$", "N"), 1, Integer::sum);
                    }
                }
                TimeUnit.NANOSECONDS.sleep(config.renewalHold().toNanos() - half);
                long c1 = commands.commands();
                long e1 = calls.commands();
                long t1 = System.nanoTime();
                Map<Thread, Long> cpu1 = threadCpu();
                long lost = leases.stream().filter(l -> !l.isHeld()).count();
                double secs = Workers.seconds(t1 - t0);
                // CPU per second of hold for each of the client's threads: which ones do the work.
                Map<String, String> busy = new TreeMap<>();
                for (Thread t : own) {
                    Long a = cpu0.get(t);
                    Long b = cpu1.get(t);
                    if (a != null && b != null) {
                        busy.put(
                                t.getName().replaceAll("-[0-9]+@.*$", ""),
                                String.format("%.1f ms/s", (b - a) / 1e6 / secs));
                    }
                }
                context.log(
                        "renewal-10k: client threads %d %s; CPU %s; leases lost %d; commands %s",
                        count, threads, busy, lost, Counts.diff(n0, commands.byName()));
                Results.Round r = context.results().round(NAME, engine.backend(), "baton", 0);
                r.add("renewal_cmds_per_s", "cmds/s", (c1 - c0) / secs);
                r.add("renewal_engine_calls_per_s", "calls/s", (e1 - e0) / secs);
                r.add("client_threads", "threads", count);
                r.add("leases_lost", "leases", lost);
            } finally {
                List<Callable<Boolean>> releases = new ArrayList<>(leases.size());
                for (FencedLease l : leases) {
                    releases.add(l::release);
                }
                inParallel(releases);
            }
        }
    }

    /** Runs the calls on 8 threads named {@code bench-…}; their results in order. */
    private static <T> List<T> inParallel(List<Callable<T>> calls) throws Exception {
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool =
                Executors.newFixedThreadPool(
                        8,
                        r -> {
                            Thread t = new Thread(r, "bench-parallel-" + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
        try {
            List<T> out = new ArrayList<>(calls.size());
            for (Future<T> f : pool.invokeAll(calls)) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** CPU time so far of every live thread (where the JVM measures it). */
    private static Map<Thread, Long> threadCpu() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<Thread, Long> out = new HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            long ns = mx.isThreadCpuTimeSupported() ? mx.getThreadCpuTime(t.getId()) : -1;
            if (ns >= 0) {
                out.put(t, ns);
            }
        }
        return out;
    }
}
