package dev.baton.bench;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FencedLease;
import dev.baton.InvalidArgumentException;
import dev.baton.KeyValueStore;
import dev.baton.UpdateResult;
import dev.baton.Versioned;
import dev.baton.bench.LockSystem.Client;
import dev.baton.bench.LockSystem.Held;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The multi-client harness: starts the engines, opens {@link BenchConfig#clients()} client
 * instances per system, and runs each scenario for {@link BenchConfig#rounds()} rounds, every round
 * visiting every system once in an order rotated from round to round. Systems measured in the same
 * round share the machine's state of the moment, so round-to-round noise (which on a small machine
 * is larger than most differences between systems) hits all of them alike; the reported value is
 * the median over rounds and the spread is kept.
 *
 * <p>Threads: one driving thread (the caller of {@link #run()}) owns the results, the clients and
 * the order of work; a scenario's worker threads are started and joined within one round and only
 * share the round's atomics and latches, which the comments at each round describe.
 *
 * <p>A system that throws in a round is reported on the log (the round is not recorded); after two
 * such rounds it sits out the rest of the scenario, and one whose workers do not finish in time
 * sits out the rest of the run.
 */
public final class Bench {
    /** Scenarios that do not depend on the configuration's W and B lists. */
    public static final String UNCONTENDED = "uncontended";

    public static final String MANY_KEYS = "many-keys";
    public static final String ENGINE_COST = "engine-cost";
    public static final String RENEWAL = "renewal-10k";

    // Lock names given to LockSystem clients are one segment of [A-Za-z0-9._-] (no '/'): the
    // ZooKeeper systems map a name onto one node.

    /** Generous: an uncontended acquire that takes this long means the system is broken. */
    private static final Duration UNCONTENDED_TIMEOUT = Duration.ofSeconds(10);

    /** Contended waits are cut into slices so that workers notice the end of a round. */
    private static final Duration WAIT_SLICE = Duration.ofSeconds(2);

    /** A system that fails this many rounds of a scenario sits out the rest of it. */
    private static final int MAX_FAILED_ROUNDS = 2;

    private static final int COST_CYCLES = 500;
    private static final int COST_HANDOFFS = 200;

    /** Worker threads still running this long after a round's cap mean a stuck system. */
    private static final Duration JOIN_GRACE = Duration.ofSeconds(20);

    private final BenchConfig config;
    private final Set<String> systemFilter;
    private final Set<String> scenarios;
    private final PrintStream log;
    private final Results results = new Results();
    private final long startNanos = System.nanoTime();

    /**
     * @param systems system names to run, or empty for all
     * @param scenarios scenario names to run ({@code contended} and {@code auction} select every W
     *     or B), or empty for all
     * @param log where progress goes (stderr from the CLI)
     * @throws InvalidArgumentException naming an unknown system or scenario
     */
    public Bench(
            BenchConfig config,
            Collection<String> systems,
            Collection<String> scenarios,
            PrintStream log) {
        this.config = config;
        this.log = log;
        this.systemFilter = new LinkedHashSet<>(systems);
        for (String s : systemFilter) {
            if (!Systems.NAMES.contains(s)) {
                throw InvalidArgumentException.mustBe(
                        "--systems entry", "one of " + String.join(", ", Systems.NAMES), s);
            }
        }
        List<String> all = scenarioNames(config);
        this.scenarios = new LinkedHashSet<>();
        for (String s : scenarios.isEmpty() ? all : scenarios) {
            List<String> matched = new ArrayList<>();
            for (String name : all) {
                if (name.equals(s) || name.startsWith(s + "-") && !all.contains(s)) {
                    matched.add(name);
                }
            }
            if (matched.isEmpty()) {
                throw InvalidArgumentException.mustBe(
                        "--scenarios entry",
                        "one of " + String.join(", ", all) + ", contended or auction",
                        s);
            }
            this.scenarios.addAll(matched);
        }
    }

    /** Every scenario name under {@code config}, in the order they run. */
    public static List<String> scenarioNames(BenchConfig config) {
        List<String> names = new ArrayList<>();
        names.add(UNCONTENDED);
        for (int w : config.waiters()) {
            names.add(contended(w));
        }
        names.add(MANY_KEYS);
        names.add(ENGINE_COST);
        names.add(RENEWAL);
        for (int b : config.bidders()) {
            names.add(auction(b));
        }
        return names;
    }

    static String contended(int w) {
        return "contended-" + w;
    }

    static String auction(int b) {
        return "auction-" + b;
    }

    private boolean wants(String scenario) {
        return scenarios.contains(scenario);
    }

    private boolean selected(String system) {
        return systemFilter.isEmpty() || systemFilter.contains(system);
    }

    /** Runs everything selected; the results are complete when this returns. */
    public Results run() throws Exception {
        try (BenchEngine redis = Systems.startRedis()) {
            log("redis-server at %s", redis.batonUri());
            runEngine(redis);
        }
        Optional<BenchEngine> zk = Systems.startZooKeeper();
        if (zk.isEmpty()) {
            log("ZooKeeper systems are not wired into the harness yet: Redis only");
        } else {
            try (BenchEngine engine = zk.get()) {
                runEngine(engine);
            }
        }
        return results;
    }

    private void runEngine(BenchEngine engine) throws Exception {
        List<LockSystem> systems = new ArrayList<>();
        for (LockSystem s : engine.systems()) {
            if (selected(s.name())) {
                systems.add(s);
            } else {
                closeQuietly(s);
            }
        }
        boolean multi =
                scenarios.stream().anyMatch(s -> s.startsWith("contended-"))
                        || wants(MANY_KEYS)
                        || wants(ENGINE_COST);
        Map<LockSystem, List<Client>> clients = new LinkedHashMap<>();
        Set<LockSystem> dead = new HashSet<>();
        try {
            for (LockSystem s : systems) {
                List<Client> list = new ArrayList<>();
                clients.put(s, list);
                try {
                    for (int i = 0; i < (multi ? config.clients() : 1); i++) {
                        list.add(s.client());
                    }
                    uncontendedRound(list.get(0), "bench-warmup", config.warmupCycles());
                } catch (Exception e) {
                    fail(s, "start", e);
                    dead.add(s);
                }
            }
            log(
                    "%d systems started and warmed up on %s",
                    clients.size() - dead.size(), engine.backend());
            if (wants(UNCONTENDED)) {
                rounds(
                        clients,
                        dead,
                        UNCONTENDED,
                        (s, c, r) -> uncontended(s, c, engine.cpuMicros()));
            }
            for (int w : config.waiters()) {
                String scenario = contended(w);
                if (wants(scenario)) {
                    rounds(clients, dead, scenario, (s, c, r) -> contended(s, c, w));
                }
            }
            if (wants(MANY_KEYS)) {
                rounds(clients, dead, MANY_KEYS, (s, c, r) -> manyKeys(s, c));
            }
            if (wants(ENGINE_COST)) {
                engineCost(engine, clients, dead);
            }
        } finally {
            for (var e : clients.entrySet()) {
                for (Client c : e.getValue()) {
                    closeQuietly(c);
                }
                closeQuietly(e.getKey());
            }
        }
        // Baton-only scenarios run after the peers' clients are closed, so that nothing else
        // runs on the machine or the server while renewal traffic and threads are counted.
        if (selected("baton") && wants(RENEWAL)) {
            try {
                renewal(engine);
            } catch (Exception e) {
                log("renewal-10k failed: %s", e);
            }
        }
        List<Integer> bidders = new ArrayList<>();
        for (int b : config.bidders()) {
            if (wants(auction(b))) {
                bidders.add(b);
            }
        }
        if (selected("baton") && !bidders.isEmpty()) {
            auctions(engine, bidders);
        }
    }

    /** One round of one scenario on one system; records its own results. */
    private interface Measured {
        void run(LockSystem system, List<Client> clients, int round) throws Exception;
    }

    private void rounds(
            Map<LockSystem, List<Client>> clients,
            Set<LockSystem> dead,
            String scenario,
            Measured body) {
        List<LockSystem> order = new ArrayList<>(clients.keySet());
        Map<LockSystem, Integer> failures = new HashMap<>();
        for (int round = 0; round < config.rounds(); round++) {
            for (LockSystem s : order) {
                if (dead.contains(s) || failures.getOrDefault(s, 0) >= MAX_FAILED_ROUNDS) {
                    continue;
                }
                try {
                    body.run(s, clients.get(s), round);
                } catch (StuckException e) {
                    fail(s, scenario, e);
                    dead.add(s);
                } catch (Exception e) {
                    fail(s, scenario, e);
                    failures.merge(s, 1, Integer::sum);
                }
            }
            log("%s: round %d/%d done", scenario, round + 1, config.rounds());
            // Rotate so that no system always runs right after a given other one.
            Collections.rotate(order, -1);
        }
    }

    // ------------------------------------------------------------------ uncontended

    /** Also records the server's CPU time per cycle, where the engine reports it. */
    private void uncontended(LockSystem s, List<Client> clients, Optional<EngineCounter> cpu)
            throws Exception {
        long[] latencies = new long[config.uncontendedCycles()];
        long cpu0 = cpu.isPresent() ? cpu.get().commands() : 0;
        long t0 = System.nanoTime();
        uncontendedLoop(clients.get(0), "bench-uncontended", latencies);
        long t1 = System.nanoTime();
        long cpu1 = cpu.isPresent() ? cpu.get().commands() : 0;
        int n = latencies.length;
        String b = s.backend();
        results.add(
                UNCONTENDED,
                b,
                s.name(),
                "latency_p50_us",
                "us",
                micros(Stats.percentile(latencies, n, 50)));
        results.add(
                UNCONTENDED,
                b,
                s.name(),
                "latency_p99_us",
                "us",
                micros(Stats.percentile(latencies, n, 99)));
        results.add(UNCONTENDED, b, s.name(), "ops_per_s", "ops/s", n / seconds(t1 - t0));
        if (cpu.isPresent()) {
            results.add(
                    UNCONTENDED,
                    b,
                    s.name(),
                    "server_cpu_us_per_cycle",
                    "us",
                    (double) (cpu1 - cpu0) / n);
        }
    }

    private static void uncontendedRound(Client client, String key, int cycles) throws Exception {
        uncontendedLoop(client, key, new long[cycles]);
    }

    private static void uncontendedLoop(Client client, String key, long[] latencies)
            throws Exception {
        for (int i = 0; i < latencies.length; i++) {
            long start = System.nanoTime();
            Held held = client.acquire(key, UNCONTENDED_TIMEOUT);
            if (held == null) {
                throw new IllegalStateException(
                        "no grant of the free lock " + key + " within " + UNCONTENDED_TIMEOUT);
            }
            held.release();
            latencies[i] = System.nanoTime() - start;
        }
    }

    // ------------------------------------------------------------------ contended

    /**
     * W + 1 threads spread over the clients loop acquire → release on one key. A handoff is the
     * time from a holder's call to release until another thread's acquire returns; a grant back to
     * the releasing thread (a lock that lets the releaser barge in) is not a handoff and is
     * reported as {@code regrants_pct}, the share of all grants. Rate and engine counts run from
     * the {@code mark}-th handoff, once every waiter has queued, so that the one-off enqueue of W
     * waiters does not inflate the per-handoff cost as W grows; the commands of regrants in that
     * window count towards the handoffs.
     */
    private void contended(LockSystem s, List<Client> clients, int waiters) throws Exception {
        Handoffs h = handoffs(s, clients, waiters, config.handoffs(), null, null);
        String scenario = contended(waiters);
        results.add(scenario, s.backend(), s.name(), "handoffs_per_s", "handoffs/s", h.perSecond);
        results.add(scenario, s.backend(), s.name(), "handoff_p50_us", "us", h.p50Micros);
        results.add(scenario, s.backend(), s.name(), "handoff_p99_us", "us", h.p99Micros);
        results.add(scenario, s.backend(), s.name(), "regrants_pct", "%", h.regrantPct);
    }

    /** One contended round's outcome; the per-handoff counts are NaN when not counted. */
    private record Handoffs(
            double perSecond,
            double p50Micros,
            double p99Micros,
            double regrantPct,
            double commands,
            double engineCalls,
            Map<String, String> byName) {}

    /**
     * Runs one contended round; {@code commands} and {@code calls} (both null, or both not) are
     * read at the mark and at the last handoff, by the holder of the moment.
     */
    private Handoffs handoffs(
            LockSystem s,
            List<Client> clients,
            int waiters,
            int target,
            BenchEngine.CommandCount commands,
            EngineCounter calls)
            throws Exception {
        int threads = waiters + 1;
        // The window opens once every thread has had its turn, so the first enqueue of each
        // waiter falls before it: from handoff max(20, W + 1), capped at half the target.
        int mark = Math.max(1, Math.min(Math.max(20, threads), target / 2));
        String key = "bench-contended-" + waiters;
        // Written only by the current holder, before it releases: mutual exclusion orders the
        // writes, the atomics make them visible to the next holder on another thread.
        AtomicLong lastReleaseAt = new AtomicLong();
        AtomicInteger lastHolder = new AtomicInteger(-1);
        AtomicInteger handoffs = new AtomicInteger();
        AtomicInteger grants = new AtomicInteger();
        // Window of the rate and the counts, written by the holder at the mark and at the last
        // handoff, read by the driving thread after join (join orders the reads).
        // t0, c0, t1, c1, handoffs at t1, calls at t0, calls at t1, grants at t0, grants at t1
        long[] window = new long[9];
        Object[] names = new Object[2]; // commands by name at t0 and t1
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> error = new AtomicReference<>();
        long[][] samples = new long[threads][];
        int[] counts = new int[threads];
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        boolean counting = commands != null;
        long c00 = counting ? commands.commands() : 0;
        long e00 = counting ? calls.commands() : 0;
        Map<String, Long> n00 = counting ? commands.byName() : Map.of();
        long[] goAt = new long[1];
        long capNanos = config.roundCap().toNanos();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int me = i;
            Client client = clients.get(i % clients.size());
            samples[me] = new long[Math.max(16, 2 * target / threads + 16)];
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    ready.countDown();
                                    go.await();
                                    long deadline = goAt[0] + capNanos;
                                    while (!stop.get()) {
                                        Held held = client.acquire(key, WAIT_SLICE);
                                        if (held == null) {
                                            continue;
                                        }
                                        long now = System.nanoTime();
                                        try {
                                            long prev = lastReleaseAt.get();
                                            boolean handoff = lastHolder.get() != me;
                                            if (prev != 0 && !stop.get()) {
                                                int g = grants.incrementAndGet();
                                                int n =
                                                        handoff
                                                                ? handoffs.incrementAndGet()
                                                                : handoffs.get();
                                                if (!handoff) {
                                                    if (now - deadline > 0) {
                                                        window[2] = now;
                                                        window[4] = n;
                                                        window[8] = g;
                                                        if (counting) { // the window's end counts
                                                            window[3] = commands.commands();
                                                            names[1] = commands.byName();
                                                            window[6] = calls.commands();
                                                        }
                                                        stop.set(true);
                                                    }
                                                    continue; // finally releases
                                                }
                                                if (counts[me] == samples[me].length) {
                                                    samples[me] =
                                                            Arrays.copyOf(
                                                                    samples[me], 2 * counts[me]);
                                                }
                                                samples[me][counts[me]++] = now - prev;
                                                if (n == mark) {
                                                    window[0] = now;
                                                    window[7] = g;
                                                    if (counting) {
                                                        window[1] = commands.commands();
                                                        names[0] = commands.byName();
                                                        window[5] = calls.commands();
                                                    }
                                                }
                                                if (n >= target + mark || now - deadline > 0) {
                                                    window[2] = now;
                                                    window[4] = n;
                                                    window[8] = g;
                                                    if (counting) {
                                                        window[3] = commands.commands();
                                                        names[1] = commands.byName();
                                                        window[6] = calls.commands();
                                                    }
                                                    stop.set(true);
                                                }
                                            }
                                        } finally {
                                            lastHolder.set(me);
                                            lastReleaseAt.set(System.nanoTime());
                                            held.release();
                                        }
                                    }
                                } catch (Throwable e) {
                                    error.compareAndSet(null, e);
                                    stop.set(true);
                                }
                            },
                            "bench-" + s.name() + "-w" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
        ready.await();
        goAt[0] = System.nanoTime(); // published to the workers by go.countDown()
        go.countDown();
        join(s, workers, config.roundCap().plus(WAIT_SLICE).plus(JOIN_GRACE));
        if (error.get() != null) {
            throw new IllegalStateException("a worker failed", error.get());
        }
        int total = handoffs.get();
        if (window[4] == 0 || total == 0) {
            throw new IllegalStateException("no handoff to another thread in " + config.roundCap());
        }
        long[] all = new long[total];
        int k = 0;
        for (int i = 0; i < threads; i++) {
            System.arraycopy(samples[i], 0, all, k, counts[i]);
            k += counts[i];
        }
        double p50 = micros(Stats.percentile(all, k, 50));
        double p99 = micros(Stats.percentile(all, k, 99));
        if (window[4] > mark) {
            long counted = window[4] - mark;
            return new Handoffs(
                    counted / seconds(window[2] - window[0]),
                    p50,
                    p99,
                    100.0 * (window[8] - window[7] - counted) / (window[8] - window[7]),
                    counting ? (double) (window[3] - window[1]) / counted : Double.NaN,
                    counting ? (double) (window[6] - window[5]) / counted : Double.NaN,
                    counting ? perOp(diff(names[0], names[1]), counted) : Map.of());
        }
        // Too slow to pass the mark within the cap: count from the start, enqueueing included.
        long counted = window[4];
        return new Handoffs(
                counted / seconds(window[2] - goAt[0]),
                p50,
                p99,
                100.0 * (window[8] - counted) / window[8],
                counting ? (double) (window[3] - c00) / counted : Double.NaN,
                counting ? (double) (window[6] - e00) / counted : Double.NaN,
                counting ? perOp(diff(n00, names[1]), counted) : Map.of());
    }

    // ------------------------------------------------------------------ engine cost

    /**
     * Counts, per system, the client commands and the engine calls of an uncontended cycle and of a
     * handoff for each W. Counting needs {@code MONITOR} on Redis, which slows the server, so these
     * are separate, untimed rounds: one per system, {@value #COST_CYCLES} cycles and up to {@value
     * #COST_HANDOFFS} handoffs (the counts barely vary between rounds).
     */
    private void engineCost(
            BenchEngine engine, Map<LockSystem, List<Client>> clients, Set<LockSystem> dead)
            throws Exception {
        EngineCounter calls = engine.counter();
        try (BenchEngine.CommandCount commands = engine.openCommandCount()) {
            for (var e : clients.entrySet()) {
                LockSystem s = e.getKey();
                if (dead.contains(s)) {
                    continue;
                }
                String b = s.backend();
                try {
                    int n = Math.min(COST_CYCLES, config.uncontendedCycles());
                    long c0 = commands.commands();
                    Map<String, Long> n0 = commands.byName();
                    long e0 = calls.commands();
                    uncontendedRound(e.getValue().get(0), "bench-cost", n);
                    long c1 = commands.commands();
                    long e1 = calls.commands();
                    results.add(
                            ENGINE_COST,
                            b,
                            s.name(),
                            "cmds_per_cycle",
                            "cmds",
                            (double) (c1 - c0) / n);
                    results.add(
                            ENGINE_COST,
                            b,
                            s.name(),
                            "engine_calls_per_cycle",
                            "calls",
                            (double) (e1 - e0) / n);
                    log(
                            "engine-cost %s: per cycle %s",
                            s.name(), perOp(diff(n0, commands.byName()), n));
                    for (int w : config.waiters()) {
                        Handoffs h =
                                handoffs(
                                        s,
                                        e.getValue(),
                                        w,
                                        Math.min(COST_HANDOFFS, config.handoffs()),
                                        commands,
                                        calls);
                        results.add(
                                ENGINE_COST,
                                b,
                                s.name(),
                                "cmds_per_handoff_w" + w,
                                "cmds",
                                h.commands);
                        results.add(
                                ENGINE_COST,
                                b,
                                s.name(),
                                "engine_calls_per_handoff_w" + w,
                                "calls",
                                h.engineCalls);
                        log("engine-cost %s W=%d: per handoff %s", s.name(), w, h.byName);
                    }
                } catch (StuckException x) {
                    fail(s, ENGINE_COST, x);
                    dead.add(s);
                } catch (Exception x) {
                    fail(s, ENGINE_COST, x);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Long> diff(Object before, Object after) {
        Map<String, Long> b = before == null ? Map.of() : (Map<String, Long>) before;
        Map<String, Long> a = after == null ? Map.of() : (Map<String, Long>) after;
        Map<String, Long> d = new TreeMap<>();
        a.forEach(
                (name, n) -> {
                    long x = n - b.getOrDefault(name, 0L);
                    if (x != 0) {
                        d.put(name, x);
                    }
                });
        return d;
    }

    private static Map<String, String> perOp(Map<String, Long> counts, long ops) {
        Map<String, String> out = new TreeMap<>();
        counts.forEach((name, n) -> out.put(name, Results.format((double) n / ops)));
        return out;
    }

    // ------------------------------------------------------------------ many keys

    /** Threads over the clients, each cycling on names drawn uniformly from the name space. */
    private void manyKeys(LockSystem s, List<Client> clients) throws Exception {
        int threads = config.manyKeysThreads();
        int perThread = (config.manyKeysOps() + threads - 1) / threads;
        LongAdder done = new LongAdder();
        AtomicReference<Throwable> error = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        long[] goAt = new long[1];
        long capNanos = config.roundCap().toNanos();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Client client = clients.get(i % clients.size());
            SplittableRandom random = new SplittableRandom(i);
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    ready.countDown();
                                    go.await();
                                    long deadline = goAt[0] + capNanos;
                                    for (int j = 0; j < perThread && error.get() == null; j++) {
                                        String key =
                                                "bench-mk-"
                                                        + random.nextInt(config.manyKeysNames());
                                        Held held = client.acquire(key, WAIT_SLICE);
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
                            },
                            "bench-" + s.name() + "-k" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
        ready.await();
        goAt[0] = System.nanoTime();
        go.countDown();
        join(s, workers, config.roundCap().plus(WAIT_SLICE).plus(JOIN_GRACE));
        long elapsed = System.nanoTime() - goAt[0];
        if (error.get() != null) {
            throw new IllegalStateException("a worker failed", error.get());
        }
        results.add(
                MANY_KEYS,
                s.backend(),
                s.name(),
                "ops_per_s",
                "ops/s",
                done.sum() / seconds(elapsed));
    }

    // ------------------------------------------------------------------ renewal

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
            for (java.util.concurrent.Future<T> f : pool.invokeAll(calls)) {
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
        java.lang.management.ThreadMXBean mx =
                java.lang.management.ManagementFactory.getThreadMXBean();
        Map<Thread, Long> out = new java.util.HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            long ns = mx.isThreadCpuTimeSupported() ? mx.getThreadCpuTime(t.getId()) : -1;
            if (ns >= 0) {
                out.put(t, ns);
            }
        }
        return out;
    }

    /**
     * One Baton client holds {@link BenchConfig#renewalLeases()} leases for {@link
     * BenchConfig#renewalHold()}. {@code renewal_cmds_per_s}: engine commands during the hold per
     * second (nothing else talks to the server then). {@code client_threads}: threads alive in the
     * middle of the hold that did not exist before the client connected, plus the threads named
     * {@code lettuce-…}, which are the Lettuce event loops Baton shares between all its clients in
     * the JVM (the harness names every other Lettuce pool differently); the names are logged.
     */
    private void renewal(BenchEngine engine) throws Exception {
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
                    acquires.add(() -> baton.mutex(name).acquire(UNCONTENDED_TIMEOUT));
                }
                leases.addAll(inParallel(acquires));
                log(
                        "renewal-10k: %d leases acquired in %.1f s",
                        n, seconds(System.nanoTime() - a0));
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
                double secs = seconds(t1 - t0);
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
                log(
                        "renewal-10k: client threads %d %s; CPU %s; leases lost %d; commands %s",
                        count, threads, busy, lost, diff(n0, commands.byName()));
                String b = engine.backend();
                results.add(RENEWAL, b, "baton", "renewal_cmds_per_s", "cmds/s", (c1 - c0) / secs);
                results.add(
                        RENEWAL,
                        b,
                        "baton",
                        "renewal_engine_calls_per_s",
                        "calls/s",
                        (e1 - e0) / secs);
                results.add(RENEWAL, b, "baton", "client_threads", "threads", count);
                results.add(RENEWAL, b, "baton", "leases_lost", "leases", lost);
            } finally {
                List<Callable<Boolean>> releases = new ArrayList<>(leases.size());
                for (FencedLease l : leases) {
                    releases.add(l::release);
                }
                inParallel(releases);
            }
        }
    }

    // ------------------------------------------------------------------ auction

    /**
     * B bidders spread over the Baton clients each raise a shared counter (a bid reads the highest
     * bid and writes one more): {@code baton-update} with the optimistic {@link
     * KeyValueStore#update}, {@code baton-mutex} with get + put under a {@link dev.baton.Mutex}.
     * Every round checks that no bid was lost.
     */
    private void auctions(BenchEngine engine, List<Integer> bidders) throws Exception {
        List<Baton> batons = new ArrayList<>();
        try {
            for (int i = 0; i < config.clients(); i++) {
                batons.add(Baton.connect(engine.batonUri(), BatonConfig.defaults()));
            }
            for (int b : bidders) {
                List<Boolean> modes = new ArrayList<>(List.of(true, false));
                for (int round = 0; round < config.rounds(); round++) {
                    for (boolean optimistic : modes) {
                        try {
                            auctionRound(engine.backend(), batons, b, optimistic, round);
                        } catch (Exception e) {
                            log("%s %s failed: %s", auction(b), optimistic ? "update" : "mutex", e);
                        }
                    }
                    Collections.reverse(modes);
                }
                log("%s done", auction(b));
            }
        } finally {
            for (Baton baton : batons) {
                closeQuietly(baton);
            }
        }
    }

    private void auctionRound(
            String backend, List<Baton> batons, int bidders, boolean optimistic, int round)
            throws Exception {
        String key =
                "bench/auction/b"
                        + bidders
                        + "/"
                        + (optimistic ? "update" : "mutex")
                        + "/r"
                        + round;
        batons.get(0).keyValue().put(key, "0");
        int perBidder = (config.auctionBids() + bidders - 1) / bidders;
        LongAdder retries = new LongAdder();
        AtomicReference<Throwable> error = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(bidders);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < bidders; i++) {
            Baton baton = batons.get(i % batons.size());
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    ready.countDown();
                                    go.await();
                                    KeyValueStore kv = baton.keyValue();
                                    for (int j = 0; j < perBidder; j++) {
                                        if (optimistic) {
                                            UpdateResult r = kv.update(key, Bench::bid, 100_000);
                                            retries.add(r.retries());
                                        } else {
                                            try (FencedLease lease =
                                                    baton.mutex(key + "-lock")
                                                            .acquire(Duration.ofSeconds(60))) {
                                                Versioned v = kv.get(key).orElseThrow();
                                                kv.put(key, bid(v.value()));
                                            }
                                        }
                                    }
                                } catch (Throwable e) {
                                    error.compareAndSet(null, e);
                                }
                            },
                            "bench-auction-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
        ready.await();
        long t0 = System.nanoTime();
        go.countDown();
        join(null, workers, Duration.ofMinutes(5));
        long elapsed = System.nanoTime() - t0;
        if (error.get() != null) {
            throw new IllegalStateException("a bidder failed", error.get());
        }
        long bids = (long) perBidder * bidders;
        long highest = Long.parseLong(batons.get(0).keyValue().get(key).orElseThrow().asString());
        if (highest != bids) {
            throw new IllegalStateException(bids + " bids placed but the highest is " + highest);
        }
        String system = optimistic ? "baton-update" : "baton-mutex";
        String scenario = auction(bidders);
        results.add(scenario, backend, system, "bids_per_s", "bids/s", bids / seconds(elapsed));
        results.add(
                scenario,
                backend,
                system,
                "retries_per_bid",
                "retries",
                (double) retries.sum() / bids);
    }

    private static byte[] bid(byte[] highest) {
        long h = highest == null ? 0 : Long.parseLong(new String(highest, StandardCharsets.UTF_8));
        return Long.toString(h + 1).getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ helpers

    /** A system's worker threads did not finish: its clients cannot be trusted any more. */
    private static final class StuckException extends Exception {
        private static final long serialVersionUID = 1L;

        StuckException(String message) {
            super(message);
        }
    }

    private static void join(LockSystem s, List<Thread> workers, Duration limit)
            throws InterruptedException, StuckException {
        long deadline = System.nanoTime() + limit.toNanos();
        for (Thread t : workers) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                for (Thread w : workers) {
                    w.interrupt();
                }
                throw new StuckException(
                        (s == null ? "workers" : s.name() + "'s workers")
                                + " still running "
                                + limit.toSeconds()
                                + " s after the round began");
            }
        }
    }

    private void fail(LockSystem s, String scenario, Exception e) {
        log("%s failed in %s: %s", s.name(), scenario, e);
        Throwable cause = e.getCause();
        if (cause != null) {
            log("  caused by %s", cause);
        }
    }

    private void log(String format, Object... args) {
        log.printf(
                "[%6.1f s] %s%n",
                seconds(System.nanoTime() - startNanos), String.format(format, args));
        log.flush();
    }

    private static double micros(long nanos) {
        return nanos / 1_000.0;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing after the measurements: nothing more to report than the measurements
        }
    }
}
