package dev.baton.bench.zookeeper;

import dev.baton.bench.LockSystem;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import org.apache.curator.framework.CuratorFramework;
import org.springframework.integration.zookeeper.lock.ZookeeperLockRegistry;

/**
 * {@code si-zookeeper}: Spring Integration's {@link ZookeeperLockRegistry} over its own Curator
 * client, as shipped (default task executor). Each lock is an {@code InterProcessMutex}; {@code
 * tryLock(timeout)} first checks the connection with a {@code checkExists("/")} on the registry's
 * executor, so it costs one more request and a thread hop per acquire. No fencing token.
 */
public final class SpringZooKeeperSystem implements LockSystem {
    private final String connectString;

    /**
     * @param connectString {@code host:port} of the ZooKeeper server
     */
    public SpringZooKeeperSystem(String connectString) {
        this.connectString = connectString;
    }

    @Override
    public String name() {
        return "si-zookeeper";
    }

    @Override
    public String backend() {
        return "zookeeper";
    }

    @Override
    public Client client() throws InterruptedException {
        return new SpringClient(ZkClients.curator(connectString, name()));
    }

    private static final class SpringClient implements Client {
        private final CuratorFramework curator;
        private final ZookeeperLockRegistry registry;

        SpringClient(CuratorFramework curator) {
            this.curator = curator;
            this.registry = new ZookeeperLockRegistry(curator, ZkClients.ROOT + "/si-zookeeper");
        }

        @Override
        public Held acquire(String key, Duration timeout) throws InterruptedException {
            Lock lock = registry.obtain(ZkClients.key(key));
            if (!lock.tryLock(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return null;
            }
            return lock::unlock;
        }

        @Override
        public void close() {
            try {
                registry.destroy();
            } finally {
                curator.close();
            }
        }
    }
}
