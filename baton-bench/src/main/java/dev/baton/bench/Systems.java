package dev.baton.bench;

import dev.baton.bench.redis.RedisBench;
import dev.baton.bench.redis.RedisFloorSystem;
import dev.baton.bench.redis.RedissonSystem;
import dev.baton.bench.redis.ShedLockRedisSystem;
import dev.baton.bench.redis.SpringRedisSystem;
import dev.baton.bench.zookeeper.ZooKeeperBench;
import java.util.List;
import java.util.Optional;

/** The registry of engines and systems the harness runs; names are the {@code system} column. */
public final class Systems {
    /** Every system name of issue 5, on either engine. */
    public static final List<String> NAMES =
            List.of(
                    "baton",
                    "baton-gateway",
                    "redisson-rlock",
                    "redisson-fairlock",
                    "redisson-fencedlock",
                    "si-redis-pubsub",
                    "si-redis-spin",
                    "shedlock-redis",
                    "redis-floor",
                    "curator-mutex",
                    "curator-semaphore-mutex",
                    "si-zookeeper",
                    "zk-floor");

    private Systems() {}

    /** Every Redis system, Baton first, against the server at {@code uri} ({@code redis://…}). */
    public static List<LockSystem> redis(String uri) {
        return List.of(
                new BatonSystem(uri, "redis"),
                new GatewaySystem(uri, "redis"),
                RedissonSystem.rlock(uri),
                RedissonSystem.fairLock(uri),
                RedissonSystem.fencedLock(uri),
                SpringRedisSystem.pubSub(uri),
                SpringRedisSystem.spin(uri),
                new ShedLockRedisSystem(uri),
                new RedisFloorSystem(uri));
    }

    /** Starts the ZooKeeper engine (a child JVM; see {@link ZooKeeperBench}). */
    static Optional<BenchEngine> startZooKeeper() {
        ZooKeeperBench zk = ZooKeeperBench.start();
        return Optional.of(
                new BenchEngine() {
                    @Override
                    public String backend() {
                        return "zookeeper";
                    }

                    @Override
                    public String batonUri() {
                        return "zookeeper://" + zk.connectString();
                    }

                    @Override
                    public EngineCounter counter() {
                        return zk.counter();
                    }

                    @Override
                    public CommandCount openCommandCount() {
                        // ZooKeeper's request counter costs nothing to read: no extra session.
                        EngineCounter c = zk.counter();
                        return new CommandCount() {
                            @Override
                            public long commands() throws Exception {
                                return c.commands();
                            }

                            @Override
                            public void close() {}
                        };
                    }

                    @Override
                    public List<LockSystem> systems() {
                        return zk.systems();
                    }

                    @Override
                    public void close() {
                        zk.close();
                    }
                });
    }

    /** Starts the Redis engine. */
    static BenchEngine startRedis() {
        return RedisBench.start();
    }
}
