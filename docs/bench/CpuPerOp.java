import dev.baton.bench.BatonSystem;
import dev.baton.bench.LockSystem;
import dev.baton.bench.redis.RedisFencedFloorSystem;
import dev.baton.bench.redis.RedisFloorSystem;
import dev.baton.faults.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where a many-keys cycle's CPU goes, client and server apart: the bench's many-keys load (64
 * threads over 4 clients, each cycle on a name drawn from 10,000) run for a fixed time per system,
 * alternating systems round by round on one redis-server this program starts (a free loopback
 * port, as the bench does). Per round and system: cycles per second, this JVM's CPU per cycle
 * (OperatingSystemMXBean, every thread: callers, Lettuce, Baton's own) and the server's (INFO cpu),
 * then the medians. On a 2-core machine the two share the cores, so throughput follows their sum.
 * Used for docs/BENCHMARKS.md (issue 14).
 *
 *   ./mvnw -q package -pl baton-bench -am -DskipTests
 *   java -cp baton-bench/target/baton-bench.jar docs/bench/CpuPerOp.java [SECONDS] [ROUNDS] [SYSTEMS]
 *
 * Defaults: 8 seconds, 3 rounds, baton,redis-fenced-floor,redis-floor. Each system gets 5 s of
 * warm-up first (the JIT), on its own clients.
 */
public class CpuPerOp {
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<String> names =
                Arrays.asList(
                        (args.length > 2 ? args[2] : "baton,redis-fenced-floor,redis-floor")
                                .split(","));
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean();
        try (RedisServer server = RedisServer.start()) {
            RedisClient admin = RedisClient.create(server.uri());
            RedisCommands<String, String> info = admin.connect().sync();
            Map<String, LockSystem> systems = new LinkedHashMap<>();
            Map<String, List<LockSystem.Client>> clients = new LinkedHashMap<>();
            for (String n : names) {
                LockSystem s = system(n, server.uri());
                List<LockSystem.Client> cs = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    cs.add(s.client());
                }
                systems.put(n, s);
                clients.put(n, cs);
                run(cs, 5);
            }
            Map<String, List<double[]>> results = new LinkedHashMap<>();
            for (int r = 0; r < rounds; r++) {
                List<String> order = new ArrayList<>(names);
                if (r % 2 == 1) {
                    java.util.Collections.reverse(order);
                }
                for (String n : order) {
                    double server0 = serverCpuSeconds(info);
                    long client0 = os.getProcessCpuTime();
                    long cycles = run(clients.get(n), seconds);
                    double serverUs = (serverCpuSeconds(info) - server0) * 1e6 / cycles;
                    double clientUs = (os.getProcessCpuTime() - client0) / 1e3 / cycles;
                    double[] v = {cycles / (double) seconds, clientUs, serverUs};
                    results.computeIfAbsent(n, k -> new ArrayList<>()).add(v);
                    System.out.printf(
                            "round %d %-20s %8.0f cycles/s  client %6.1f  server %6.1f µs CPU/cycle%n",
                            r + 1, n, v[0], v[1], v[2]);
                }
            }
            for (var e : results.entrySet()) {
                System.out.printf(
                        "median %-19s %8.0f cycles/s  client %6.1f  server %6.1f  sum %6.1f%n",
                        e.getKey(),
                        median(e.getValue(), 0),
                        median(e.getValue(), 1),
                        median(e.getValue(), 2),
                        median(e.getValue(), 1) + median(e.getValue(), 2));
            }
            for (var e : clients.entrySet()) {
                for (LockSystem.Client c : e.getValue()) {
                    c.close();
                }
                systems.get(e.getKey()).close();
            }
            admin.shutdown();
        }
        System.exit(0);
    }

    private static LockSystem system(String name, String uri) {
        return switch (name) {
            case "baton" -> new BatonSystem(uri, "redis");
            case "redis-fenced-floor" -> new RedisFencedFloorSystem(uri);
            case "redis-floor" -> new RedisFloorSystem(uri);
            default -> throw new IllegalArgumentException("unknown system: " + name);
        };
    }

    /** Cycles done by 64 threads over the clients in {@code seconds}. */
    private static long run(List<LockSystem.Client> clients, int seconds) throws Exception {
        LongAdder done = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> error = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            LockSystem.Client c = clients.get(i % clients.size());
            SplittableRandom random = new SplittableRandom(i);
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    while (!stop.get()) {
                                        LockSystem.Held h =
                                                c.acquire(
                                                        "cpu-" + random.nextInt(10_000),
                                                        Duration.ofSeconds(5));
                                        if (h != null) {
                                            h.release();
                                            done.increment();
                                        }
                                    }
                                } catch (Throwable e) {
                                    error.compareAndSet(null, e);
                                }
                            });
            t.start();
            threads.add(t);
        }
        Thread.sleep(seconds * 1000L); // the measured interval itself, not a synchronisation
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        if (error.get() != null) {
            throw new IllegalStateException(error.get());
        }
        return done.sum();
    }

    private static double serverCpuSeconds(RedisCommands<String, String> info) {
        double total = 0;
        for (String line : info.info("cpu").split("\r\n")) {
            if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
                total += Double.parseDouble(line.substring(line.indexOf(':') + 1));
            }
        }
        return total;
    }

    private static double median(List<double[]> values, int i) {
        double[] xs = values.stream().mapToDouble(v -> v[i]).sorted().toArray();
        return xs[xs.length / 2];
    }
}
