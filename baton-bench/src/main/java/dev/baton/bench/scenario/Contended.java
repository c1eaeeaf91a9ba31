package dev.baton.bench.scenario;

import dev.baton.bench.LockSystem;
import dev.baton.bench.LockSystem.Client;
import dev.baton.bench.Results;
import java.util.List;

/**
 * {@code contended-W}: W + 1 threads (a holder and W waiters) over the clients, one key, looping
 * acquire → release with nothing held in between (see {@link HandoffRound}). Metrics: {@code
 * handoffs_per_s} (all handoffs), {@code cross_client_handoffs_per_s} and {@code cross_client_pct}
 * (those to a thread of another client instance, and their share), {@code handoff_p50_us}, {@code
 * handoff_p99_us}, {@code regrants_pct}, and {@code cross_client_handoff_p50_us} and {@code
 * same_client_handoff_p50_us} (each only when the round had such a handoff; W = 1 has none within a
 * client).
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
        r.add("cross_client_handoffs_per_s", "handoffs/s", h.perSecond() * h.crossPct() / 100);
        r.add("cross_client_pct", "%", h.crossPct());
        r.add("handoff_p50_us", "us", h.p50Micros());
        r.add("handoff_p99_us", "us", h.p99Micros());
        r.add("regrants_pct", "%", h.regrantPct());
        // Last, the medians a round may lack: the tables' columns follow the first round recorded.
        if (!Double.isNaN(h.crossP50Micros())) {
            r.add("cross_client_handoff_p50_us", "us", h.crossP50Micros());
        }
        if (!Double.isNaN(h.sameP50Micros())) {
            r.add("same_client_handoff_p50_us", "us", h.sameP50Micros());
        }
    }
}
