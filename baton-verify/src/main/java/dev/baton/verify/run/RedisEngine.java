package dev.baton.verify.run;

import dev.baton.faults.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Redis for {@code baton verify}: one {@code redis-server} ({@code redis}) or three independent
 * masters ({@code redlock}), started without persistence on free loopback ports; or the user's
 * servers with {@code --connect} (client faults only).
 */
final class RedisEngine extends ProxiedEngine {
    private final String backend;
    private final List<RedisServer> servers; // empty with --connect
    private final List<String> addresses;
    private final String path;
    private RedisServer down;

    private RedisEngine(
            String backend, List<RedisServer> servers, List<String> addresses, String path) {
        this.backend = backend;
        this.servers = servers;
        this.addresses = addresses;
        this.path = path;
    }

    /** Starts one server for {@code redis}, three for {@code redlock}. */
    static RedisEngine start(String backend) {
        int n = backend.equals("redlock") ? 3 : 1;
        List<RedisServer> servers = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                servers.add(RedisServer.start());
            }
        } catch (RuntimeException e) {
            servers.forEach(RedisServer::close);
            throw e;
        }
        return new RedisEngine(
                backend, servers, servers.stream().map(s -> "127.0.0.1:" + s.port()).toList(), "");
    }

    /** The user's servers. */
    static RedisEngine external(String backend, List<String> addresses, String path) {
        return new RedisEngine(backend, List.of(), addresses, path);
    }

    @Override
    public String backend() {
        return backend;
    }

    @Override
    public String description() {
        if (servers.isEmpty()) {
            return backend + " at " + String.join(",", addresses) + " (--connect)";
        }
        return servers.size() == 1
                ? "redis-server without persistence on " + addresses.get(0)
                : servers.size()
                        + " independent redis-server masters without persistence on "
                        + String.join(",", addresses);
    }

    @Override
    List<String> serverAddresses() {
        return addresses;
    }

    @Override
    String uriFor(List<String> proxyAddresses) {
        return backend + "://" + String.join(",", proxyAddresses) + path;
    }

    @Override
    public Optional<String> unsupported(Fault fault) {
        if (fault.onEngine() && servers.isEmpty()) {
            return Optional.of("--connect: the servers are not ours to restart");
        }
        return Optional.empty();
    }

    @Override
    public String begin(Fault fault, Random random, Duration ttl) {
        if (fault != Fault.RESTART) {
            throw new IllegalArgumentException(fault + " is not a Redis fault");
        }
        int i = random.nextInt(servers.size());
        down = servers.get(i);
        down.kill();
        return "killed redis-server " + (i + 1) + " of " + servers.size() + " (kill -9)";
    }

    @Override
    public String heal() {
        RedisServer s = down;
        down = null;
        if (s == null) {
            return "nothing to heal";
        }
        s.restart();
        return "restarted redis-server on port " + s.port() + ", empty";
    }

    @Override
    public List<String> residue(String lockName) {
        List<String> out = new ArrayList<>();
        for (String address : addresses) {
            int colon = address.lastIndexOf(':');
            RedisURI uri =
                    RedisURI.create(
                            address.substring(0, colon),
                            Integer.parseInt(address.substring(colon + 1)));
            uri.setTimeout(Duration.ofSeconds(10));
            RedisClient client = RedisClient.create(uri);
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                for (String key : c.sync().keys("*" + lockName + "*")) {
                    Long ttlMs = c.sync().pttl(key);
                    out.add(address + " " + key + " (pttl " + ttlMs + " ms)");
                }
            } catch (RuntimeException e) {
                out.add(address + ": cannot inspect: " + e.getMessage());
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
        return out;
    }

    @Override
    public void close() {
        closeProxies();
        servers.forEach(RedisServer::close);
    }
}
