package dev.baton.bench.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.concurrent.TimeUnit;

/**
 * The round-trip floor on Redis: acquire is one {@code SET key token NX PX ttl}, release one {@code
 * EVALSHA} of a compare-and-delete script, both on the client's single Lettuce connection. No
 * queue, no fencing, no renewal: the cheapest lock that is still correct while the holder is fast.
 * Contended waiters poll ({@link Backoff}).
 */
public final class RedisFloorSystem extends FloorSystem {
    private static final String COMPARE_AND_DELETE =
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1])"
                    + " else return 0 end";
    private static final long TTL_MILLIS = TimeUnit.SECONDS.toMillis(30);

    public RedisFloorSystem(String uri) {
        super("redis-floor", uri);
    }

    @Override
    Attempt attempt(RedisCommands<String, String> redis) {
        String sha = redis.scriptLoad(COMPARE_AND_DELETE);
        SetArgs nxPx = SetArgs.Builder.nx().px(TTL_MILLIS);
        return (key, holder) -> {
            String k = "floor:" + key;
            if (!"OK".equals(redis.set(k, holder, nxPx))) {
                return null;
            }
            return () -> redis.evalsha(sha, ScriptOutputType.INTEGER, new String[] {k}, holder);
        };
    }
}
