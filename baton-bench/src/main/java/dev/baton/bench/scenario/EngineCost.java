package dev.baton.bench.scenario;

import dev.baton.bench.BenchEngine;
import dev.baton.bench.EngineCounter;
import dev.baton.bench.LockSystem;
import dev.baton.bench.LockSystem.Client;
import dev.baton.bench.Results;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code engine-cost}: per system, the client commands and the engine calls of an uncontended cycle
 * and of a handoff for each W. Counting needs {@code MONITOR} on Redis, which slows the server, so
 * these are separate, untimed rounds: one per system, {@value #CYCLES} cycles and up to {@value
 * #HANDOFFS} handoffs (the counts barely vary between rounds). Metrics: {@code cmds_per_cycle},
 * {@code engine_calls_per_cycle}, {@code cmds_per_handoff_wW}, {@code engine_calls_per_handoff_wW}.
 */
public final class EngineCost {
    public static final String NAME = "engine-cost";

    private static final int CYCLES = 500;
    private static final int HANDOFFS = 200;

    private final Context context;
    private final BenchEngine engine;

    public EngineCost(Context context, BenchEngine engine) {
        this.context = context;
        this.engine = engine;
    }

    /**
     * Counts every system of {@code clients} not in {@code dead}; adds a system whose workers get
     * stuck to {@code dead}.
     */
    public void run(Map<LockSystem, List<Client>> clients, Set<LockSystem> dead) throws Exception {
        EngineCounter calls = engine.counter();
        int cycles = Math.min(CYCLES, context.config().uncontendedCycles());
        int handoffs = Math.min(HANDOFFS, context.config().handoffs());
        try (BenchEngine.CommandCount commands = engine.openCommandCount()) {
            for (var e : clients.entrySet()) {
                LockSystem s = e.getKey();
                if (dead.contains(s)) {
                    continue;
                }
                Results.Round r = context.results().round(NAME, s.backend(), s.name(), 0);
                try {
                    long c0 = commands.commands();
                    Map<String, Long> n0 = commands.byName();
                    long e0 = calls.commands();
                    Uncontended.cycles(e.getValue().get(0), "bench-cost", cycles);
                    long c1 = commands.commands();
                    long e1 = calls.commands();
                    r.add("cmds_per_cycle", "cmds", (double) (c1 - c0) / cycles);
                    r.add("engine_calls_per_cycle", "calls", (double) (e1 - e0) / cycles);
                    context.log(
                            "engine-cost %s: per cycle %s",
                            s.name(), Counts.perOp(Counts.diff(n0, commands.byName()), cycles));
                    for (int w : context.config().waiters()) {
                        HandoffRound.Outcome h =
                                HandoffRound.run(
                                        context.config(),
                                        s,
                                        e.getValue(),
                                        w,
                                        handoffs,
                                        commands,
                                        calls);
                        r.add("cmds_per_handoff_w" + w, "cmds", h.commands());
                        r.add("engine_calls_per_handoff_w" + w, "calls", h.engineCalls());
                        context.log("engine-cost %s W=%d: per handoff %s", s.name(), w, h.byName());
                    }
                } catch (StuckException x) {
                    context.fail(s, NAME, x);
                    dead.add(s);
                } catch (Exception x) {
                    context.fail(s, NAME, x);
                }
            }
        }
    }
}
