package dev.baton.bench.redis;

import dev.baton.bench.LockSystem;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The round-trip floor on Redis: acquire is one {@code SET key token NX PX ttl}, release one {@code
 * EVALSHA} of a compare-and-delete script, both on the client's single Lettuce connection
 * (thread-safe: concurrent callers pipeline on it). No queue, no fencing, no renewal: the cheapest
 * lock that is still correct while the holder is fast. Contended waiters poll ({@link Backoff}).
 */
public final class RedisFloorSystem implements LockSystem {
    private static final String COMPARE_AND_DELETE =
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1])"
                    + " else return 0 end";
    private static final long TTL_MILLIS = TimeUnit.SECONDS.toMillis(30);

    private final RedisURI uri;
    private final ClientResources resources = LettuceResources.create("redis-floor");

    public RedisFloorSystem(String uri) {
        this.uri = RedisURI.create(uri);
    }

    @Override
    public String name() {
        return "redis-floor";
    }

    @Override
    public String backend() {
        return "redis";
    }

    @Override
    public Client client() {
        RedisClient client = RedisClient.create(resources, uri);
        StatefulRedisConnection<String, String> conn = client.connect();
        RedisCommands<String, String> redis = conn.sync();
        String sha = redis.scriptLoad(COMPARE_AND_DELETE);
        String prefix = UUID.randomUUID() + ":";
        AtomicLong grants = new AtomicLong();
        SetArgs nxPx = SetArgs.Builder.nx().px(TTL_MILLIS);
        return new Client() {
            @Override
            public Held acquire(String key, Duration timeout) {
                String token = prefix + grants.incrementAndGet();
                String k = "floor:" + key;
                Boolean got =
                        Backoff.poll(
                                key,
                                timeout,
                                () -> "OK".equals(redis.set(k, token, nxPx)) ? true : null);
                if (got == null) {
                    return null;
                }
                return () -> redis.evalsha(sha, ScriptOutputType.INTEGER, new String[] {k}, token);
            }

            @Override
            public void close() {
                conn.close();
                client.shutdown();
            }
        };
    }

    @Override
    public void close() {
        resources.shutdown();
    }
}
