package dev.baton.zookeeper;

import dev.baton.Baton;
import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.ZooKeeper;

/** Helpers for looking at the engine from tests: a raw Curator client, a Baton's backend. */
final class ZkTests {
    private ZkTests() {}

    /** A plain Curator client for reading engine state; the caller closes it. */
    static CuratorFramework rawClient(String connectString) {
        CuratorFramework c =
                CuratorFrameworkFactory.builder()
                        .connectString(connectString)
                        .sessionTimeoutMs(10_000)
                        .connectionTimeoutMs(10_000)
                        .retryPolicy(new RetryOneTime(100))
                        .build();
        c.start();
        try {
            if (!c.blockUntilConnected(30, TimeUnit.SECONDS)) {
                c.close();
                throw new IllegalStateException("raw client cannot reach " + connectString);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            c.close();
            throw new IllegalStateException(e);
        }
        return c;
    }

    /** The ZooKeeper backend behind a Baton client (the core keeps it package-private). */
    static ZooKeeperBackend backendOf(Baton baton) {
        try {
            Method m = baton.getClass().getDeclaredMethod("backend");
            m.setAccessible(true);
            return (ZooKeeperBackend) m.invoke(baton);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach the backend of " + baton, e);
        }
    }

    /** The shared ZooKeeper plumbing behind a Baton client: its Curator client, layout, servers. */
    static ZooKeeperClient clientOf(Baton baton) {
        return backendOf(baton).zk();
    }

    /** The live ZooKeeper handle of a Baton client. */
    static ZooKeeper zooKeeperOf(Baton baton) {
        try {
            return clientOf(baton).curator().getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
