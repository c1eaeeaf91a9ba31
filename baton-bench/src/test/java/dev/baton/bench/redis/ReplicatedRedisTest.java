package dev.baton.bench.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.bench.Bench;
import dev.baton.bench.BenchConfig;
import dev.baton.bench.LockSystem;
import dev.baton.bench.Results;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code redis-replicated} engine: two real redis-servers, the second replicating the first,
 * and the harness's systems on the master with the replica's CPU reported apart.
 */
class ReplicatedRedisTest {
    private static final BenchConfig TINY =
            new BenchConfig(
                    2,
                    20,
                    300,
                    30,
                    List.of(4),
                    500,
                    8,
                    100,
                    Duration.ofSeconds(10),
                    10,
                    Duration.ofSeconds(1),
                    10,
                    List.of(1),
                    4);

    @Test
    @Timeout(60)
    void startsAMasterWhoseWritesReachItsReplica() throws Exception {
        try (RedisBench engine = RedisBench.startReplicated()) {
            assertThat(engine.backend()).isEqualTo("redis-replicated");
            assertThat(engine.replicaLinkUp()).isTrue();
            assertThat(engine.replicaUri()).isPresent().get().isNotEqualTo(engine.masterUri());
            assertThat(engine.batonUri()).isEqualTo(engine.masterUri());
            assertThat(engine.countsOnItsOwn()).isFalse();
            RedisClient client = RedisClient.create(engine.masterUri());
            try (StatefulRedisConnection<String, String> conn = client.connect()) {
                conn.sync().set("k", "v");
                // WAIT returns once the replica acknowledged the write (or after 5 s with 0).
                assertThat(conn.sync().waitForReplication(1, 5_000)).isEqualTo(1);
            } finally {
                client.shutdown();
            }
            assertThat(engine.replicaCpuMicros().orElseThrow().commands()).isPositive();
            List<LockSystem> systems = engine.systems();
            try {
                assertThat(systems)
                        .extracting(LockSystem::backend)
                        .containsOnly("redis-replicated");
                assertThat(systems).extracting(LockSystem::name).contains("baton", "redis-floor");
            } finally {
                for (LockSystem s : systems) {
                    s.close();
                }
            }
        }
        try (RedisBench plain = RedisBench.start()) {
            assertThat(plain.replicaLinkUp()).isFalse();
            assertThat(plain.replicaCpuMicros()).isEmpty();
        }
    }

    @Test
    @Timeout(120)
    void runsTheTimedScenariosOnTheMasterAndReportsTheReplicasCpuApart() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Results results =
                new Bench(
                                TINY,
                                List.of("redis-replicated"),
                                List.of("baton", "redis-floor"),
                                List.of("uncontended", "contended-4", "many-keys", "engine-cost"),
                                1234,
                                new PrintStream(log, true, StandardCharsets.UTF_8))
                        .run();
        String b = "redis-replicated";
        for (String system : List.of("baton", "redis-floor")) {
            for (String metric :
                    List.of("server_cpu_us_per_cycle", "replica_cpu_us_per_cycle", "ops_per_s")) {
                assertThat(results.median("uncontended", b, system, metric))
                        .as(system + " " + metric)
                        .isPositive();
            }
            for (String metric :
                    List.of(
                            "server_cpu_us_per_op",
                            "replica_cpu_us_per_op",
                            "client_cpu_us_per_op",
                            "ops_per_s")) {
                assertThat(results.median("many-keys", b, system, metric))
                        .as(system + " " + metric)
                        .isPositive();
            }
            assertThat(results.median("contended-4", b, system, "handoffs_per_s")).isPositive();
            assertThat(results.median("contended-4", b, system, "cross_client_pct"))
                    .isBetween(0.0, 100.0);
            // Its counts are the plain server's: engine-cost is skipped on this engine.
            assertThat(results.median("engine-cost", b, system, "cmds_per_cycle")).isNaN();
            // Nothing under the plain engine's name.
            assertThat(results.median("uncontended", "redis", system, "ops_per_s")).isNaN();
        }
        // Every write reaches the replica: it works for each cycle, if less than the master.
        assertThat(results.median("uncontended", b, "baton", "replica_cpu_us_per_cycle"))
                .isLessThan(results.median("uncontended", b, "baton", "server_cpu_us_per_cycle"));
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("replica at", "(link up)");
    }
}
