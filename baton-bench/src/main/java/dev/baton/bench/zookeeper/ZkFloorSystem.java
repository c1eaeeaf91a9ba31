package dev.baton.bench.zookeeper;

import dev.baton.bench.LockSystem;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * {@code zk-floor}: the cheapest correct ZooKeeper lock, on the plain ZooKeeper client. Acquire
 * creates an EPHEMERAL node named after the key; release deletes it: two requests per uncontended
 * cycle. A contender that finds the node sets an exists-watch and, when the node is deleted, races
 * the others to create it again (no queue, so no fairness and a herd on every release; no fencing
 * token; a holder whose session expired deletes by name, not by owner). It is the floor the
 * libraries are measured against, not a lock to use.
 */
public final class ZkFloorSystem implements LockSystem {
    private static final String PARENT = ZkClients.ROOT + "/zk-floor";
    private static final byte[] EMPTY = new byte[0];

    private final String connectString;

    /**
     * @param connectString {@code host:port} of the ZooKeeper server
     */
    public ZkFloorSystem(String connectString) {
        this.connectString = connectString;
    }

    @Override
    public String name() {
        return "zk-floor";
    }

    @Override
    public String backend() {
        return "zookeeper";
    }

    @Override
    public Client client() throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk =
                new ZooKeeper(
                        connectString,
                        ZkClients.SESSION_TIMEOUT_MS,
                        event -> {
                            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                                connected.countDown();
                            }
                        });
        try {
            if (!connected.await(ZkClients.CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(
                        "zk-floor: no ZooKeeper session at "
                                + connectString
                                + " within "
                                + ZkClients.CONNECT_TIMEOUT_MS
                                + " ms");
            }
            createPersistent(zk, ZkClients.ROOT);
            createPersistent(zk, PARENT);
            return new FloorClient(zk);
        } catch (Exception | Error e) {
            zk.close();
            throw e;
        }
    }

    private static void createPersistent(ZooKeeper zk, String path)
            throws KeeperException, InterruptedException {
        try {
            zk.create(path, EMPTY, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        } catch (KeeperException.NodeExistsException e) {
            // another client made it first
        }
    }

    /**
     * One session. Thread-safe: the ZooKeeper handle is, and every acquire keeps its own latch, so
     * threads of one client contend through the engine exactly as threads of different clients do.
     */
    private static final class FloorClient implements Client {
        private final ZooKeeper zk;

        FloorClient(ZooKeeper zk) {
            this.zk = zk;
        }

        @Override
        public Held acquire(String key, Duration timeout)
                throws KeeperException, InterruptedException {
            String path = PARENT + "/" + ZkClients.key(key);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                try {
                    zk.create(path, EMPTY, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
                    return () -> zk.delete(path, -1);
                } catch (KeeperException.NodeExistsException e) {
                    // held: wait for its deletion below
                }
                // Any event on the watch (deletion, or a connection change) means: try again. A
                // watch left behind by a timed-out attempt only counts down a latch nobody awaits.
                CountDownLatch changed = new CountDownLatch(1);
                if (zk.exists(path, event -> changed.countDown()) == null) {
                    continue; // released between our create and the exists
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !changed.await(left, TimeUnit.NANOSECONDS)) {
                    return null;
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            zk.close();
        }
    }
}
