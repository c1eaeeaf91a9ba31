package dev.baton.bench.redis;

import dev.baton.bench.LockSystem;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.redisson.Redisson;
import org.redisson.api.RFencedLock;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Redisson's locks: {@code redisson-rlock} ({@code getLock}), {@code redisson-fairlock} ({@code
 * getFairLock}) and {@code redisson-fencedlock} ({@code getFencedLock}, which Redisson 3.52 has:
 * the token comes from {@code tryLockAndGetToken}). Defaults as a user gets them: lock watchdog
 * renewal, pub/sub wake-up of waiters, and the default connection pool (24 idle connections per
 * client, up to 64).
 */
public final class RedissonSystem implements LockSystem {
    /** Which Redisson lock object a key maps to. */
    private enum Kind {
        RLOCK("redisson-rlock", RedissonClient::getLock),
        FAIRLOCK("redisson-fairlock", RedissonClient::getFairLock),
        FENCEDLOCK("redisson-fencedlock", RedissonClient::getFencedLock);

        final String system;
        final BiFunction<RedissonClient, String, RLock> lock;

        Kind(String system, BiFunction<RedissonClient, String, RLock> lock) {
            this.system = system;
            this.lock = lock;
        }
    }

    private final String address;
    private final Kind kind;

    private RedissonSystem(String uri, Kind kind) {
        this.address = uri;
        this.kind = kind;
    }

    public static RedissonSystem rlock(String uri) {
        return new RedissonSystem(uri, Kind.RLOCK);
    }

    public static RedissonSystem fairLock(String uri) {
        return new RedissonSystem(uri, Kind.FAIRLOCK);
    }

    public static RedissonSystem fencedLock(String uri) {
        return new RedissonSystem(uri, Kind.FENCEDLOCK);
    }

    @Override
    public String name() {
        return kind.system;
    }

    @Override
    public String backend() {
        return "redis";
    }

    @Override
    public Client client() {
        Config config = new Config();
        // Redisson's default pool (24 idle connections, up to 64). The pool used to be shrunk to 4
        // idle connections to start quicker, but a command holds a connection until its reply,
        // so a round with more commands in flight had to open connections while measured (and
        // closed them again after 10 s idle), a cost no other system pays: users keep defaults.
        config.useSingleServer().setAddress(address);
        RedissonClient redisson = Redisson.create(config);
        String prefix = "redisson-" + kind.name().toLowerCase() + ":";
        return new Client() {
            @Override
            public Held acquire(String key, Duration timeout) throws InterruptedException {
                RLock lock = kind.lock.apply(redisson, prefix + key);
                boolean got;
                if (lock instanceof RFencedLock) {
                    got =
                            ((RFencedLock) lock)
                                            .tryLockAndGetToken(
                                                    timeout.toMillis(), TimeUnit.MILLISECONDS)
                                    != null;
                } else {
                    got = lock.tryLock(timeout.toMillis(), TimeUnit.MILLISECONDS);
                }
                return got ? lock::unlock : null;
            }

            @Override
            public void close() {
                redisson.shutdown();
            }
        };
    }
}
