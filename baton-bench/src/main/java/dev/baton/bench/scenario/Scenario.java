package dev.baton.bench.scenario;

import dev.baton.bench.LockSystem;
import dev.baton.bench.LockSystem.Client;
import java.util.List;

/**
 * A scenario measured in rounds: the harness runs {@link dev.baton.bench.BenchConfig#rounds()}
 * rounds, each visiting every system once, and the scenario records one value per metric, system
 * and round.
 */
public interface Scenario {

    /** The {@code scenario} column of results.csv. */
    String name();

    /**
     * Runs one round on one system and records its results under {@code round}.
     *
     * @param clients the system's client instances, all open
     * @throws StuckException if the system's workers did not finish: it sits out the rest of the
     *     run
     * @throws Exception if the round failed: it is logged and not recorded
     */
    void round(LockSystem system, List<Client> clients, int round) throws Exception;
}
