package dev.baton.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.BatonException;
import dev.baton.FencedLease;
import dev.baton.LeaseLoss;
import dev.baton.LeaseState;
import dev.baton.faults.ZooKeeperEnsemble;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.curator.test.InstanceSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A three-member ensemble loses a member while a lease is held and another client keeps trying to
 * take it. The invariant: the other client is never granted while the first lease is HELD or
 * IN_DOUBT; the first lease goes IN_DOUBT and then back to HELD (session kept), or to LOST, and
 * only after that loss may the other client be granted.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ZooKeeperEnsembleTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static ZooKeeperEnsemble ensemble;

    @BeforeAll
    static void start() {
        ensemble = ZooKeeperEnsemble.start(3);
    }

    @AfterAll
    static void stop() {
        if (ensemble != null) {
            ensemble.close();
        }
    }

    private static Baton client() {
        return Baton.connect(
                "zookeeper://" + ensemble.connectString(),
                BatonConfig.custom()
                        .leaseTtl(Duration.ofSeconds(5))
                        .safetyMargin(Duration.ofMillis(1500))
                        .connectTimeout(Duration.ofSeconds(10))
                        .build());
    }

    @Test
    void killingTheHoldersServerNeverGrantsASecondHolder() throws Exception {
        survive("ensemble/served", a -> ensemble.memberServing(ZkTests.zooKeeperOf(a)));
    }

    @Test
    void killingTheLeaderNeverGrantsASecondHolder() throws Exception {
        survive("ensemble/leader", a -> ensemble.leader().orElseThrow());
    }

    private void survive(String name, Function<Baton, InstanceSpec> victimOf) throws Exception {
        try (Baton a = client();
                Baton b = client()) {
            FencedLease held = a.mutex(name).acquire(PATIENCE);
            List<Instant> grantsToB = new CopyOnWriteArrayList<>();
            List<LeaseState> statesSeen = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger attempts = new AtomicInteger();
            Thread contender =
                    new Thread(
                            () -> {
                                while (!stop.get()) {
                                    try {
                                        FencedLease l =
                                                b.mutex(name).acquire(Duration.ofSeconds(1));
                                        grantsToB.add(Instant.now());
                                        l.release();
                                    } catch (BatonException e) {
                                        // timed out, or the ensemble is electing: try again
                                    }
                                    attempts.incrementAndGet();
                                }
                            },
                            "contender");
            contender.setDaemon(true);
            contender.start();

            InstanceSpec victim = victimOf.apply(a);
            ensemble.kill(victim);
            try {
                await("the lease to go IN_DOUBT")
                        .atMost(PATIENCE)
                        .pollInterval(Duration.ofMillis(5))
                        .until(() -> record(statesSeen, held.state()) != LeaseState.HELD);
                await("the lease to be settled again")
                        .atMost(PATIENCE)
                        .pollInterval(Duration.ofMillis(5))
                        .until(
                                () -> {
                                    LeaseState s = record(statesSeen, held.state());
                                    return s == LeaseState.HELD || s == LeaseState.LOST;
                                });
                // Let the contender try twice more against the settled state.
                int tried = attempts.get();
                await().atMost(PATIENCE).until(() -> attempts.get() >= tried + 2);
                stop.set(true);
                contender.join(PATIENCE.toMillis());
                assertThat(statesSeen).contains(LeaseState.IN_DOUBT);
                if (held.state() == LeaseState.HELD) {
                    assertThat(grantsToB).as("grants while the first lease is held").isEmpty();
                    assertThat(a.inspect(name).orElseThrow().holders())
                            .singleElement()
                            .satisfies(h -> assertThat(h.clientId()).isEqualTo(a.clientId()));
                    held.ensureValid();
                } else {
                    LeaseLoss loss = held.lost().toCompletableFuture().get(5, TimeUnit.SECONDS);
                    assertThat(grantsToB)
                            .as("grants to b after a's loss at %s", loss.at())
                            .allMatch(g -> g.isAfter(loss.at()));
                }
            } finally {
                stop.set(true);
                ensemble.restart(victim);
                ensemble.awaitLeader(PATIENCE);
            }
            if (held.state() == LeaseState.HELD) {
                held.release();
            }
        }
    }

    private static LeaseState record(List<LeaseState> seen, LeaseState s) {
        if (seen.isEmpty() || seen.get(seen.size() - 1) != s) {
            seen.add(s);
        }
        return s;
    }
}
