package dev.baton.bench;

import dev.baton.bench.redis.RedisBench;
import dev.baton.bench.redis.RedisFencedFloorSystem;
import dev.baton.bench.redis.RedisFloorSystem;
import dev.baton.bench.redis.RedissonSystem;
import dev.baton.bench.redis.ShedLockRedisSystem;
import dev.baton.bench.redis.SpringRedisSystem;
import dev.baton.bench.zookeeper.ZooKeeperBench;
import java.util.List;

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
                    "redis-fenced-floor",
                    "curator-mutex",
                    "curator-semaphore-mutex",
                    "si-zookeeper",
                    "zk-floor");

    /**
     * Every engine the harness can start, in the order it runs them: the {@code backend} column and
     * the names {@code --engines} accepts.
     */
    public static final List<String> ENGINES =
            List.of(RedisBench.BACKEND, RedisBench.REPLICATED, "zookeeper");

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
                new RedisFloorSystem(uri),
                new RedisFencedFloorSystem(uri));
    }

    /**
     * Every Redis system against the server at {@code uri}, recording its results under {@code
     * backend} (a variant of the Redis engine, e.g. a master with a replica, keeps the systems
     * apart in the tables).
     */
    public static List<LockSystem> redis(String uri, String backend) {
        List<LockSystem> systems = redis(uri);
        if (backend.equals("redis")) {
            return systems;
        }
        return systems.stream().map(s -> (LockSystem) new OnBackend(s, backend)).toList();
    }

    /** A system whose results go under another {@code backend} column; otherwise {@code system}. */
    private record OnBackend(LockSystem system, String backend) implements LockSystem {
        @Override
        public String name() {
            return system.name();
        }

        @Override
        public Client client() throws Exception {
            return system.client();
        }

        @Override
        public void close() throws Exception {
            system.close();
        }
    }

    /**
     * Starts the engine named {@code name}, one of {@link #ENGINES}.
     *
     * @throws IllegalArgumentException for any other name (the harness validates names first)
     */
    static BenchEngine start(String name) {
        return switch (name) {
            case RedisBench.BACKEND -> RedisBench.start();
            case RedisBench.REPLICATED -> RedisBench.startReplicated();
            case "zookeeper" -> startZooKeeper();
            default -> throw new IllegalArgumentException("no engine " + name);
        };
    }

    /** Starts the ZooKeeper engine (a child JVM; see {@link ZooKeeperBench}). */
    static BenchEngine startZooKeeper() {
        ZooKeeperBench zk = ZooKeeperBench.start();
        return new BenchEngine() {
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
        };
    }
}
