package dev.baton.redis;

import dev.baton.Names;
import dev.baton.Versioned;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Versioned keys of one client: each key is one hash {@code baton:{<ns>/<key>}:kv} with fields
 * {@code v} (the value) and {@code ver} (its version). Writes are one script each ({@code
 * kv_write.lua}, {@code kv_delete.lua}) that also publishes the change on the namespace's event
 * channel, which {@link RedisWatch} decodes. A version is {@code max(last + 1, TIME in µs)}, so
 * versions rise across deletes and restarts: a deleted key keeps its version in a tombstone (a hash
 * with {@code ver} only) just while that version is ahead of the server clock, and reads as absent.
 * Reads are one HMGET; {@link #keys} scans the namespace and counts a key only while it has a
 * value.
 *
 * <p>Threads: every method blocks its caller, each command bounded by the lease TTL ({@link
 * RedisConnection#await}); no state here.
 */
final class RedisKeyValue {
    private final RedisConnection connection;

    RedisKeyValue(RedisConnection connection) {
        this.connection = connection;
    }

    Optional<Versioned> get(String key) {
        List<KeyValue<byte[], byte[]>> fields =
                connection.await(
                        connection.redis.hmget(
                                valueKey(key), RedisCodec.bytes("v"), RedisCodec.bytes("ver")),
                        "get \"" + key + "\"");
        if (!fields.get(0).hasValue()) {
            return Optional.empty();
        }
        return Optional.of(
                new Versioned(
                        key,
                        fields.get(0).getValue(),
                        Long.parseLong(RedisCodec.str(fields.get(1).getValue()))));
    }

    Versioned put(String key, byte[] value) {
        long version = write("put", key, 0, value);
        return new Versioned(key, value, version);
    }

    Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
        long version = write("cas", key, expectedVersion, value);
        return version == 0 ? Optional.empty() : Optional.of(new Versioned(key, value, version));
    }

    /** One {@code kv_write.lua}: the new version, or 0 if a compare-and-set found another. */
    private long write(String mode, String key, long expected, byte[] value) {
        return connection.await(
                connection.scripts.kvWrite.<Long>run(
                        connection.redis,
                        ScriptOutputType.INTEGER,
                        new byte[][] {valueKey(key), connection.watchMark},
                        RedisCodec.bytes(mode),
                        RedisCodec.bytes(String.valueOf(expected)),
                        value,
                        connection.eventChannel,
                        RedisCodec.bytes(key)),
                mode + " \"" + key + "\"");
    }

    boolean delete(String key, long expectedVersion) {
        long r =
                connection.await(
                        connection.scripts.kvDelete.<Long>run(
                                connection.redis,
                                ScriptOutputType.INTEGER,
                                new byte[][] {valueKey(key), connection.watchMark},
                                RedisCodec.bytes(String.valueOf(expectedVersion)),
                                connection.eventChannel,
                                RedisCodec.bytes(key)),
                        "delete \"" + key + "\"");
        return r == 1;
    }

    List<String> keys(String prefix) {
        List<String> out = new ArrayList<>();
        String pattern = Keys.PREFIX + RedisCodec.glob(connection.namespace) + "/*}:kv";
        for (String k : connection.scan(pattern)) {
            String key = Keys.nameOf(connection.namespace, k, ":kv");
            if (key != null
                    && Names.isUnder(key, prefix)
                    && connection.await(
                            connection.redis.hexists(RedisCodec.bytes(k), RedisCodec.bytes("v")),
                            "keys")) {
                out.add(key);
            }
        }
        out.sort(null);
        return out;
    }

    private byte[] valueKey(String key) {
        return RedisCodec.bytes(Keys.value(connection.namespace, key));
    }
}
