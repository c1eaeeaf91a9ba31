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
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A redis-server child process on a free loopback port (baton-faults' {@link RedisServer}: the
 * {@code redis-server} on the PATH, else the bundled one), alone (backend {@code redis}) or as the
 * master of a second one that replicates it (backend {@code redis-replicated}: every write the
 * master takes it also streams to the replica, as a production master does). Every system runs
 * against the master. Two counts: {@link #counter()} over {@code INFO commandstats} (the sum of
 * {@code calls=} over every command but the harness's own {@code info} and {@code echo} and the
 * replica's {@code replconf} acknowledgements: engine work, script-internal calls included) and
 * {@link #openCommandCount()} over {@code MONITOR} (commands clients sent).
 *
 * <p>Threads: the harness's driving thread reads the counters; the Lettuce connections are
 * thread-safe and owned by this engine until {@link #close()}.
 */
public final class RedisBench implements BenchEngine {
    /** The {@code backend} column of the plain server. */
    public static final String BACKEND = "redis";

    /** The {@code backend} column of the master with one replica. */
    public static final String REPLICATED = "redis-replicated";

    /** A full sync of a nearly empty master takes well under a second on loopback. */
    private static final Duration LINK_TIMEOUT = Duration.ofSeconds(30);

    private final RedisServer server;
    private final RedisServer replica; // null for the plain server
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> conn;
    private final RedisClient replicaClient; // null for the plain server
    private final StatefulRedisConnection<String, String> replicaConn; // null likewise

    private RedisBench(RedisServer server, RedisServer replica) {
        this.server = server;
        this.replica = replica;
        this.resources = LettuceResources.create("bench-counter");
        this.client = RedisClient.create(resources, RedisURI.create(server.uri()));
        this.conn = client.connect();
        if (replica == null) {
            this.replicaClient = null;
            this.replicaConn = null;
        } else {
            this.replicaClient = RedisClient.create(resources, RedisURI.create(replica.uri()));
            this.replicaConn = replicaClient.connect();
        }
    }

    /** Starts a server; close the engine to stop it. */
    public static RedisBench start() {
        RedisServer server = RedisServer.start();
        try {
            return new RedisBench(server, null);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * Starts a master and a second server that replicates it ({@code REPLICAOF}), and returns once
     * the replica reports {@code master_link_status:up} (the initial sync is done); close the
     * engine to stop both.
     *
     * @throws IllegalStateException if the link is not up within 30 s
     */
    public static RedisBench startReplicated() {
        RedisServer master = RedisServer.start();
        RedisServer replica = null;
        RedisBench engine = null;
        try {
            replica = RedisServer.start();
            engine = new RedisBench(master, replica);
            engine.replicaConn.sync().replicaof("127.0.0.1", master.port());
            engine.awaitLinkUp();
            return engine;
        } catch (RuntimeException e) {
            if (engine != null) {
                engine.close();
            } else {
                master.close();
                if (replica != null) {
                    replica.close();
                }
            }
            throw e;
        }
    }

    /** Polls the replica's {@code INFO replication} until the link is up. */
    private void awaitLinkUp() {
        long deadline = System.nanoTime() + LINK_TIMEOUT.toNanos();
        while (!replicaLinkUp()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(
                        "the replica at "
                                + replica.uri()
                                + " did not report master_link_status:up within "
                                + LINK_TIMEOUT
                                + ": "
                                + replicaConn.sync().info("replication"));
            }
            try {
                Thread.sleep(20); // polling a child process, nothing to be notified by
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the replica", e);
            }
        }
    }

    /**
     * Whether this engine has a replica and the replica reports {@code master_link_status:up}: it
     * is connected to the master and done with the initial sync.
     */
    public boolean replicaLinkUp() {
        return replicaConn != null && linkUp(replicaConn.sync().info("replication"));
    }

    /** Whether an {@code INFO replication} text has {@code master_link_status:up}. */
    static boolean linkUp(String info) {
        for (String line : info.split("\r?\n")) {
            if (line.trim().equals("master_link_status:up")) {
                return true;
            }
        }
        return false;
    }

    /** The master's URI: what every system connects to. */
    public String masterUri() {
        return server.uri();
    }

    /** The replica's URI, if this engine has one. */
    public Optional<String> replicaUri() {
        return Optional.ofNullable(replica).map(RedisServer::uri);
    }

    @Override
    public String backend() {
        return replica == null ? BACKEND : REPLICATED;
    }

    @Override
    public String describe() {
        return replica == null
                ? "redis-server at " + server.uri()
                : "redis-server master at "
                        + server.uri()
                        + ", replica at "
                        + replica.uri()
                        + " (link up)";
    }

    @Override
    public boolean countsOnItsOwn() {
        // The replica changes no client command and no engine call of the master's clients: the
        // counts of the plain server stand for this one too.
        return replica == null;
    }

    @Override
    public String batonUri() {
        return server.uri();
    }

    @Override
    public EngineCounter counter() {
        return () -> sumCalls(conn.sync().info("commandstats"));
    }

    /** The master's CPU time. */
    @Override
    public Optional<EngineCounter> cpuMicros() {
        return Optional.of(() -> cpuMicros(conn.sync().info("cpu")));
    }

    /** The replica's CPU time, when there is one. */
    @Override
    public Optional<EngineCounter> replicaCpuMicros() {
        if (replicaConn == null) {
            return Optional.empty();
        }
        return Optional.of(() -> cpuMicros(replicaConn.sync().info("cpu")));
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

    /**
     * Sums {@code calls=} of the {@code cmdstat_<name>:calls=N,...} lines but info and echo (the
     * harness's) and replconf (a replica acknowledges its offset once a second).
     */
    static long sumCalls(String commandstats) {
        String field = "calls=";
        long sum = 0;
        for (String line : commandstats.split("\r?\n")) {
            if (!line.startsWith("cmdstat_")
                    || line.startsWith("cmdstat_info:")
                    || line.startsWith("cmdstat_echo:")
                    || line.startsWith("cmdstat_replconf:")) {
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
        return Systems.redis(server.uri(), backend());
    }

    @Override
    public void close() {
        try {
            conn.close();
            client.shutdown();
            if (replicaClient != null) {
                replicaConn.close();
                replicaClient.shutdown();
            }
            resources.shutdown();
        } finally {
            try {
                if (replica != null) {
                    replica.close();
                }
            } finally {
                server.close();
            }
        }
    }
}
