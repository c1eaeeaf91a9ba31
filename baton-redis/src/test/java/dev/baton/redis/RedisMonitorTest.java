package dev.baton.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FencedLease;
import dev.baton.LeaseKind;
import dev.baton.LockInterruptedException;
import dev.baton.Monitor;
import dev.baton.MonitorCondition.Wakeup;
import dev.baton.faults.FaultProxy;
import dev.baton.faults.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The monitor scripts ({@code monitor_await}, {@code monitor_signal}, {@code monitor_time_up}, and
 * {@code wait} and {@code release} given a condition's keys) run one at a time against a real
 * server, their raw state read back after each step; then what only this backend does with them: a
 * woken waiter's grant counts from its latest refresh, and a waiter the engine dropped from its
 * wait queue enters again instead of hanging.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisMonitorTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String NS = "scripts";
    private static final String TTL = "5000";

    private static RawRedis fixture;
    private static RedisServer server;
    private static RedisClient client;
    private static RedisAsyncCommands<byte[], byte[]> redis;
    private static RedisCommands<String, String> raw;
    private static final RedisScripts SCRIPTS = new RedisScripts();
    private static final AtomicLong ids = new AtomicLong();

    @BeforeAll
    static void start() {
        fixture = RawRedis.start();
        server = fixture.server;
        client = fixture.client;
        redis = fixture.redis;
        raw = fixture.raw;
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    // ------------------------------------------------------------------ the scripts, step by step

    @Test
    void awaitByTheHolderHandsTheMonitorOnAndQueuesTheWaiterAtomically() {
        Names n = new Names("await");
        String holder = enter(n, "holder-client");
        String next = id();
        assertThat(acquire(n, next, "next-client").get(0)).as("waiting").isEqualTo(2L);

        String waiter = id();
        assertThat(waitOn(n, holder, waiter, "holder-client")).isEqualTo(1);
        assertThat(holders(n)).containsExactly(next);
        assertThat(raw.lrange(n.lock("Q"), 0, -1)).isEmpty();
        assertThat(raw.lrange(n.cond("Q"), 0, -1)).containsExactly(waiter);
        assertThat(raw.hget(n.cond("E"), waiter + ":c")).isEqualTo("holder-client");
        assertThat(raw.hget(n.lock("E"), "i"))
                .as("the holder's fields are next's")
                .startsWith("next-client\t");
        for (String k : List.of(n.cond("E"), n.cond("Q"), n.cond("W"))) {
            // The waiter's deadline is the 5 s TTL away: its keys outlive it by 1 s.
            assertThat(raw.pttl(k)).as("PTTL of %s", k).isGreaterThan(5_000);
        }
    }

    @Test
    void awaitAndSignalByAnEntryThatIsNotTheCurrentHolderChangeNothing() {
        Names n = new Names("not-holder");
        String holder = enter(n, "a");
        String waiter = id();
        assertThat(waitOn(n, holder, waiter, "a")).isEqualTo(1);
        String current = enter(n, "b");

        // The old holder, and an id never granted: refused, state untouched.
        assertThat(waitOn(n, holder, id(), "a")).isZero();
        assertThat(waitOn(n, "never-granted", id(), "a")).isZero();
        assertThat(signal(n, holder, true)).isEqualTo(-1);
        assertThat(holders(n)).containsExactly(current);
        assertThat(raw.lrange(n.cond("Q"), 0, -1)).containsExactly(waiter);

        // The current holder may.
        assertThat(signal(n, current, false)).isEqualTo(1);
        assertThat(raw.lrange(n.cond("Q"), 0, -1)).isEmpty();
        assertThat(raw.lrange(n.lock("Q"), 0, -1)).containsExactly(waiter);
    }

    @Test
    void signalSkipsAndDropsWaitersPastTheirDeadlineAndMovesTheOldestLiveOneToTheTail() {
        Names n = new Names("dead");
        String h1 = enter(n, "a");
        String dead = id();
        assertThat(waitOn(n, h1, dead, "a")).isEqualTo(1);
        String h2 = enter(n, "b");
        String live1 = id();
        assertThat(waitOn(n, h2, live1, "b")).isEqualTo(1);
        String h3 = enter(n, "c");
        String live2 = id();
        assertThat(waitOn(n, h3, live2, "c")).isEqualTo(1);
        String signaller = enter(n, "d");
        String entrant = id();
        acquire(n, entrant, "e");
        // Client "a" was not heard within its liveness bound: its deadline has passed.
        assertThat(raw.zadd(n.cond("W"), ZAddArgs.Builder.xx(), 1.0, dead)).isZero();

        assertThat(signal(n, signaller, false)).isEqualTo(1);
        assertThat(raw.lrange(n.cond("Q"), 0, -1)).containsExactly(live2);
        assertThat(raw.hget(n.cond("E"), dead + ":c")).isNull();
        assertThat(raw.lrange(n.lock("Q"), 0, -1))
                .as("behind the entrant that queued before the signal")
                .containsExactly(entrant, live1);
        assertThat(raw.zscore(n.lock("W"), live1)).isNotNull();
        assertThat(raw.hget(n.lock("E"), live1 + ":c")).isEqualTo("b");
        assertThat(raw.hget(n.lock("E"), live1 + ":t")).isEqualTo("0");

        assertThat(signal(n, signaller, true)).isEqualTo(1);
        assertThat(raw.exists(n.cond("E"), n.cond("Q"), n.cond("W")))
                .as("an empty wait queue leaves no key")
                .isZero();
        assertThat(signal(n, signaller, true)).as("a signal is not remembered").isZero();
        assertThat(raw.lrange(n.lock("Q"), 0, -1)).containsExactly(entrant, live1, live2);
    }

    @Test
    void timeUpMovesOnlyAWaiterStillInTheWaitQueueAndGrantsAFreeMonitorAtOnce() {
        Names n = new Names("time-up");
        String holder = enter(n, "a");
        long before = Long.parseLong(raw.hget(n.lock("E"), "ctr"));
        String waiter = id();
        assertThat(waitOn(n, holder, waiter, "a")).isEqualTo(1);

        List<Object> moved = timeUp(n, waiter);
        assertThat(moved).hasSize(3);
        assertThat(moved.get(0)).isEqualTo(1L);
        assertThat((Long) moved.get(1)).as("a new, higher token").isGreaterThan(before);
        assertThat(moved.get(2)).as("the seq its expiry counts from").isEqualTo(7L);
        assertThat(holders(n)).containsExactly(waiter);
        assertThat(timeUp(n, waiter)).as("no longer in the wait queue").containsExactly(0L);

        // Signalled first: the time-up finds nothing to move.
        String second = id();
        assertThat(waitOn(n, waiter, second, "a")).isEqualTo(1);
        String signaller = enter(n, "b");
        assertThat(signal(n, signaller, false)).isEqualTo(1);
        assertThat(timeUp(n, second)).containsExactly(0L);
        assertThat(raw.lrange(n.lock("Q"), 0, -1)).containsExactly(second);
    }

    @Test
    void withdrawalRemovesAWaiterFromWhicheverQueueHoldsIt() {
        Names n = new Names("withdraw");
        String holder = enter(n, "a");
        String signalled = id();
        assertThat(waitOn(n, holder, signalled, "a")).isEqualTo(1);
        String other = enter(n, "b");
        String waiting = id();
        assertThat(waitOn(n, other, waiting, "b")).isEqualTo(1);
        String signaller = enter(n, "c");
        // The signal moves the oldest to the entry queue, and its withdrawal finds it there; the
        // other's finds it in the wait queue.
        assertThat(signal(n, signaller, false)).isEqualTo(1);
        assertThat(raw.lrange(n.lock("Q"), 0, -1)).containsExactly(signalled);
        assertThat(release(n, signalled)).isEqualTo(1);
        assertThat(raw.lrange(n.lock("Q"), 0, -1)).isEmpty();
        assertThat(raw.zrange(n.lock("W"), 0, -1)).isEmpty();
        assertThat(raw.hget(n.lock("E"), signalled + ":c")).isNull();
        assertThat(raw.lrange(n.cond("Q"), 0, -1)).containsExactly(waiting);
        assertThat(release(n, waiting)).isEqualTo(1);
        assertThat(raw.exists(n.cond("E"), n.cond("Q"), n.cond("W"))).isZero();
        assertThat(release(n, waiting)).as("gone: nothing to withdraw").isZero();
        assertThat(holders(n)).containsExactly(signaller);
    }

    @Test
    void aRefreshKeepsAWaiterInItsWaitQueueAliveAndItsGrantCountsFromIt() {
        Names n = new Names("refresh");
        String holder = enter(n, "a");
        String waiter = id();
        assertThat(waitOn(n, holder, waiter, "a")).isEqualTo(1);
        double deadline = raw.zscore(n.cond("W"), waiter);
        assertThat(check(n, waiter, 42)).containsExactly(3L);
        assertThat(raw.zscore(n.cond("W"), waiter)).isGreaterThanOrEqualTo(deadline);
        assertThat(raw.hget(n.cond("E"), waiter + ":q")).isEqualTo("42");
        // Moved (the monitor is free: granted at once); the grant carries the refresh's seq.
        List<Object> granted = timeUp(n, waiter);
        assertThat(granted.get(0)).isEqualTo(1L);
        assertThat(granted.get(2)).isEqualTo(42L);
        assertThat(check(n, waiter, 43)).element(0).isEqualTo(1L);
    }

    // ------------------------------------------------------------------ through a client

    /**
     * A waiter that waits for a signal much longer than the lease TTL is refreshed in its wait
     * queue, so the grant it gets when woken counts from a recent refresh: its expiry in the engine
     * is most of a TTL away, not long past.
     */
    @Test
    void aWaiterWokenAfterManyTtlsGetsAGrantWithAFullLife() throws Exception {
        String uri = server.uri() + "/long-wait";
        BatonConfig config =
                BatonConfig.custom()
                        .leaseTtl(Duration.ofSeconds(5))
                        .safetyMargin(Duration.ofMillis(1500))
                        .build();
        try (Baton a = Baton.connect(uri, config);
                Baton b = Baton.connect(uri, config)) {
            Monitor m = a.monitor("m");
            CompletableFuture<Wakeup> woken =
                    CompletableFuture.supplyAsync(
                            () ->
                                    m.condition("c")
                                            .await(m.enter(PATIENCE), PATIENCE.multipliedBy(2)));
            String cond = Keys.conditionPrefix("long-wait", "m", "c");
            await().atMost(PATIENCE).until(() -> raw.llen(cond + "Q") == 1);
            String id = raw.lrange(cond + "Q", 0, 0).get(0);
            long queuedAt = Long.parseLong(raw.hget(cond + "E", id + ":h"));
            await().atMost(PATIENCE)
                    .until(
                            () ->
                                    Long.parseLong(raw.hget(cond + "E", id + ":h"))
                                            > queuedAt + 10_000);

            FencedLease signaller = b.monitor("m").enter(PATIENCE);
            assertThat(b.monitor("m").condition("c").signal(signaller)).isTrue();
            signaller.release();
            Wakeup w = woken.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(w.signalled()).isTrue();
            String state = "baton:{long-wait/m}:MONITOR:E";
            assertThat(raw.hget(state, "h"))
                    .as("granted under the id it had in the wait queue")
                    .isEqualTo(id);
            assertThat(Long.parseLong(raw.hget(state, "x"))).isGreaterThan(serverMillis() + 2_000);
            assertThat(w.lease().isHeld()).isTrue();
            w.lease().release();
        }
    }

    /**
     * A waiter the engine dropped from its wait queue (removed by hand here, as a stalled client's
     * would be after its liveness bound) can no longer be signalled; once its client is heard again
     * it enters the monitor anyway — an early wake-up, which Mesa semantics allow — instead of
     * waiting for a signal that can no longer reach it.
     */
    @Test
    void aWaiterTheEngineDroppedFromItsWaitQueueEntersAgainInsteadOfHanging() throws Exception {
        String uri = server.uri() + "/dropped-waiter";
        BatonConfig config = BatonConfig.custom().leaseTtl(Duration.ofSeconds(5)).build();
        try (Baton a = Baton.connect(uri, config);
                Baton b = Baton.connect(uri, config)) {
            Monitor m = a.monitor("m");
            FencedLease first = m.enter(PATIENCE);
            CompletableFuture<Wakeup> woken =
                    CompletableFuture.supplyAsync(() -> m.condition("c").await(first));
            String cond = Keys.conditionPrefix("dropped-waiter", "m", "c");
            await().atMost(PATIENCE).until(() -> raw.llen(cond + "Q") == 1);
            FencedLease held = b.monitor("m").enter(PATIENCE);
            assertThat(raw.del(cond + "E", cond + "Q", cond + "W")).isEqualTo(3);

            await().atMost(PATIENCE)
                    .until(() -> raw.llen("baton:{dropped-waiter/m}:MONITOR:Q") == 1);
            assertThat(b.monitor("m").condition("c").signal(held)).as("nobody to signal").isFalse();
            held.release();
            Wakeup w = woken.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(w.lease().fencingToken()).isGreaterThan(held.fencingToken());
            w.lease().release();
        }
    }

    /**
     * An interrupt that lands while a timed-out await waits for its time-up's answer ends the await
     * with {@link LockInterruptedException} and leaves nothing in the engine, as an interrupt at
     * any other point does (SPI javadoc of {@code Backend.await}). The time-up's answer is made
     * slow by a proxy that delays each direction by 1.5 s, and the interrupt is sent once the
     * awaiting thread is seen waiting inside the time-up (its stack), so it always falls inside the
     * 3 s round trip. Before the time-up waited for its answer through an interrupt, the await
     * ended in {@link dev.baton.BackendUnavailableException}.
     */
    @Test
    void anInterruptDuringTheTimeUpsRoundTripEndsTheAwaitAndLeavesNothing() throws Exception {
        String ns = "interrupted-time-up";
        // A long TTL: the delayed round trip must not look like an unreachable engine (ttl / 3).
        BatonConfig config = BatonConfig.custom().leaseTtl(Duration.ofSeconds(30)).build();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", server.port());
                Baton a = Baton.connect("redis://127.0.0.1:" + proxy.port() + "/" + ns, config)) {
            Monitor m = a.monitor("m");
            FencedLease held = m.enter(PATIENCE);
            AtomicReference<Thread> awaiting = new AtomicReference<>();
            Future<Throwable> outcome =
                    pool.submit(
                            () -> {
                                awaiting.set(Thread.currentThread());
                                try {
                                    m.condition("c").await(held, Duration.ofMillis(200));
                                    return null;
                                } catch (Throwable t) {
                                    return t;
                                }
                            });
            String cond = Keys.conditionPrefix(ns, "m", "c");
            await().atMost(PATIENCE).until(() -> raw.llen(cond + "Q") == 1);
            proxy.delay(Duration.ofMillis(1_500));
            await().atMost(PATIENCE).until(() -> waitingInTimeUp(awaiting.get()));
            awaiting.get().interrupt();

            assertThat(outcome.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(LockInterruptedException.class);
            proxy.delay(Duration.ZERO);
            String lock = "baton:{" + ns + "/m}:MONITOR:";
            await().atMost(PATIENCE)
                    .untilAsserted(
                            () -> {
                                assertThat(raw.hget(lock + "E", "h")).as("no holder").isNull();
                                assertThat(
                                                raw.exists(
                                                        lock + "Q",
                                                        lock + "W",
                                                        cond + "E",
                                                        cond + "Q",
                                                        cond + "W"))
                                        .as("no waiter in either queue")
                                        .isZero();
                            });
        } finally {
            pool.shutdownNow();
        }
    }

    /** Whether {@code t} is blocked inside a monitor waiter's time-up. */
    private static boolean waitingInTimeUp(Thread t) {
        if (t == null || t.getState() == Thread.State.RUNNABLE) {
            return false;
        }
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getMethodName().equals("timeUp")
                    && e.getClassName().startsWith(RedisAcquisitions.class.getName())) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ helpers

    /** The keys of one monitor and its condition "c" in the test namespace. */
    private record Names(String monitor) {
        byte[][] keys() {
            return Keys.monitorWithCondition(NS, monitor, "c");
        }

        String lock(String suffix) {
            return Keys.tag(NS, monitor) + ":MONITOR:" + suffix;
        }

        String cond(String suffix) {
            return Keys.conditionPrefix(NS, monitor, "c") + suffix;
        }
    }

    /** The monitor's holder, kept in its E (a single-holder family): none or one id. */
    private static List<String> holders(Names n) {
        String h = raw.hget(n.lock("E"), "h");
        return h == null ? List.of() : List.of(h);
    }

    private static String id() {
        return "t:" + ids.incrementAndGet();
    }

    /** An entry granted the monitor at once (the caller makes sure it is free). */
    private static String enter(Names n, String clientId) {
        String id = id();
        assertThat(acquire(n, id, clientId).get(0)).as("granted at once").isEqualTo(1L);
        return id;
    }

    private static List<Object> acquire(Names n, String id, String clientId) {
        return run(
                SCRIPTS.acquire,
                ScriptOutputType.MULTI,
                lockKeys(n),
                RedisCodec.acquireArgs(
                        LeaseKind.MONITOR,
                        RedisCodec.bytes(id),
                        RedisCodec.bytes(clientId),
                        RedisCodec.bytes(TTL),
                        RedisCodec.bytes("1"),
                        RedisCodec.requestShape(
                                LeaseKind.MONITOR, 1, 1, false, Long.parseLong(TTL))));
    }

    private static long waitOn(Names n, String holder, String waiter, String clientId) {
        return run(
                SCRIPTS.monitorAwait,
                ScriptOutputType.INTEGER,
                n.keys(),
                holder,
                waiter,
                clientId,
                TTL,
                TTL,
                "7");
    }

    private static long signal(Names n, String holder, boolean all) {
        return run(
                SCRIPTS.monitorSignal, ScriptOutputType.INTEGER, n.keys(), holder, all ? "1" : "0");
    }

    private static List<Object> timeUp(Names n, String id) {
        return run(SCRIPTS.monitorTimeUp, ScriptOutputType.MULTI, n.keys(), id);
    }

    private static long release(Names n, String id) {
        return run(SCRIPTS.release, ScriptOutputType.INTEGER, n.keys(), id);
    }

    private static List<Object> check(Names n, String id, long seq) {
        return run(
                SCRIPTS.waitCheck, ScriptOutputType.MULTI, n.keys(), id, TTL, String.valueOf(seq));
    }

    private static byte[][] lockKeys(Names n) {
        return Keys.lock(NS, LeaseKind.MONITOR, n.monitor());
    }

    /** A monitor script with its own arguments after the family ({@link RedisCodec#lockArgs}). */
    private static <T> T run(
            RedisScripts.Script script, ScriptOutputType type, byte[][] keys, String... args) {
        return run(script, type, keys, RedisCodec.lockArgs(LeaseKind.MONITOR, args));
    }

    /** A script with every argument given. */
    private static <T> T run(
            RedisScripts.Script script, ScriptOutputType type, byte[][] keys, byte[][] argv) {
        try {
            return script.<T>run(redis, type, keys, argv)
                    .toCompletableFuture()
                    .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(script + " failed", e);
        }
    }

    private static long serverMillis() {
        List<String> t = raw.time();
        return Long.parseLong(t.get(0)) * 1000 + Long.parseLong(t.get(1)) / 1000;
    }
}
