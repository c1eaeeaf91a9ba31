package dev.baton.bench.redis;

import dev.baton.bench.LockSystem;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the Redis floors share: each client instance is one Lettuce connection on the system's own
 * event loops (thread-safe: concurrent callers pipeline on it), each acquire gets a holder id
 * unique to its client, and an attempt that finds the name taken is repeated with {@link Backoff}.
 * A floor supplies only its attempt: the commands of one try and of the release.
 */
abstract class FloorSystem implements LockSystem {
    private final String name;
    private final RedisURI uri;
    private final ClientResources resources;

    FloorSystem(String name, String uri) {
        this.name = name;
        this.uri = RedisURI.create(uri);
        this.resources = LettuceResources.create(name);
    }

    /** One try to take {@code key} for {@code holder}: the grant, or null if the name is taken. */
    interface Attempt {
        Held tryAcquire(String key, String holder);
    }

    /** A new client's attempt, on its connection {@code redis} (load scripts here). */
    abstract Attempt attempt(RedisCommands<String, String> redis);

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String backend() {
        return "redis";
    }

    @Override
    public final Client client() {
        RedisClient client = RedisClient.create(resources, uri);
        StatefulRedisConnection<String, String> conn = client.connect();
        Attempt attempt = attempt(conn.sync());
        String prefix = UUID.randomUUID() + ":";
        AtomicLong grants = new AtomicLong();
        return new Client() {
            @Override
            public Held acquire(String key, Duration timeout) {
                String holder = prefix + grants.incrementAndGet();
                return Backoff.poll(key, timeout, () -> attempt.tryAcquire(key, holder));
            }

            @Override
            public void close() {
                conn.close();
                client.shutdown();
            }
        };
    }

    @Override
    public final void close() {
        resources.shutdown();
    }
}
