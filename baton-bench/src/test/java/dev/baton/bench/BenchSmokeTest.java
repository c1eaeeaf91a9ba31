package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.InvalidArgumentException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness end to end with tiny counts on a real redis-server: {@code baton} and {@code
 * redis-floor} on {@code uncontended} and {@code contended-4}. Asserts the shape of the outputs and
 * that every number is positive, nothing about speed.
 */
class BenchSmokeTest {
    private static final BenchConfig TINY =
            new BenchConfig(
                    2,
                    20,
                    50,
                    30,
                    List.of(1, 4),
                    64,
                    8,
                    100,
                    Duration.ofSeconds(10),
                    10,
                    Duration.ofSeconds(1),
                    10,
                    List.of(1),
                    4);

    private static final long SEED = 1234;

    private static final List<String> ENGINES = List.of("redis", "zookeeper");

    @Test
    @Timeout(120)
    void runsBatonAndTheFloorAndWritesCsvMarkdownAndCharts(@TempDir Path out) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Results results =
                new Bench(
                                TINY,
                                List.of("redis", "zookeeper"),
                                List.of("baton", "redis-floor"),
                                List.of("uncontended", "contended-4"),
                                SEED,
                                new PrintStream(log, true, StandardCharsets.UTF_8))
                        .run();
        results.write(out, "smoke");

        List<String> lines = Files.readAllLines(out.resolve("results.csv"));
        assertThat(lines.get(0)).isEqualTo("scenario,backend,system,metric,value,unit");
        assertThat(lines).contains("run,all,bench,round_order_seed,1234,seed");
        List<String[]> rows =
                lines.subList(1, lines.size()).stream()
                        .filter(l -> !l.startsWith("run,"))
                        .map(l -> l.split(",", -1))
                        .toList();
        assertThat(rows).allSatisfy(r -> assertThat(r).hasSize(6));
        // Shares (regrants_pct, cross_client_pct) and the rate of a share may be 0; every other
        // rate, latency and count is positive.
        assertThat(rows)
                .allSatisfy(
                        r -> {
                            double v = Double.parseDouble(r[4]);
                            if (r[3].startsWith("cross_client_handoffs_per_s")) {
                                assertThat(v).as(String.join(",", r)).isNotNegative();
                            } else if (r[3].startsWith("regrants_pct")
                                    || r[3].startsWith("cross_client_pct")) {
                                assertThat(v).as(String.join(",", r)).isBetween(0.0, 100.0);
                            } else {
                                assertThat(v).as(String.join(",", r)).isPositive();
                            }
                        });
        Set<String> seen =
                rows.stream()
                        .map(r -> r[0] + "/" + r[1] + "/" + r[2] + "/" + r[3])
                        .collect(Collectors.toSet());
        for (String system : List.of("baton", "redis-floor")) {
            for (String metric : List.of("latency_p50_us", "latency_p99_us", "ops_per_s")) {
                assertThat(seen).contains("uncontended/redis/" + system + "/" + metric);
            }
            for (String metric :
                    List.of(
                            "handoffs_per_s",
                            "cross_client_handoffs_per_s",
                            "cross_client_pct",
                            "handoff_p50_us",
                            "handoff_p99_us")) {
                assertThat(seen).contains("contended-4/redis/" + system + "/" + metric);
            }
        }
        // Baton's paired ratios to the floor, per metric.
        assertThat(seen)
                .contains(
                        "uncontended/redis/baton/latency_p50_us_ratio_redis-floor",
                        "contended-4/redis/baton/handoffs_per_s_ratio_redis-floor");
        // Only what was asked for.
        assertThat(rows).allSatisfy(r -> assertThat(r[0]).isIn("uncontended", "contended-4"));
        assertThat(rows).allSatisfy(r -> assertThat(r[2]).isIn("baton", "redis-floor"));

        String md = Files.readString(out.resolve("results.md"));
        assertThat(md)
                .contains(
                        "## uncontended (redis)",
                        "## contended-4 (redis)",
                        "| baton |",
                        "seed 1234");
        assertThat(out.resolve("charts/uncontended.redis.latency_p50_us.svg")).exists();
        assertThat(Files.readString(out.resolve("charts/contended-4.redis.handoffs_per_s.svg")))
                .startsWith("<svg")
                .contains("redis-floor");
    }

    @Test
    void rejectsUnknownSystemsAndScenariosByName() {
        PrintStream quiet =
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThatThrownBy(
                        () -> new Bench(TINY, ENGINES, List.of("redlock"), List.of(), SEED, quiet))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("--systems entry must be one of")
                .hasMessageContaining("redlock");
        assertThatThrownBy(
                        () ->
                                new Bench(
                                        TINY,
                                        ENGINES,
                                        List.of(),
                                        List.of("contended-3"),
                                        SEED,
                                        quiet))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("--scenarios entry")
                .hasMessageContaining("contended-3");
        assertThatThrownBy(
                        () ->
                                new Bench(
                                        TINY,
                                        List.of("redis", "redis-cluster"),
                                        List.of(),
                                        List.of(),
                                        SEED,
                                        quiet))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(
                        "--engines entry must be one of redis, redis-replicated, zookeeper, but was"
                                + " redis-cluster");
        assertThatThrownBy(() -> new Bench(TINY, List.of(), List.of(), List.of(), SEED, quiet))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("--engines must be at least one of");
    }

    @Test
    void theQuickRunTakesEveryEngineAndTheFullRunLeavesOutTheReplicatedRedis() {
        assertThat(Bench.defaultEngines(true))
                .containsExactly("redis", "redis-replicated", "zookeeper");
        assertThat(Bench.defaultEngines(false)).containsExactly("redis", "zookeeper");
    }

    @Test
    void rejectsNonPositiveSizes() {
        assertThatThrownBy(
                        () ->
                                new BenchConfig(
                                        0,
                                        1,
                                        1,
                                        1,
                                        List.of(1),
                                        1,
                                        1,
                                        1,
                                        Duration.ofSeconds(1),
                                        1,
                                        Duration.ofSeconds(1),
                                        1,
                                        List.of(1),
                                        1))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("rounds must be positive, but was 0");
    }

    @Test
    void selectsEveryWaiterCountForContended() {
        PrintStream quiet =
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThat(Bench.scenarioNames(TINY))
                .containsSubsequence("uncontended", "contended-1", "contended-4", "many-keys");
        // no exception: "contended" and "auction" are accepted as groups
        new Bench(TINY, ENGINES, List.of(), List.of("contended", "auction"), SEED, quiet);
    }
}
