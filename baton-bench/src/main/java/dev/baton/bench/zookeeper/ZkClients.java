package dev.baton.bench.zookeeper;

import dev.baton.InvalidArgumentException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/** What the ZooKeeper systems share: client sessions made alike, and lock keys checked alike. */
final class ZkClients {
    /** Session timeout of every peer's session; Baton's is its lease TTL (5 s by default). */
    static final int SESSION_TIMEOUT_MS = 10_000;

    static final int CONNECT_TIMEOUT_MS = 10_000;

    /** Parent of every peer's lock nodes; Baton uses its own namespace ({@code /baton}). */
    static final String ROOT = "/bench";

    /**
     * One path segment, as Baton accepts it in a name: every system then maps a key to one znode
     * the same way, without escaping that would cost some systems and not others.
     */
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");

    private ZkClients() {}

    /**
     * Checks a lock key.
     *
     * @throws InvalidArgumentException unless it is one segment of letters, digits, '.', '_', '-'
     *     not starting with '.'
     */
    static String key(String key) {
        if (key == null || key.length() > 200 || !KEY.matcher(key).matches()) {
            throw InvalidArgumentException.mustBe(
                    "key", "1 to 200 characters of A-Z a-z 0-9 . _ - (not starting with '.')", key);
        }
        return key;
    }

    /**
     * A started Curator client (its own ZooKeeper session) with the settings every peer gets,
     * connected or closed again.
     *
     * @throws IllegalStateException if no session within {@link #CONNECT_TIMEOUT_MS}
     */
    static CuratorFramework curator(String connectString, String system)
            throws InterruptedException {
        CuratorFramework client =
                CuratorFrameworkFactory.builder()
                        .connectString(connectString)
                        .sessionTimeoutMs(SESSION_TIMEOUT_MS)
                        .connectionTimeoutMs(CONNECT_TIMEOUT_MS)
                        .retryPolicy(new ExponentialBackoffRetry(100, 3))
                        .ensembleTracker(false)
                        .threadFactory(daemonThreads("bench-" + system))
                        .build();
        boolean connected = false;
        try {
            client.start();
            connected = client.blockUntilConnected(CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (!connected) {
                throw new IllegalStateException(
                        system
                                + ": no ZooKeeper session at "
                                + connectString
                                + " within "
                                + CONNECT_TIMEOUT_MS
                                + " ms");
            }
            return client;
        } finally {
            if (!connected) {
                client.close();
            }
        }
    }

    /** Daemon threads, so that a client the harness forgets does not keep the JVM alive. */
    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
