package dev.baton.bench;

import dev.baton.InvalidArgumentException;
import dev.baton.bench.LockSystem.Client;
import dev.baton.bench.scenario.Auction;
import dev.baton.bench.scenario.Contended;
import dev.baton.bench.scenario.Context;
import dev.baton.bench.scenario.EngineCost;
import dev.baton.bench.scenario.ManyKeys;
import dev.baton.bench.scenario.RenewalLoad;
import dev.baton.bench.scenario.RoundOrder;
import dev.baton.bench.scenario.Scenario;
import dev.baton.bench.scenario.ServerCpu;
import dev.baton.bench.scenario.StuckException;
import dev.baton.bench.scenario.Uncontended;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The multi-client harness: starts the selected engines one after the other ({@link
 * Systems#ENGINES}), opens {@link BenchConfig#clients()} client instances per system, and runs each
 * scenario (one class each, in {@code dev.baton.bench.scenario}) for {@link BenchConfig#rounds()}
 * rounds, every round visiting every system once in an order shuffled afresh for each round ({@link
 * RoundOrder}, seeded: the seed is logged and recorded with the results). Systems measured in the
 * same round share the machine's state of the moment, so round-to-round noise (which on a small
 * machine is larger than most differences between systems) hits all of them alike; the reported
 * value is the median over rounds and the spread is kept.
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
    // Lock names given to LockSystem clients are one segment of [A-Za-z0-9._-] (no '/'): the
    // ZooKeeper systems map a name onto one node.

    /** A system that fails this many rounds of a scenario sits out the rest of it. */
    private static final int MAX_FAILED_ROUNDS = 2;

    /**
     * The engines of a run without {@code --engines}. The quick run takes all three; the full run
     * leaves out {@code redis-replicated}, which would add about half again to its time (every
     * timed Redis scenario once more), so a full run opts in with {@code --engines
     * redis,redis-replicated,zookeeper}.
     */
    public static List<String> defaultEngines(boolean quick) {
        return quick ? Systems.ENGINES : List.of("redis", "zookeeper");
    }

    private final BenchConfig config;
    private final List<String> engines;
    private final Set<String> systemFilter;
    private final Set<String> scenarios;
    private final Results results = new Results();
    private final Context context;
    private final RoundOrder order;

    /**
     * @param engines engines to run (of {@link Systems#ENGINES}; run in that order), not empty
     * @param systems system names to run, or empty for all
     * @param scenarios scenario names to run ({@code contended} and {@code auction} select every W
     *     or B), or empty for all
     * @param seed the seed of the round orders ({@link RoundOrder})
     * @param log where progress goes (stderr from the CLI)
     * @throws InvalidArgumentException naming an unknown engine, system or scenario, or if {@code
     *     engines} is empty
     */
    public Bench(
            BenchConfig config,
            Collection<String> engines,
            Collection<String> systems,
            Collection<String> scenarios,
            long seed,
            PrintStream log) {
        this.config = config;
        this.context = new Context(config, results, log);
        this.order = new RoundOrder(seed);
        results.roundOrderSeed(seed);
        for (String e : engines) {
            if (!Systems.ENGINES.contains(e)) {
                throw InvalidArgumentException.mustBe(
                        "--engines entry", "one of " + String.join(", ", Systems.ENGINES), e);
            }
        }
        if (engines.isEmpty()) {
            throw InvalidArgumentException.mustBe(
                    "--engines", "at least one of " + String.join(", ", Systems.ENGINES), "empty");
        }
        // In the registry's order whatever the order given: a run's log reads the same way.
        this.engines = Systems.ENGINES.stream().filter(engines::contains).toList();
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
        names.add(Uncontended.NAME);
        for (int w : config.waiters()) {
            names.add(Contended.name(w));
        }
        names.add(ManyKeys.NAME);
        names.add(EngineCost.NAME);
        names.add(RenewalLoad.NAME);
        for (int b : config.bidders()) {
            names.add(Auction.name(b));
        }
        return names;
    }

    private boolean wants(String scenario) {
        return scenarios.contains(scenario);
    }

    private boolean selected(String system) {
        return systemFilter.isEmpty() || systemFilter.contains(system);
    }

    /** Runs everything selected; the results are complete when this returns. */
    public Results run() throws Exception {
        context.log(
                "round order seed %d (--seed %d repeats the order)", order.seed(), order.seed());
        for (String name : engines) {
            try (BenchEngine engine = Systems.start(name)) {
                context.log("%s: %s", name, engine.describe());
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
                        || wants(ManyKeys.NAME)
                        || wants(EngineCost.NAME);
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
                    Uncontended.cycles(list.get(0), "bench-warmup", config.warmupCycles());
                } catch (Exception e) {
                    context.fail(s, "start", e);
                    dead.add(s);
                }
            }
            context.log(
                    "%d systems started and warmed up on %s",
                    clients.size() - dead.size(), engine.backend());
            List<Scenario> measured = new ArrayList<>();
            ServerCpu cpu = new ServerCpu(engine.cpuMicros(), engine.replicaCpuMicros());
            measured.add(new Uncontended(context, cpu));
            for (int w : config.waiters()) {
                measured.add(new Contended(context, w));
            }
            measured.add(new ManyKeys(context, cpu));
            for (Scenario scenario : measured) {
                if (wants(scenario.name())) {
                    rounds(engine.backend(), clients, dead, scenario);
                }
            }
            if (!engine.countsOnItsOwn() && (wants(EngineCost.NAME) || wants(RenewalLoad.NAME))) {
                context.log(
                        "%s and %s skipped on %s: its counts are those of the engine it varies",
                        EngineCost.NAME, RenewalLoad.NAME, engine.backend());
            }
            if (wants(EngineCost.NAME) && engine.countsOnItsOwn()) {
                new EngineCost(context, engine).run(clients, dead);
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
        if (selected("baton") && wants(RenewalLoad.NAME) && engine.countsOnItsOwn()) {
            try {
                new RenewalLoad(context, engine).run();
            } catch (Exception e) {
                context.log("%s failed: %s", RenewalLoad.NAME, e);
            }
        }
        List<Integer> bidders = new ArrayList<>();
        for (int b : config.bidders()) {
            if (wants(Auction.name(b))) {
                bidders.add(b);
            }
        }
        if (selected("baton") && !bidders.isEmpty()) {
            new Auction(context, engine).run(bidders);
        }
    }

    private void rounds(
            String backend,
            Map<LockSystem, List<Client>> clients,
            Set<LockSystem> dead,
            Scenario scenario) {
        List<LockSystem> systems = new ArrayList<>(clients.keySet());
        Map<LockSystem, Integer> failures = new HashMap<>();
        for (int round = 0; round < config.rounds(); round++) {
            // A fresh shuffle each round: no system always runs right after a given other one.
            List<LockSystem> visits = order.of(scenario.name() + "/" + backend, round, systems);
            for (LockSystem s : visits) {
                if (dead.contains(s) || failures.getOrDefault(s, 0) >= MAX_FAILED_ROUNDS) {
                    continue;
                }
                try {
                    scenario.round(s, clients.get(s), round);
                } catch (StuckException e) {
                    context.fail(s, scenario.name(), e);
                    dead.add(s);
                } catch (Exception e) {
                    context.fail(s, scenario.name(), e);
                    failures.merge(s, 1, Integer::sum);
                }
            }
            context.log(
                    "%s: round %d/%d done (%s)",
                    scenario.name(),
                    round + 1,
                    config.rounds(),
                    String.join(", ", visits.stream().map(LockSystem::name).toList()));
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing after the measurements: nothing more to report than the measurements
        }
    }
}
