package dev.baton.redis;

import dev.baton.faults.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;

/**
 * A redis-server of one test class with two raw connections: bytes for running the scripts
 * directly, text for reading the keys they leave. For tests below the backend, at the level of keys
 * and scripts.
 */
final class RawRedis implements AutoCloseable {
    final RedisServer server;
    final RedisClient client;
    final RedisAsyncCommands<byte[], byte[]> redis;
    final RedisCommands<String, String> raw;

    private RawRedis(RedisServer server, RedisClient client) {
        this.server = server;
        this.client = client;
        this.redis = client.connect(ByteArrayCodec.INSTANCE).async();
        this.raw = client.connect(StringCodec.UTF8).sync();
    }

    static RawRedis start() {
        RedisServer server = RedisServer.start();
        try {
            return new RawRedis(server, RedisClient.create(server.uri()));
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            client.shutdown(); // closes both connections
        } finally {
            server.close();
        }
    }
}
