package dev.baton.bench.redis;

import dev.baton.bench.BenchEngine;
import dev.baton.bench.EngineCounter;
import dev.baton.bench.LockSystem;
import dev.baton.bench.Systems;
import dev.baton.faults.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A redis-server child process on a free loopback port (baton-faults' {@link RedisServer}: the
 * {@code redis-server} on the PATH, else the bundled one). Two counts: {@link #counter()} over
 * {@code INFO commandstats} (the sum of {@code calls=} over every command but the harness's own
 * {@code info} and {@code echo}: engine work, script-internal calls included) and {@link
 * #openCommandCount()} over {@code MONITOR} (commands clients sent).
 */
public final class RedisBench implements BenchEngine {
    private final RedisServer server;
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> conn;

    private RedisBench(RedisServer server) {
        this.server = server;
        this.resources = LettuceResources.create("bench-counter");
        this.client = RedisClient.create(resources, RedisURI.create(server.uri()));
        this.conn = client.connect();
    }

    /** Starts a server; close the engine to stop it. */
    public static RedisBench start() {
        RedisServer server = RedisServer.start();
        try {
            return new RedisBench(server);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    @Override
    public String backend() {
        return "redis";
    }

    @Override
    public String batonUri() {
        return server.uri();
    }

    @Override
    public EngineCounter counter() {
        return () -> sumCalls(conn.sync().info("commandstats"));
    }

    @Override
    public Optional<EngineCounter> cpuMicros() {
        return Optional.of(() -> cpuMicros(conn.sync().info("cpu")));
    }

    /** {@code used_cpu_sys} + {@code used_cpu_user} (seconds, six decimals) in microseconds. */
    static long cpuMicros(String info) {
        double seconds = 0;
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
                seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return Math.round(seconds * 1e6);
    }

    /** Sums {@code calls=} of the {@code cmdstat_<name>:calls=N,...} lines but info and echo. */
    static long sumCalls(String commandstats) {
        String field = "calls=";
        long sum = 0;
        for (String line : commandstats.split("\r?\n")) {
            if (!line.startsWith("cmdstat_")
                    || line.startsWith("cmdstat_info:")
                    || line.startsWith("cmdstat_echo:")) {
                continue;
            }
            int at = line.indexOf(field);
            if (at < 0) {
                continue;
            }
            int end = line.indexOf(',', at);
            sum +=
                    Long.parseLong(
                            line.substring(at + field.length(), end < 0 ? line.length() : end));
        }
        return sum;
    }

    /** Client commands via {@code MONITOR}; see {@link MonitorCounter}. */
    @Override
    public CommandCount openCommandCount() throws IOException {
        return new MonitorCounter("127.0.0.1", server.port());
    }

    @Override
    public List<LockSystem> systems() {
        return Systems.redis(server.uri());
    }

    @Override
    public void close() {
        try {
            conn.close();
            client.shutdown();
            resources.shutdown();
        } finally {
            server.close();
        }
    }
}
