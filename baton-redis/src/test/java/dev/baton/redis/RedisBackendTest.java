package dev.baton.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.BackendUnavailableException;
import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FencedLease;
import dev.baton.InvalidUriException;
import dev.baton.LeaseLoss;
import dev.baton.LeaseState;
import dev.baton.LockTimeoutException;
import dev.baton.WatchEvent;
import dev.baton.faults.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Redis-specific guarantees beyond the contract: round trips, restarts, URIs. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisBackendTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static RedisServer server;

    @BeforeAll
    static void start() {
        server = RedisServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static BatonConfig config() {
        return config(Duration.ofSeconds(5), Duration.ofMillis(1500));
    }

    private static BatonConfig config(Duration ttl, Duration margin) {
        return BatonConfig.custom().leaseTtl(ttl).safetyMargin(margin).build();
    }

    /**
     * Counted on the server: one script call for the acquire, one for the release, nothing else.
     * (Redis counts the commands a script runs inside it in {@code total_commands_processed}, so
     * this counts top-level script calls in {@code commandstats}.)
     */
    @Test
    void uncontendedAcquireAndReleaseCostTwoCommands() {
        RedisClient counter = RedisClient.create(server.uri());
        try (Baton baton = Baton.connect(server.uri(), config());
                StatefulRedisConnection<String, String> c = counter.connect(StringCodec.UTF8)) {
            baton.mutex("warm-up").acquire(PATIENCE).release(); // script cache, connections
            long before = calls(c, "evalsha") + calls(c, "eval");
            FencedLease lease = baton.mutex("counted").acquire(PATIENCE);
            assertThat(lease.release()).isTrue();
            long after = calls(c, "evalsha") + calls(c, "eval");
            assertThat(after - before).isEqualTo(2);
        } finally {
            counter.shutdown();
        }
    }

    /**
     * State of names no longer used leaves the server: grants and queues are deleted with their
     * last entry, and a token counter outlives them only while it is ahead of the clock (about a
     * second) or, after a fast-path release, until 1 s after the released grant's expiry (the TTL,
     * 5 s here). Waiters that timed out leave nothing either.
     */
    @Test
    void stateOfNamesNoLongerUsedLeavesNoKeysBehind() {
        String uri = server.uri() + "/leaktest";
        RedisClient inspector = RedisClient.create(server.uri());
        try (Baton a = Baton.connect(uri, config());
                Baton b = Baton.connect(uri, config());
                StatefulRedisConnection<String, String> c = inspector.connect(StringCodec.UTF8)) {
            for (int i = 0; i < 20; i++) {
                a.mutex("m/" + i).acquire(PATIENCE).release();
            }
            a.semaphore("s", 3).acquire(2, PATIENCE).release();
            a.readWriteLock("rw").readLock().acquire(PATIENCE).release();
            a.readWriteLock("rw").writeLock().acquire(PATIENCE).release();
            FencedLease held = a.mutex("contended").acquire(PATIENCE);
            assertThat(c.sync().keys("*leaktest/*")).isNotEmpty(); // the pattern sees live state
            assertThatThrownBy(() -> b.mutex("contended").acquire(Duration.ofSeconds(1)))
                    .isInstanceOf(LockTimeoutException.class);
            held.release();

            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(c.sync().keys("*leaktest/*")).isEmpty());
        } finally {
            inspector.shutdown();
        }
    }

    /**
     * Every key of a live name carries an expiry, so that the state of a client that dies without
     * releasing leaves the server on its own. Checked after each kind of step that creates a key: a
     * fast-path grant, a waiter queueing, a handoff from the releaser to the waiter (whose grant
     * moves into E while Q and W go), and a semaphore grant (its E and H).
     */
    @Test
    void everyKeyOfALiveNameHasAnExpiry() throws Exception {
        String uri = server.uri() + "/expiring";
        RedisClient inspector = RedisClient.create(server.uri());
        try (Baton a = Baton.connect(uri, config());
                Baton b = Baton.connect(uri, config());
                StatefulRedisConnection<String, String> c = inspector.connect(StringCodec.UTF8)) {
            FencedLease first = a.mutex("m").acquire(PATIENCE);
            assertEveryKeyExpires(c, 1); // E: a mutex keeps its holder there
            CompletableFuture<FencedLease> waiting = b.mutex("m").acquireAsync(PATIENCE);
            awaitWaiters(a, "m", 1);
            assertEveryKeyExpires(c, 3); // E, Q, W
            // The waiter's deadline is 5 s (its TTL) after it queued: its keys outlive it by 1 s.
            assertThat(c.sync().pttl("baton:{expiring/m}:MUTEX:W")).isGreaterThan(4_000);
            assertThat(c.sync().pttl("baton:{expiring/m}:MUTEX:Q")).isGreaterThan(4_000);
            first.release();
            FencedLease second = waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertEveryKeyExpires(c, 1); // Q and W went with the last waiter
            FencedLease permit = a.semaphore("s", 2).acquire(PATIENCE);
            assertEveryKeyExpires(c, 3); // and the semaphore's E and H
            second.release();
            permit.release();
        } finally {
            inspector.shutdown();
        }
    }

    /**
     * Waiters of one semaphore granted together by one release may have different TTLs: the holder
     * key must outlive the longest of their grants, not the first one made.
     */
    @Test
    void holderKeyOutlivesTheLongestGrantOfAHandoff() throws Exception {
        String uri = server.uri() + "/handoff-ttl";
        BatonConfig shortTtl = config(Duration.ofSeconds(2), Duration.ofMillis(600));
        BatonConfig longTtl = config(Duration.ofSeconds(30), Duration.ofSeconds(5));
        RedisClient inspector = RedisClient.create(server.uri());
        try (Baton a = Baton.connect(uri, config());
                Baton shortLived = Baton.connect(uri, shortTtl);
                Baton longLived = Baton.connect(uri, longTtl);
                StatefulRedisConnection<String, String> c = inspector.connect(StringCodec.UTF8)) {
            FencedLease all = a.semaphore("pool", 2).acquire(2, PATIENCE);
            CompletableFuture<FencedLease> first =
                    shortLived.semaphore("pool", 2).acquireAsync(PATIENCE);
            awaitWaiters(a, "pool", 1);
            CompletableFuture<FencedLease> second =
                    longLived.semaphore("pool", 2).acquireAsync(PATIENCE);
            awaitWaiters(a, "pool", 2);
            all.release(); // one release grants both waiters, the short lease first
            FencedLease shortLease = first.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            FencedLease longLease = second.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(c.sync().pttl("baton:{handoff-ttl/pool}:SEMAPHORE:H"))
                    .isGreaterThan(Duration.ofSeconds(20).toMillis());
            shortLease.release();
            longLease.release();
        } finally {
            inspector.shutdown();
        }
    }

    /**
     * A short-lived waiter must not shorten the life of the entry hash, which also holds a longer
     * holder's fields: a 60 s writer, then a 2 s reader that queues and gives up.
     */
    @Test
    void aShortWaiterNeverShortensTheStateOfALongerHolder() {
        String uri = server.uri() + "/long-holder";
        BatonConfig longTtl = config(Duration.ofSeconds(60), Duration.ofSeconds(10));
        BatonConfig shortTtl = config(Duration.ofSeconds(2), Duration.ofMillis(600));
        RedisClient inspector = RedisClient.create(server.uri());
        try (Baton writer = Baton.connect(uri, longTtl);
                Baton reader = Baton.connect(uri, shortTtl);
                StatefulRedisConnection<String, String> c = inspector.connect(StringCodec.UTF8)) {
            FencedLease held = writer.readWriteLock("rw").writeLock().acquire(PATIENCE);
            assertThatThrownBy(
                            () ->
                                    reader.readWriteLock("rw")
                                            .readLock()
                                            .acquire(Duration.ofSeconds(1)))
                    .isInstanceOf(LockTimeoutException.class);
            assertThat(c.sync().pttl("baton:{long-holder/rw}:WRITE:E")).isGreaterThan(30_000);
            held.release();
        } finally {
            inspector.shutdown();
        }
    }

    /**
     * The watch mark announces a watcher: it exists once {@code watch} returns, and lock events
     * flow. A second subscription finds the mark alive with the generation this client saw, and
     * nothing resyncs; once the mark lapsed (deleted here, as it would expire under a client
     * stalled past its TTL), the next mark finds another generation: the subscription gets RESYNC,
     * the mark is back and events flow again.
     */
    @Test
    void aLapsedWatchMarkIsRestoredAndItsSubscriptionsResync() {
        String uri = server.uri() + "/lapse";
        String mark = Keys.watchMark("lapse");
        RedisClient inspector = RedisClient.create(server.uri());
        try (Baton watcher = Baton.connect(uri, config());
                Baton actor = Baton.connect(uri, config());
                StatefulRedisConnection<String, String> c = inspector.connect(StringCodec.UTF8)) {
            assertThat(c.sync().exists(mark)).as("nobody watches yet").isZero();
            List<WatchEvent> events = new CopyOnWriteArrayList<>();
            watcher.watch("w", events::add);
            assertThat(c.sync().exists(mark)).isEqualTo(1);
            actor.mutex("w/m").acquire(PATIENCE).release();
            await().atMost(PATIENCE).until(() -> lockEvents(events) == 2);
            watcher.watch("elsewhere", e -> {});
            assertThat(events).noneMatch(e -> e.type() == WatchEvent.Type.RESYNC);

            assertThat(c.sync().del(mark)).isEqualTo(1);
            watcher.watch("elsewhere-too", e -> {});
            await().atMost(PATIENCE)
                    .until(() -> events.stream().anyMatch(e -> e.type() == WatchEvent.Type.RESYNC));
            assertThat(c.sync().exists(mark)).isEqualTo(1);
            actor.mutex("w/m").acquire(PATIENCE).release();
            await().atMost(PATIENCE).until(() -> lockEvents(events) == 4);
        } finally {
            inspector.shutdown();
        }
    }

    private static long lockEvents(List<WatchEvent> events) {
        return events.stream().filter(e -> e.type() == WatchEvent.Type.LOCK).count();
    }

    private static void awaitWaiters(Baton observer, String name, int waiters) {
        await().atMost(PATIENCE)
                .until(() -> observer.inspect(name).map(s -> s.waiters() == waiters).orElse(false));
    }

    private static void assertEveryKeyExpires(StatefulRedisConnection<String, String> c, int n) {
        List<String> keys = c.sync().keys("*expiring/*");
        assertThat(keys).hasSize(n);
        for (String k : keys) {
            assertThat(c.sync().pttl(k)).as("PTTL of %s", k).isPositive();
        }
    }

    /**
     * A waiter whose queue entry the engine dropped (here removed by hand, as a stalled client's
     * would be after its liveness bound) queues again at its next re-check and is granted in the
     * end, instead of failing a caller that is still willing to wait.
     */
    @Test
    void aWaiterTheEngineDroppedQueuesAgainAndIsGranted() throws Exception {
        String uri = server.uri() + "/dropped";
        RedisClient admin = RedisClient.create(server.uri());
        try (Baton a = Baton.connect(uri, config());
                Baton b = Baton.connect(uri, config());
                StatefulRedisConnection<String, String> c = admin.connect(StringCodec.UTF8)) {
            FencedLease held = a.mutex("m").acquire(PATIENCE);
            CompletableFuture<FencedLease> waiting = b.mutex("m").acquireAsync(PATIENCE);
            awaitWaiters(a, "m", 1);
            assertThat(c.sync().del("baton:{dropped/m}:MUTEX:W", "baton:{dropped/m}:MUTEX:Q"))
                    .isEqualTo(2);
            assertThat(a.inspect("m").orElseThrow().waiters()).isZero();
            awaitWaiters(a, "m", 1);
            assertThat(waiting).isNotDone();
            held.release();
            FencedLease granted = waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(granted.fencingToken()).isGreaterThan(held.fencingToken());
            granted.release();
        } finally {
            admin.shutdown();
        }
    }

    /**
     * A restart without persistence loses every grant: the holder's renewal finds it gone and
     * signals the loss; tokens keep rising afterwards because the counter restarts from the clock.
     */
    @Test
    void restartWithoutPersistenceLosesTheHolderAndTokensKeepRising() throws Exception {
        try (Baton baton = Baton.connect(server.uri(), config())) {
            FencedLease lease = baton.mutex("restarted").acquire(PATIENCE);
            server.restart();
            LeaseLoss loss =
                    lease.lost().toCompletableFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(loss.reason())
                    .isIn(LeaseLoss.Reason.GRANT_GONE, LeaseLoss.Reason.DEADLINE_PASSED);
            assertThat(lease.state()).isEqualTo(LeaseState.LOST);
            FencedLease next = baton.mutex("restarted").acquire(PATIENCE);
            assertThat(next.fencingToken()).isGreaterThan(lease.fencingToken());
            next.release();
        }
    }

    /**
     * Renewal sends one script per batch of leases, not one per lease: 300 leases held through
     * several renewal rounds (every TTL/3) cost a few calls per round. One call per lease would be
     * at least 300 per round.
     */
    @Test
    void renewalOfManyLeasesIsBatchedAndKeepsEveryLease() {
        int n = 2 * RedisAcquisitions.RENEW_BATCH + 44;
        BatonConfig shortTtl = config(Duration.ofSeconds(2), Duration.ofMillis(600));
        RedisClient counter = RedisClient.create(server.uri());
        try (Baton baton = Baton.connect(server.uri() + "/batched", shortTtl);
                StatefulRedisConnection<String, String> c = counter.connect(StringCodec.UTF8)) {
            List<FencedLease> leases = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                leases.add(baton.mutex("held/" + i).acquire(PATIENCE));
            }
            long before = calls(c, "evalsha") + calls(c, "eval");
            long start = System.nanoTime();
            // Through three TTLs (every lease would be lost without renewal; about 9 rounds),
            // watching that none is lost on the way.
            await().atMost(PATIENCE)
                    .failFast("a lease was lost", () -> leases.stream().anyMatch(l -> !l.isHeld()))
                    .until(() -> System.nanoTime() - start > TimeUnit.SECONDS.toNanos(6));
            long during = calls(c, "evalsha") + calls(c, "eval") - before;
            assertThat(leases).allSatisfy(l -> assertThat(l.isHeld()).isTrue());
            assertThat(during).isPositive().isLessThan(n);
            leases.forEach(FencedLease::release);
        } finally {
            counter.shutdown();
        }
    }

    /** A batch's answer is read per lease: the one grant that vanished is lost, no other. */
    @Test
    void renewalFindsTheOneGoneGrantInABatch() throws Exception {
        int n = RedisAcquisitions.RENEW_BATCH + 10;
        RedisClient admin = RedisClient.create(server.uri());
        try (Baton baton = Baton.connect(server.uri() + "/gone", config());
                StatefulRedisConnection<String, String> c = admin.connect(StringCodec.UTF8)) {
            List<FencedLease> leases = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                leases.add(baton.mutex("held/" + i).acquire(PATIENCE));
            }
            FencedLease victim =
                    leases.get(RedisAcquisitions.RENEW_BATCH + 3); // in the second batch
            assertThat(
                            c.sync()
                                    .del(
                                            "baton:{gone/held/"
                                                    + (RedisAcquisitions.RENEW_BATCH + 3)
                                                    + "}:MUTEX:E"))
                    .isEqualTo(1);
            LeaseLoss loss =
                    victim.lost().toCompletableFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(loss.reason()).isEqualTo(LeaseLoss.Reason.GRANT_GONE);
            assertThat(leases)
                    .filteredOn(l -> l != victim)
                    .allSatisfy(l -> assertThat(l.isHeld()).isTrue());
            leases.forEach(FencedLease::release);
        } finally {
            admin.shutdown();
        }
    }

    @Test
    void badUrisAreRejectedWithTheRule() {
        assertThatThrownBy(() -> Baton.connect("redis://", config()))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("exactly one host");
        assertThatThrownBy(() -> Baton.connect("redis://a:1,b:2", config()))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("redlock");
        assertThatThrownBy(() -> Baton.connect(server.uri() + "?x=1", config()))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("x");
        assertThatThrownBy(() -> Baton.connect(server.uri() + "/bad//ns", config()))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("namespace");
        assertThatThrownBy(() -> Baton.connect("redis://127.0.0.1:99999", config()))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("99999");
    }

    @Test
    void unreachableServerIsReportedAsUnavailable() {
        RedisServer gone = RedisServer.start();
        String uri = gone.uri();
        gone.close();
        BatonConfig quick = config().toBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        assertThatThrownBy(() -> Baton.connect(uri, quick))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining(uri.substring("redis://".length()))
                .message()
                .as("the address once, as given, with the socket's reason")
                .doesNotContain("unresolved")
                .endsWith("Connection refused");
    }

    private static long calls(StatefulRedisConnection<String, String> c, String command) {
        for (String line : c.sync().info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_" + command + ":calls=")) {
                String rest = line.substring(line.indexOf('=') + 1);
                return Long.parseLong(rest.substring(0, rest.indexOf(',')));
            }
        }
        return 0;
    }
}
