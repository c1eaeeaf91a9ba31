package dev.baton.bench.redis;

import dev.baton.bench.LockSystem;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The round-trip floor of a <em>fenced</em> lock on Redis: what every lock that hands out a fencing
 * token that never goes back must at least do. Acquire is one {@code EVALSHA} that reads the name's
 * hash and the server clock and writes the holder with the token {@code max(last + 1, TIME in µs)}
 * (Baton's rule); release one {@code EVALSHA} that compares and deletes the holder's fields. Both
 * scripts are in {@code fenced_floor_*.lua} beside this class, where {@code
 * docs/bench/script-cost.sh} reads them too.
 *
 * <p>{@code redis-floor}'s plain {@code SET NX PX} cannot produce a token, so Baton's distance to
 * it mixes the price of Lua with the price of Baton's own work; its distance to this floor is
 * Baton's own work alone: the queue, the key's expiry, the watch events, the lease. No queue here,
 * no renewal, no expiry of the key (the counter must outlive the holder): contended waiters poll
 * ({@link Backoff}) like {@code redis-floor}'s.
 */
public final class RedisFencedFloorSystem implements LockSystem {
    static final String NAME = "redis-fenced-floor";
    private static final String ACQUIRE = script("fenced_floor_acquire.lua");
    private static final String RELEASE = script("fenced_floor_release.lua");
    private static final String TTL_MILLIS = Long.toString(TimeUnit.SECONDS.toMillis(30));

    private final RedisURI uri;
    private final ClientResources resources = LettuceResources.create(NAME);

    public RedisFencedFloorSystem(String uri) {
        this.uri = RedisURI.create(uri);
    }

    @Override
    public String name() {
        return NAME;
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
        String acquireSha = redis.scriptLoad(ACQUIRE);
        String releaseSha = redis.scriptLoad(RELEASE);
        String prefix = UUID.randomUUID() + ":";
        AtomicLong grants = new AtomicLong();
        return new Client() {
            @Override
            public Grant acquire(String key, Duration timeout) {
                String holder = prefix + grants.incrementAndGet();
                String[] keys = {"fenced-floor:" + key};
                return Backoff.poll(
                        key,
                        timeout,
                        () -> {
                            long token =
                                    redis.evalsha(
                                            acquireSha,
                                            ScriptOutputType.INTEGER,
                                            keys,
                                            holder,
                                            TTL_MILLIS);
                            if (token == 0) {
                                return null;
                            }
                            return new Grant(
                                    token,
                                    () ->
                                            redis.evalsha(
                                                    releaseSha,
                                                    ScriptOutputType.INTEGER,
                                                    keys,
                                                    holder));
                        });
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

    /** A grant and its fencing token (the harness ignores the token; the test checks it). */
    record Grant(long token, Runnable releaser) implements Held {
        @Override
        public void release() {
            releaser.run();
        }
    }

    private static String script(String resource) {
        try (InputStream in = RedisFencedFloorSystem.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
