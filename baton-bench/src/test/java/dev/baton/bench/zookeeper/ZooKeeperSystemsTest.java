package dev.baton.bench.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.bench.EngineCounter;
import dev.baton.bench.LockSystem;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The five ZooKeeper systems against one server JVM: they lock, exclude, hand over, and cost the
 * number of requests the engine-cost scenario reports. Nothing here depends on timing: the short
 * timeouts are only ever expected to expire.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ZooKeeperSystemsTest {
    /** For acquires that must succeed: long enough for a loaded 2-core machine. */
    private static final Duration GRANT = Duration.ofSeconds(20);

    /** For acquires that must time out: the lock stays held throughout. */
    private static final Duration DENY = Duration.ofMillis(300);

    private static final int COST_WARMUP = 20;
    private static final int COST_CYCLES = 200;

    private ZooKeeperBench bench;
    private List<LockSystem> systems;

    @BeforeAll
    void startServer() {
        bench = ZooKeeperBench.start();
        systems = bench.systems();
    }

    @AfterAll
    void stopServer() throws Exception {
        if (systems != null) {
            for (LockSystem s : systems) {
                s.close();
            }
        }
        if (bench != null) {
            bench.close();
        }
    }

    Stream<String> names() {
        return Stream.of(
                "baton",
                "baton-gateway",
                "curator-mutex",
                "curator-semaphore-mutex",
                "si-zookeeper",
                "zk-floor");
    }

    private LockSystem system(String name) {
        return systems.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void offersTheSixSystemsOnZooKeeper() {
        assertThat(systems)
                .extracting(LockSystem::name)
                .containsExactlyElementsOf(names().toList());
        assertThat(systems).extracting(LockSystem::backend).containsOnly("zookeeper");
    }

    @ParameterizedTest
    @MethodSource("names")
    void excludesASecondClientUntilRelease(String name) throws Exception {
        LockSystem system = system(name);
        String key = "exclusion-" + name;
        try (LockSystem.Client first = system.client();
                LockSystem.Client second = system.client()) {
            excludesUntilRelease(first, second, key, "second client");

            LockSystem.Held again = first.acquire(key, GRANT);
            assertThat(again).as("first client again").isNotNull();
            again.release();
        }
    }

    @ParameterizedTest
    @MethodSource("names")
    void excludesAnotherThreadOfTheSameClient(String name) throws Exception {
        LockSystem system = system(name);
        try (LockSystem.Client client = system.client()) {
            excludesUntilRelease(client, client, "threads-" + name, "second thread");
        }
    }

    /**
     * {@code holder} acquires {@code key} on this thread; {@code contender}, on another thread (a
     * lock is held by its acquiring thread), is denied while it is held and granted after release.
     */
    private static void excludesUntilRelease(
            LockSystem.Client holder, LockSystem.Client contender, String key, String who)
            throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            LockSystem.Held held = holder.acquire(key, GRANT);
            assertThat(held).as("first acquire").isNotNull();
            assertThat(other.submit(() -> contender.acquire(key, DENY)).get())
                    .as(who + " while the first holds")
                    .isNull();
            Future<Boolean> waiter =
                    other.submit(
                            () -> {
                                LockSystem.Held h = contender.acquire(key, GRANT);
                                if (h == null) {
                                    return false;
                                }
                                h.release();
                                return true;
                            });
            held.release();
            assertThat(waiter.get(GRANT.toSeconds() + 10, TimeUnit.SECONDS))
                    .as(who + " after the release")
                    .isTrue();
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void counterCountsRequests() throws Exception {
        EngineCounter counter = bench.counter();
        long before = counter.commands();
        try (LockSystem.Client client = system("zk-floor").client()) {
            for (int i = 0; i < 10; i++) {
                client.acquire("counted", GRANT).release();
            }
        }
        // Session creation, 2 parent creates, 20 lock requests, close.
        assertThat(counter.commands() - before).isGreaterThanOrEqualTo(20);
    }

    /**
     * The engine-cost scenario's cmds_per_cycle, printed for the record. Sessions other than the
     * measured one are closed first, so that their pings do not count; the measured one is busy
     * throughout and sends none.
     */
    @Test
    void requestsPerUncontendedCycle() throws Exception {
        EngineCounter counter = bench.counter();
        long idle0 = counter.commands();
        long idle1 = counter.commands();
        assertThat(idle1 - idle0).as("requests counted while idle (mntr itself)").isZero();

        Map<String, Double> perCycle = new LinkedHashMap<>();
        for (String name : names().toList()) {
            try (LockSystem.Client client = system(name).client()) {
                String key = "cost-" + name;
                for (int i = 0; i < COST_WARMUP; i++) {
                    client.acquire(key, GRANT).release();
                }
                long before = counter.commands();
                for (int i = 0; i < COST_CYCLES; i++) {
                    client.acquire(key, GRANT).release();
                }
                perCycle.put(name, (counter.commands() - before) / (double) COST_CYCLES);
            }
        }
        StringBuilder table = new StringBuilder("ZooKeeper requests per uncontended cycle:\n");
        perCycle.forEach((n, c) -> table.append(String.format("  %-24s %.2f%n", n, c)));
        System.out.print(table);

        // Acquire and release each need at least one write; the floor needs nothing else.
        assertThat(perCycle.values()).allSatisfy(c -> assertThat(c).isGreaterThanOrEqualTo(2.0));
        assertThat(perCycle.get("zk-floor")).isLessThan(2.05);
    }
}
