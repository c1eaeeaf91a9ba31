package dev.baton.bench.scenario;

import dev.baton.bench.LockSystem;
import dev.baton.bench.LockSystem.Client;
import dev.baton.bench.Results;
import java.util.List;

/**
 * {@code contended-W}: W + 1 threads (a holder and W waiters) over the clients, one key, looping
 * acquire → release with nothing held in between (see {@link HandoffRound}). Metrics: {@code
 * handoffs_per_s}, {@code handoff_p50_us}, {@code handoff_p99_us}, {@code regrants_pct}.
 */
public final class Contended implements Scenario {
    private final Context context;
    private final int waiters;

    public Contended(Context context, int waiters) {
        this.context = context;
        this.waiters = waiters;
    }

    /** The scenario's name for W waiters. */
    public static String name(int waiters) {
        return "contended-" + waiters;
    }

    @Override
    public String name() {
        return name(waiters);
    }

    @Override
    public void round(LockSystem s, List<Client> clients, int round) throws Exception {
        HandoffRound.Outcome h =
                HandoffRound.run(
                        context.config(),
                        s,
                        clients,
                        waiters,
                        context.config().handoffs(),
                        null,
                        null);
        Results.Round r = context.results().round(name(), s.backend(), s.name(), round);
        r.add("handoffs_per_s", "handoffs/s", h.perSecond());
        r.add("handoff_p50_us", "us", h.p50Micros());
        r.add("handoff_p99_us", "us", h.p99Micros());
        r.add("regrants_pct", "%", h.regrantPct());
    }
}
