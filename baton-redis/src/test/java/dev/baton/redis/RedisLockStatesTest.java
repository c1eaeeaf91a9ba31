package dev.baton.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.LeaseKind;
import dev.baton.faults.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The key states of one mutex and each transition between them, as {@code lock_common.lua}'s header
 * models them: the lock scripts run one at a time against a real server, the raw state read back
 * after each step. Time passing (a holder past its expiry, a waiter key that expired) is made by
 * writing the state the clock would leave.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisLockStatesTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    // Nested, like the events test's name: the scripts read both from the keys (lock_common.lua).
    private static final String NS = "states/v1.x";
    private static final long TTL_MS = 5000;
    private static final String TTL = String.valueOf(TTL_MS);
    private static final byte[] EVENTS = RedisCodec.bytes(Keys.eventChannel(NS));

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

    @Test
    void freeToHeldOnTheFastPathWritesOnlyTheStateHash() {
        String name = "free-held";
        String id = id();
        List<Object> reply = acquire(name, id, "a");
        assertThat(reply.get(0)).isEqualTo(1L);
        long token = RedisCodec.integer(reply.get(1));
        assertThat(raw.keys(tag(name) + "*")).containsExactly(key(name, "E"));
        assertThat(raw.hget(key(name, "E"), "h")).isEqualTo(id);
        assertThat(raw.hget(key(name, "E"), "ctr")).isEqualTo(String.valueOf(token));
        assertThat(raw.hkeys(key(name, "E")))
                .as("the holder's token is the counter: no field repeats it")
                .containsExactlyInAnyOrder("ctr", "h", "x", "i");
        String[] info = raw.hget(key(name, "E"), "i").split("\t", -1);
        assertThat(info).as("client, granted at, seq").hasSize(3);
        assertThat(info[0]).isEqualTo("a");
        assertThat(Long.parseLong(info[1]))
                .as("granted at, server ms")
                .isBetween(serverMillis() - 2_000, serverMillis());
        assertThat(info[2]).as("the request's seq").isEqualTo("1");
        assertThat(raw.hexists(key(name, "E"), "n")).as("nobody waits").isFalse();
        long x = Long.parseLong(raw.hget(key(name, "E"), "x"));
        assertThat(x).isBetween(serverMillis() + TTL_MS - 2_000, serverMillis() + TTL_MS);
        assertThat(raw.pttl(key(name, "E"))).as("1 s past the expiry").isGreaterThan(TTL_MS);
    }

    @Test
    void heldToFreeOnTheFastPathKeepsOnlyTheCounter() {
        String name = "held-free";
        String id = id();
        long token = RedisCodec.integer(acquire(name, id, "a").get(1));
        assertThat(release(name, id)).isEqualTo(1);
        assertThat(raw.hgetall(key(name, "E"))).containsOnlyKeys("ctr");
        assertThat(raw.keys(tag(name) + "*")).containsExactly(key(name, "E"));
        assertThat(raw.pttl(key(name, "E"))).as("the counter's key still expires").isPositive();
        assertThat(release(name, id)).as("a second release finds nothing").isZero();
        // FREE again: the next grant is on the fast path, with a higher token.
        String next = id();
        assertThat(RedisCodec.integer(acquire(name, next, "b").get(1))).isGreaterThan(token);
        assertThat(raw.hget(key(name, "E"), "h")).isEqualTo(next);
    }

    @Test
    void renewExtendsAHeldGrantAndNothingElse() {
        String name = "renew";
        String id = id();
        acquire(name, id, "a");
        long before = Long.parseLong(raw.hget(key(name, "E"), "x"));
        raw.pexpire(key(name, "E"), 2_000); // so that an extension shows
        assertThat(renew(name, "someone-else")).isZero();
        assertThat(renew(name, id)).isEqualTo(1);
        assertThat(Long.parseLong(raw.hget(key(name, "E"), "x"))).isGreaterThanOrEqualTo(before);
        assertThat(raw.pttl(key(name, "E"))).isGreaterThan(TTL_MS);
        // Past its expiry (the clock passed x): never revived.
        raw.hset(key(name, "E"), "x", "1");
        assertThat(renew(name, id)).isZero();
        assertThat(raw.hget(key(name, "E"), "x")).isEqualTo("1");
    }

    @Test
    void heldToQueuedAndBackByAHandoff() {
        String name = "queued";
        String holder = id();
        long first = RedisCodec.integer(acquire(name, holder, "a").get(1));
        String waiter = id();
        List<Object> waiting = acquire(name, waiter, "b");
        assertThat(waiting.get(0)).isEqualTo(2L);
        assertThat(RedisCodec.integer(waiting.get(1))).as("hint: the holder's expiry").isPositive();
        assertThat(raw.hget(key(name, "E"), "n")).isEqualTo("1");
        assertThat(raw.lrange(key(name, "Q"), 0, -1)).containsExactly(waiter);
        assertThat(raw.zscore(key(name, "W"), waiter)).isNotNull();
        assertThat(raw.exists(key(name, "H"))).as("a mutex keeps no holder zset").isZero();

        // QUEUED -> HELD: the release takes the general path and hands on.
        assertThat(release(name, holder)).isEqualTo(1);
        assertThat(raw.hget(key(name, "E"), "h")).isEqualTo(waiter);
        assertThat(raw.hget(key(name, "E"), "i")).startsWith("b\t");
        assertThat(Long.parseLong(raw.hget(key(name, "E"), "ctr"))).isGreaterThan(first);
        assertThat(raw.hexists(key(name, "E"), "n")).isFalse();
        assertThat(raw.hkeys(key(name, "E"))).noneMatch(f -> f.startsWith(waiter + ":"));
        assertThat(raw.exists(key(name, "Q"), key(name, "W"))).isZero();
        long x = Long.parseLong(raw.hget(key(name, "E"), "x"));
        assertThat(raw.pttl(key(name, "E")))
                .as("HELD again: E lives 1 s past the new holder's expiry")
                .isBetween(x + 1000 - serverMillis() - 2_000, x + 1000 - serverMillis() + 50);
        // And HELD -> FREE on the fast path.
        assertThat(release(name, waiter)).isEqualTo(1);
        assertThat(raw.hgetall(key(name, "E"))).containsOnlyKeys("ctr");
    }

    @Test
    void queuedToHeldWhenTheLastWaiterWithdraws() {
        String name = "withdrawn";
        String holder = id();
        acquire(name, holder, "a");
        String waiter = id();
        acquire(name, waiter, "b");
        assertThat(release(name, waiter)).isEqualTo(1);
        assertThat(raw.hget(key(name, "E"), "h")).isEqualTo(holder);
        assertThat(raw.hexists(key(name, "E"), "n")).isFalse();
        assertThat(raw.exists(key(name, "Q"), key(name, "W"))).isZero();
        assertThat(raw.hkeys(key(name, "E"))).noneMatch(f -> f.startsWith(waiter + ":"));
        long x = Long.parseLong(raw.hget(key(name, "E"), "x"));
        assertThat(raw.pttl(key(name, "E"))).isLessThanOrEqualTo(x + 1000 - serverMillis() + 50);
        // HELD: the holder releases on the fast path.
        assertThat(release(name, holder)).isEqualTo(1);
        assertThat(raw.hgetall(key(name, "E"))).containsOnlyKeys("ctr");
    }

    @Test
    void aWaiterDiesAndIsPurgedThenTheRefreshOfALiveOneIsGranted() {
        String name = "dead-waiter";
        String holder = id();
        acquire(name, holder, "a");
        String dead = id();
        acquire(name, dead, "b");
        String live = id();
        acquire(name, live, "c");
        assertThat(raw.hget(key(name, "E"), "n")).isEqualTo("2");
        raw.zadd(key(name, "W"), 1.0, dead); // not heard within its liveness bound
        raw.hset(key(name, "E"), "x", "1"); // and the holder's expiry passed
        List<Object> status = waitCheck(name, live, 9);
        assertThat(status.get(0)).as("held").isEqualTo(1L);
        assertThat(status.get(2)).as("the seq its expiry counts from").isEqualTo(9L);
        assertThat(raw.hget(key(name, "E"), "h")).isEqualTo(live);
        assertThat(raw.hkeys(key(name, "E"))).noneMatch(f -> f.startsWith(dead + ":"));
        assertThat(raw.exists(key(name, "Q"), key(name, "W"))).isZero();
        assertThat(raw.hexists(key(name, "E"), "n")).isFalse();
        assertThat(waitCheck(name, dead, 10)).as("the dead waiter is gone").containsExactly(0L);
    }

    @Test
    void staleStateActsAsAbsent() {
        // A holder past its expiry: the fast path grants over it, with a higher token.
        String name = "stale";
        String old = id();
        long first = RedisCodec.integer(acquire(name, old, "a").get(1));
        raw.hset(key(name, "E"), "x", "1");
        String next = id();
        List<Object> reply = acquire(name, next, "b");
        assertThat(reply.get(0)).isEqualTo(1L);
        assertThat(RedisCodec.integer(reply.get(1))).isGreaterThan(first);
        assertThat(raw.hget(key(name, "E"), "i")).startsWith("b\t");
        assertThat(release(name, old)).as("the old holder's release finds nothing").isZero();
        assertThat(raw.hget(key(name, "E"), "h")).isEqualTo(next);

        // A waiter count whose W expired: the general path grants and clears it.
        assertThat(release(name, next)).isEqualTo(1);
        raw.hset(key(name, "E"), "n", "3");
        String third = id();
        assertThat(acquire(name, third, "c").get(0)).isEqualTo(1L);
        assertThat(raw.hget(key(name, "E"), "h")).isEqualTo(third);
        assertThat(raw.hexists(key(name, "E"), "n")).isFalse();
        // The release of a holder with a stale count takes the general path: state cleared.
        raw.hset(key(name, "E"), "n", "1");
        assertThat(release(name, third)).isEqualTo(1);
        assertThat(raw.hexists(key(name, "E"), "h")).isFalse();
        assertThat(raw.hexists(key(name, "E"), "n")).isFalse();
    }

    /**
     * The fast path compares the clock, the counter and the holder's expiry as decimal text (by
     * length, then digit by digit): each branch against a value that a wrong comparison would get
     * wrong (a longer number that sorts first as text, a counter ahead of the clock).
     */
    @Test
    void theFastPathComparesNumbersAsDecimalText() {
        String name = "text";
        // A counter ahead of the clock, with as many digits: the token follows the counter.
        String ahead = "9000000000000000";
        raw.hset(key(name, "E"), "ctr", ahead);
        String a = id();
        List<Object> reply = acquire(name, a, "a");
        assertThat(reply.get(0)).isEqualTo(1L);
        assertThat(RedisCodec.integer(reply.get(1))).isEqualTo(Long.parseLong(ahead) + 1);
        assertThat(raw.hget(key(name, "E"), "ctr")).isEqualTo("9000000000000001");
        assertThat(release(name, a)).isEqualTo(1);

        // A counter with fewer digits than the clock, though larger as text: the clock wins.
        raw.hset(key(name, "E"), "ctr", "99");
        String b = id();
        long clockMicros = serverMillis() * 1000;
        assertThat(RedisCodec.integer(acquire(name, b, "b").get(1)))
                .isGreaterThanOrEqualTo(clockMicros);

        // A holder's expiry with more digits than the clock, though smaller as text: still held.
        raw.hset(key(name, "E"), "x", "10000000000000");
        List<Object> other = acquire(name, id(), "c");
        assertThat(other.get(0)).as("queued behind a live holder").isEqualTo(2L);
        assertThat(raw.hget(key(name, "E"), "h")).isEqualTo(b);
    }

    @Test
    void tokensKeepRisingWhenTheStateHashIsGone() {
        String name = "tokens";
        long last = 0;
        for (int i = 0; i < 50; i++) {
            String id = id();
            long token = RedisCodec.integer(acquire(name, id, "a").get(1));
            assertThat(token).isGreaterThan(last);
            last = token;
            if (i % 2 == 0) {
                release(name, id); // the counter stays in E
            } else {
                raw.del(key(name, "E")); // as if E expired: the next token comes from the clock
            }
        }
    }

    @Test
    void lockEventsArePublishedOnlyWhileTheWatchMarkExists() throws Exception {
        String name = "events/a.b-c";
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        StatefulRedisPubSubConnection<String, String> sub = subscribeToEvents(heard);
        try {
            String mark = Keys.watchMark(NS);
            raw.del(mark);
            String a = id();
            acquire(name, a, "unwatched"); // fast path, no mark
            String b = id();
            acquire(name, b, "unwatched-waiter"); // general path, no mark
            raw.set(mark, "g");
            assertThat(release(name, b)).isEqualTo(1); // general path, marked
            assertThat(release(name, a)).isEqualTo(1); // fast path, marked
            // One connection delivers in publish order: had the first two published, their
            // events would come first.
            assertThat(heard.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .startsWith("L\n" + name + "\n0\nunwatched\tMUTEX\t1\t");
            assertThat(heard.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .isEqualTo("L\n" + name + "\n0");
            raw.del(mark);
            acquire(name, id(), "unwatched-again");
            raw.set(mark, "g");
            String c = id();
            acquire(name, c, "watched-waiter");
            assertThat(heard.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .as("the waiter's event, not the unwatched acquire's")
                    .startsWith("L\n" + name + "\n1\nunwatched-again\t");
            // A fast-path acquire while watched: its event names the lock too.
            String fast = "events/fast";
            acquire(fast, id(), "watched-fast");
            assertThat(heard.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .startsWith("L\n" + fast + "\n0\nwatched-fast\tMUTEX\t1\t");
        } finally {
            raw.del(Keys.watchMark(NS));
            sub.close();
        }
    }

    /**
     * A holder written by the previous layout (fields c, s and q instead of i: such state lives at
     * most a lease TTL after an upgrade) is read without a script failing half-way: a waiter queues
     * behind it on the general path, which records the waiter count and publishes the event, and
     * inspection lists the holder.
     */
    @Test
    void aHolderOfThePreviousLayoutIsReadWithoutFailing() throws Exception {
        String name = "previous-layout";
        long now = serverMillis();
        raw.hset(
                key(name, "E"),
                Map.of(
                        "ctr",
                        String.valueOf(now * 1000),
                        "h",
                        "old:1",
                        "x",
                        String.valueOf(now + 60_000),
                        "c",
                        "old-client",
                        "s",
                        String.valueOf(now),
                        "q",
                        "3"));
        raw.pexpire(key(name, "E"), 61_000);
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        StatefulRedisPubSubConnection<String, String> sub = subscribeToEvents(heard);
        try {
            raw.set(Keys.watchMark(NS), "g");
            assertThat(acquire(name, id(), "new").get(0)).as("queued").isEqualTo(2L);
            assertThat(raw.hget(key(name, "E"), "n"))
                    .as("the script ran to its end")
                    .isEqualTo("1");
            assertThat(heard.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .startsWith("L\n" + name + "\n1\n\tMUTEX\t1\t" + now * 1000 + "\t0");
        } finally {
            raw.del(Keys.watchMark(NS));
            sub.close();
        }
        byte[][] keys = new byte[Keys.FAMILIES.length * 4][];
        byte[][] families = new byte[Keys.FAMILIES.length][];
        for (int f = 0; f < Keys.FAMILIES.length; f++) {
            System.arraycopy(Keys.lock(NS, Keys.FAMILIES[f], name), 0, keys, f * 4, 4);
            families[f] = RedisCodec.kind(Keys.FAMILIES[f]);
        }
        List<Object> inspected = run(SCRIPTS.inspect, ScriptOutputType.MULTI, keys, families);
        assertThat(RedisCodec.str(inspected.get(0))).as("waiters").isEqualTo("1");
        assertThat(RedisCodec.str(inspected.get(1))).isEqualTo("\tMUTEX\t1\t" + now * 1000 + "\t0");
    }

    @Test
    void keyValueEventsArePublishedOnlyWhileTheWatchMarkExists() throws Exception {
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        StatefulRedisPubSubConnection<String, String> sub = subscribeToEvents(heard);
        try {
            String mark = Keys.watchMark(NS);
            raw.del(mark);
            kvWrite("kv-unwatched", "1");
            kvDelete("kv-unwatched");
            raw.set(mark, "g");
            kvWrite("kv-watched", "2");
            kvDelete("kv-watched");
            // In publish order on one connection: the unwatched put and delete would come first.
            assertThat(heard.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .startsWith("P\n")
                    .endsWith("\nkv-watched\n2");
            assertThat(heard.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .isEqualTo("D\nkv-watched");
        } finally {
            raw.del(Keys.watchMark(NS));
            sub.close();
        }
    }

    private static void kvWrite(String key, String value) throws Exception {
        Long version =
                SCRIPTS.kvWrite
                        .<Long>run(
                                redis,
                                ScriptOutputType.INTEGER,
                                kvKeys(key),
                                RedisCodec.bytes("put"),
                                RedisCodec.bytes("0"),
                                RedisCodec.bytes(value),
                                EVENTS,
                                RedisCodec.bytes(key))
                        .toCompletableFuture()
                        .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(version).as("written").isPositive();
    }

    private static void kvDelete(String key) throws Exception {
        Long deleted =
                SCRIPTS.kvDelete
                        .<Long>run(
                                redis,
                                ScriptOutputType.INTEGER,
                                kvKeys(key),
                                RedisCodec.bytes("-1"),
                                EVENTS,
                                RedisCodec.bytes(key))
                        .toCompletableFuture()
                        .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(deleted).as("deleted").isEqualTo(1L);
    }

    private static byte[][] kvKeys(String key) {
        return new byte[][] {
            RedisCodec.bytes(Keys.value(NS, key)), RedisCodec.bytes(Keys.watchMark(NS))
        };
    }

    /** Subscribes to the namespace's event channel; every message goes to {@code heard}. */
    private static StatefulRedisPubSubConnection<String, String> subscribeToEvents(
            BlockingQueue<String> heard) {
        StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub(StringCodec.UTF8);
        sub.addListener(
                new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        heard.add(message);
                    }
                });
        sub.sync().subscribe(Keys.eventChannel(NS));
        return sub;
    }

    @Test
    void theWatchMarkKeepsItsGenerationUntilItLapses() {
        byte[][] keys = {RedisCodec.bytes(Keys.watchMark(NS + "-mark"))};
        String first = mark(keys, "g1");
        assertThat(first).isEqualTo("g1");
        assertThat(mark(keys, "g2")).as("alive: the generation stays").isEqualTo("g1");
        assertThat(raw.pttl(Keys.watchMark(NS + "-mark"))).isGreaterThan(20_000);
        raw.del(Keys.watchMark(NS + "-mark")); // lapsed
        assertThat(mark(keys, "g3")).as("recreated with a new generation").isEqualTo("g3");
    }

    // ------------------------------------------------------------------ helpers

    private static String id() {
        return "s:" + ids.incrementAndGet();
    }

    private static String tag(String name) {
        return Keys.tag(NS, name);
    }

    private static String key(String name, String suffix) {
        return tag(name) + ":MUTEX:" + suffix;
    }

    private static byte[][] keys(String name) {
        return Keys.lock(NS, LeaseKind.MUTEX, name);
    }

    private static List<Object> acquire(String name, String id, String clientId) {
        return run(
                SCRIPTS.acquire,
                ScriptOutputType.MULTI,
                keys(name),
                RedisCodec.acquireArgs(
                        LeaseKind.MUTEX,
                        RedisCodec.bytes(id),
                        RedisCodec.bytes(clientId),
                        RedisCodec.bytes(TTL),
                        RedisCodec.bytes("1"),
                        RedisCodec.requestShape(LeaseKind.MUTEX, 1, 1, false, TTL_MS)));
    }

    private static long release(String name, String id) {
        return run(
                SCRIPTS.release,
                ScriptOutputType.INTEGER,
                keys(name),
                RedisCodec.lockArgs(LeaseKind.MUTEX, id));
    }

    private static List<Object> waitCheck(String name, String id, long seq) {
        return run(
                SCRIPTS.waitCheck,
                ScriptOutputType.MULTI,
                keys(name),
                RedisCodec.lockArgs(LeaseKind.MUTEX, id, TTL, String.valueOf(seq)));
    }

    private static long renew(String name, String id) {
        byte[][] k = keys(name);
        List<Object> out =
                run(
                        SCRIPTS.renew,
                        ScriptOutputType.MULTI,
                        new byte[][] {k[0], k[3]},
                        new byte[][] {
                            RedisCodec.bytes(TTL), RedisCodec.bytes(id), RedisCodec.bytes("1")
                        });
        return (Long) out.get(0);
    }

    private static String mark(byte[][] keys, String fresh) {
        byte[] g =
                run(
                        SCRIPTS.watchMark,
                        ScriptOutputType.VALUE,
                        keys,
                        new byte[][] {RedisCodec.bytes(fresh), RedisCodec.bytes("30000")});
        return RedisCodec.str(g);
    }

    private static <T> T run(
            RedisScripts.Script script, ScriptOutputType type, byte[][] keys, byte[][] args) {
        try {
            return script.<T>run(redis, type, keys, args)
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
