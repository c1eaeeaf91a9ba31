package dev.baton.bench.redis;

import dev.baton.bench.LockSystem;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;

/**
 * Spring Integration's {@link RedisLockRegistry} over a Lettuce connection factory (one shared
 * native connection per client, Spring's default), in {@code PUB_SUB_LOCK} mode ({@code
 * si-redis-pubsub}: waiters wake on an unlock message) or {@code SPIN_LOCK} mode ({@code
 * si-redis-spin}: waiters retry every {@code idleBetweenTries}, 100 ms by default, kept). Threads
 * of one client first queue on the registry's local {@code ReentrantLock} for the key, so only one
 * thread per client talks to Redis for a contended key.
 *
 * <p>One registry per client, shared by its threads, unlike {@code si-zookeeper}'s registry per
 * thread: the local lock wakes one thread per release (no {@code notifyAll} over every waiter), it
 * is how the registry is meant to serve the threads of one JVM ("an internal lock registry to
 * improve latency when threads are using the same registry instance"), and a registry per thread
 * would open a pub/sub listener container per thread.
 */
public final class SpringRedisSystem implements LockSystem {
    private final RedisURI uri;
    private final RedisLockType type;
    private final String name;
    private final ClientResources resources;

    private SpringRedisSystem(String uri, RedisLockType type, String name) {
        this.uri = RedisURI.create(uri);
        this.type = type;
        this.name = name;
        this.resources = LettuceResources.create(name);
    }

    public static SpringRedisSystem pubSub(String uri) {
        return new SpringRedisSystem(uri, RedisLockType.PUB_SUB_LOCK, "si-redis-pubsub");
    }

    public static SpringRedisSystem spin(String uri) {
        return new SpringRedisSystem(uri, RedisLockType.SPIN_LOCK, "si-redis-spin");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String backend() {
        return "redis";
    }

    @Override
    public Client client() {
        LettuceConnectionFactory factory =
                new LettuceConnectionFactory(
                        new RedisStandaloneConfiguration(uri.getHost(), uri.getPort()),
                        LettuceClientConfiguration.builder().clientResources(resources).build());
        factory.afterPropertiesSet();
        factory.start();
        RedisLockRegistry registry = new RedisLockRegistry(factory, name);
        registry.setRedisLockType(type);
        return new Client() {
            @Override
            public Held acquire(String key, Duration timeout) throws InterruptedException {
                Lock lock = registry.obtain(key);
                return lock.tryLock(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        ? lock::unlock
                        : null;
            }

            @Override
            public void close() {
                registry.destroy();
                factory.destroy();
            }
        };
    }

    @Override
    public void close() {
        resources.shutdown();
    }
}
