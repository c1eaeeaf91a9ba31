package dev.baton.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.BackendUnavailableException;
import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FencedLease;
import dev.baton.InvalidUriException;
import dev.baton.Lease;
import dev.baton.LeaseLoss;
import dev.baton.LeaseState;
import dev.baton.LockTimeoutException;
import dev.baton.faults.RedisServer;
import dev.baton.testkit.ExclusiveResource;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Redlock over three real, independent {@code redis-server} processes. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedlockTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Duration TTL = Duration.ofSeconds(5);
    private static final List<RedisServer> shared = new ArrayList<>();

    @BeforeAll
    static void start() {
        for (int i = 0; i < 3; i++) {
            shared.add(RedisServer.start());
        }
    }

    @AfterAll
    static void stop() {
        shared.forEach(RedisServer::close);
    }

    private static BatonConfig config(String name) {
        return BatonConfig.custom()
                .leaseTtl(TTL)
                .safetyMargin(Duration.ofMillis(1500))
                .clientName(name)
                .build();
    }

    private static String uri(List<RedisServer> servers) {
        return "redlock://"
                + servers.stream()
                        .map(s -> "127.0.0.1:" + s.port())
                        .collect(Collectors.joining(","));
    }

    private static List<RedisServer> trio() {
        List<RedisServer> servers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            servers.add(RedisServer.start());
        }
        return servers;
    }

    /** The lock's key on each server, read directly: null where absent. */
    private static List<String> keyOnEach(List<RedisServer> servers, String name) {
        List<String> values = new ArrayList<>();
        for (RedisServer s : servers) {
            RedisClient c = RedisClient.create(s.uri());
            try (StatefulRedisConnection<String, String> conn = c.connect(StringCodec.UTF8)) {
                values.add(conn.sync().get("baton:{baton/" + name + "}:redlock"));
            } finally {
                c.shutdown();
            }
        }
        return values;
    }

    @Test
    void mutualExclusionAcrossThreeClientsAndTheirThreads() throws Exception {
        int clients = 3;
        int threadsPerClient = 3;
        int rounds = 10;
        ExclusiveResource resource = new ExclusiveResource();
        int[] counter = {0}; // unsynchronised on purpose: only the lock orders the increments
        List<Redlock> redlocks = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients * threadsPerClient);
        try {
            for (int c = 0; c < clients; c++) {
                redlocks.add(Redlock.connect(uri(shared), config("excl-" + c)));
            }
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> work = new ArrayList<>();
            for (Redlock r : redlocks) {
                RedlockMutex m = r.mutex("excl");
                for (int t = 0; t < threadsPerClient; t++) {
                    work.add(
                            pool.submit(
                                    () -> {
                                        go.await();
                                        for (int i = 0; i < rounds; i++) {
                                            m.withLease(
                                                    Duration.ofSeconds(60),
                                                    lease ->
                                                            resource.use(
                                                                    () -> {
                                                                        lease.ensureValid();
                                                                        counter[0]++;
                                                                    }));
                                        }
                                        return null;
                                    }));
                }
            }
            go.countDown();
            for (Future<?> f : work) {
                f.get(100, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            redlocks.forEach(Redlock::close);
        }
        int total = clients * threadsPerClient * rounds;
        assertThat(resource.violations()).isZero();
        assertThat(counter[0]).isEqualTo(total); // Future.get ordered every increment before this
        assertThat(keyOnEach(shared, "excl")).containsOnlyNulls();
    }

    @Test
    void grantIsOnEveryMasterWhileHeldAndGoneEverywhereAfterRelease() {
        try (Redlock a = Redlock.connect(uri(shared), config("a"));
                Redlock b = Redlock.connect(uri(shared), config("b"))) {
            Lease lease = a.mutex("keys").acquire(PATIENCE);
            assertThat(lease.holder()).isEqualTo(a.clientId());
            assertThat(keyOnEach(shared, "keys"))
                    .allSatisfy(v -> assertThat(v).startsWith(a.clientId() + ":"));
            assertThat(b.mutex("keys").tryAcquire()).isEmpty();
            assertThatThrownBy(() -> b.mutex("keys").acquire(Duration.ofSeconds(1)))
                    .isInstanceOf(LockTimeoutException.class);
            // b's failed rounds removed their partial grants, and never touched a's.
            assertThat(keyOnEach(shared, "keys"))
                    .allSatisfy(v -> assertThat(v).startsWith(a.clientId() + ":"));
            assertThat(lease.release()).isTrue();
            assertThat(keyOnEach(shared, "keys")).containsOnlyNulls();
            Optional<Lease> next = b.mutex("keys").tryAcquire();
            assertThat(next).isPresent();
            next.get().release();
        }
    }

    @Test
    void leasesHaveNoFencingTokenInTheirType() throws Exception {
        try (Redlock r = Redlock.connect(uri(shared), config("types"))) {
            Lease lease = r.mutex("types").acquire(PATIENCE);
            try {
                assertThat(lease).isNotInstanceOf(FencedLease.class);
                assertThat(Arrays.stream(lease.getClass().getMethods()).map(Method::getName))
                        .doesNotContain("fencingToken");
                assertThat(lease.toString()).doesNotContain("token");
            } finally {
                lease.release();
            }
        }
        assertThat(RedlockMutex.class.getMethod("acquire", Duration.class).getReturnType())
                .isEqualTo(Lease.class);
    }

    @Test
    void batonConnectRefusesRedlockAndSaysWhy() {
        assertThatThrownBy(() -> Baton.connect(uri(shared), config("refused")))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining(
                        "redlock offers no fencing tokens; use dev.baton.redis.Redlock.connect(uri)");
    }

    @Test
    void uriRules() {
        assertThatThrownBy(() -> Redlock.connect("redlock://127.0.0.1:" + shared.get(0).port()))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("at least 2 host:port masters");
        String one = "127.0.0.1:" + shared.get(0).port();
        assertThatThrownBy(() -> Redlock.connect("redlock://" + one + "," + one))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("listed twice");
        assertThatThrownBy(() -> Redlock.connect(shared.get(0).uri()))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("needs a redlock:// URI");
        assertThatThrownBy(() -> Redlock.connect(uri(shared) + "?x=1"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("no parameters");
    }

    @Test
    void aMajorityIsNeeded() {
        List<RedisServer> servers = trio();
        try (Redlock r = Redlock.connect(uri(servers), config("majority"))) {
            RedlockMutex m = r.mutex("majority");
            servers.get(0).kill();
            Lease lease = m.acquire(PATIENCE); // 2 of 3 still grant
            assertThat(lease.isHeld()).isTrue();
            assertThat(lease.release()).isTrue();
            servers.get(1).kill();
            assertThatThrownBy(() -> m.acquire(Duration.ofSeconds(2)))
                    .isInstanceOf(LockTimeoutException.class);
            assertThat(m.tryAcquire()).isEmpty();
            assertThatThrownBy(() -> Redlock.connect(uri(servers), config("late")))
                    .isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("majority");
        } finally {
            servers.forEach(RedisServer::close);
        }
    }

    @Test
    void restartingAMajorityWhileHeldLosesTheLeaseWithinTheTtl() throws Exception {
        List<RedisServer> servers = trio();
        try (Redlock r = Redlock.connect(uri(servers), config("restart"))) {
            Lease lease = r.mutex("restart").acquire(PATIENCE);
            CompletableFuture<LeaseLoss> lost = lease.lost().toCompletableFuture();
            servers.get(0).restart(); // fresh and empty: the grant survives on 2 of 3
            servers.get(1).restart(); // now only 1 of 3 holds it
            long restarted = System.nanoTime();
            LeaseLoss loss = lost.get(TTL.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - restarted)).isLessThan(TTL);
            assertThat(loss.reason())
                    .isIn(LeaseLoss.Reason.GRANT_GONE, LeaseLoss.Reason.DEADLINE_PASSED);
            assertThat(lease.state()).isEqualTo(LeaseState.LOST);
            // Once the masters are back, the name can be granted again.
            await().atMost(PATIENCE)
                    .until(
                            () -> {
                                Optional<Lease> again = r.mutex("restart").tryAcquire();
                                again.ifPresent(Lease::release);
                                return again.isPresent();
                            });
        } finally {
            servers.forEach(RedisServer::close);
        }
    }
}
