package dev.baton.bench.redis;

import dev.baton.bench.LockSystem;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.time.Instant;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.provider.redis.spring.RedisLockProvider;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * ShedLock's Redis provider ({@code RedisLockProvider} over a Lettuce connection factory). ShedLock
 * tries once and never waits (it skips a scheduled job whose lock is taken), so contended waiters
 * poll with {@link Backoff}; {@code lockAtMostFor} is 30 s and {@code lockAtLeastFor} 0, so unlock
 * deletes the key at once.
 */
public final class ShedLockRedisSystem implements LockSystem {
    private static final Duration LOCK_AT_MOST_FOR = Duration.ofSeconds(30);

    private final RedisURI uri;
    private final ClientResources resources = LettuceResources.create("shedlock-redis");

    public ShedLockRedisSystem(String uri) {
        this.uri = RedisURI.create(uri);
    }

    @Override
    public String name() {
        return "shedlock-redis";
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
        RedisLockProvider provider = new RedisLockProvider(factory, "bench");
        return new Client() {
            @Override
            public Held acquire(String key, Duration timeout) {
                SimpleLock lock =
                        Backoff.poll(
                                key,
                                timeout,
                                () ->
                                        provider.lock(
                                                        new LockConfiguration(
                                                                Instant.now(),
                                                                key,
                                                                LOCK_AT_MOST_FOR,
                                                                Duration.ZERO))
                                                .orElse(null));
                return lock == null ? null : lock::unlock;
            }

            @Override
            public void close() {
                factory.destroy();
            }
        };
    }

    @Override
    public void close() {
        resources.shutdown();
    }
}
