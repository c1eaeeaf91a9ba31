package dev.baton.redis;

import dev.baton.LeaseKind;
import dev.baton.LockSnapshot;
import dev.baton.Names;
import io.lettuce.core.ScriptOutputType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Read-only views of the locks of one namespace, for {@code baton locks} and tests. {@link
 * #inspect} is one {@code inspect.lua} over the twenty keys of a name (E, Q, W, H of each of the
 * five families, one hash tag): the live holders and the count of live waiters, as the server's
 * clock has them now. {@link #locks} finds names by SCANning the namespace for state ({@code :E})
 * keys, which outlive the others, then inspects each; names whose state expired meanwhile are left
 * out. Nothing here changes state.
 *
 * <p>Threads: every method blocks its caller, each command bounded by the lease TTL ({@link
 * RedisConnection#await}); no state here.
 */
final class RedisInspection {
    private final RedisConnection connection;

    RedisInspection(RedisConnection connection) {
        this.connection = connection;
    }

    Optional<LockSnapshot> inspect(String name) {
        byte[][] keys = new byte[Keys.FAMILIES.length * 4][];
        byte[][] families = new byte[Keys.FAMILIES.length][];
        for (int f = 0; f < Keys.FAMILIES.length; f++) {
            byte[][] k = Keys.lock(connection.namespace, Keys.FAMILIES[f], name);
            System.arraycopy(k, 0, keys, f * 4, 4);
            families[f] = RedisCodec.kind(Keys.FAMILIES[f]);
        }
        List<Object> reply =
                connection.await(
                        connection.scripts.inspect.<List<Object>>run(
                                connection.redis, ScriptOutputType.MULTI, keys, families),
                        "inspect \"" + name + "\"");
        int waiters = Integer.parseInt(RedisCodec.str(reply.get(0)));
        List<String> holders = new ArrayList<>();
        for (int i = 1; i < reply.size(); i++) {
            holders.add(RedisCodec.str(reply.get(i)));
        }
        if (holders.isEmpty() && waiters == 0) {
            return Optional.empty();
        }
        return Optional.of(RedisCodec.snapshot(name, holders, waiters));
    }

    List<LockSnapshot> locks(String prefix) {
        String namespace = connection.namespace;
        Set<String> names = new TreeSet<>();
        for (String key : connection.scan(Keys.PREFIX + RedisCodec.glob(namespace) + "/*")) {
            // E outlives every other key of its family (lock_common.lua).
            for (LeaseKind f : Keys.FAMILIES) {
                String n = Keys.nameOf(namespace, key, ":" + f + ":E");
                if (n != null && Names.isUnder(n, prefix)) {
                    names.add(n);
                }
            }
        }
        List<LockSnapshot> out = new ArrayList<>();
        for (String n : names) {
            inspect(n).ifPresent(out::add);
        }
        return out;
    }
}
