package dev.baton.bench.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

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
public final class RedisFencedFloorSystem extends FloorSystem {
    static final String NAME = "redis-fenced-floor";
    private static final String ACQUIRE = script("fenced_floor_acquire.lua");
    private static final String RELEASE = script("fenced_floor_release.lua");
    private static final String TTL_MILLIS = Long.toString(TimeUnit.SECONDS.toMillis(30));

    public RedisFencedFloorSystem(String uri) {
        super(NAME, uri);
    }

    @Override
    Attempt attempt(RedisCommands<String, String> redis) {
        String acquireSha = redis.scriptLoad(ACQUIRE);
        String releaseSha = redis.scriptLoad(RELEASE);
        return (key, holder) -> {
            String[] keys = {"fenced-floor:" + key};
            long token =
                    redis.evalsha(acquireSha, ScriptOutputType.INTEGER, keys, holder, TTL_MILLIS);
            if (token == 0) {
                return null;
            }
            return new Grant(
                    token, () -> redis.evalsha(releaseSha, ScriptOutputType.INTEGER, keys, holder));
        };
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
