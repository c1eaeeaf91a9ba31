package dev.baton.bench.zookeeper;

import dev.baton.bench.LockSystem;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import org.apache.curator.framework.CuratorFramework;
import org.springframework.integration.zookeeper.lock.ZookeeperLockRegistry;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * {@code si-zookeeper}: Spring Integration's {@link ZookeeperLockRegistry} over its own Curator
 * client, with a task executor configured as the registry's default one. Each lock is an {@code
 * InterProcessMutex}; {@code tryLock(timeout)} first checks the connection with a {@code
 * checkExists("/")} on the registry's executor, so it costs one more request and a thread hop per
 * acquire. Each acquiring thread has its own registry, hence its own lock instance (see {@link
 * SpringClient}). No fencing token.
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

    /**
     * One client instance: one Curator client and one executor (as one registry has) shared by a
     * registry per acquiring thread. A registry hands every thread the same lock for a key, and
     * that lock wraps one {@code InterProcessMutex}, whose watch events notify all of its waiters
     * (Curator's {@code LockInternals}: {@code notifyAll}): with one registry per client, each
     * release woke every waiting thread of the client to re-read the children (66 requests per
     * handoff at W = 64 in the full run, against 4 at W = 1). A registry per thread gives each
     * thread its own lock and mutex, as Curator's example gives each thread its own mutex; the
     * executor stays shared, so the thread hop per acquire is the one the registry's default
     * executor makes.
     */
    private static final class SpringClient implements Client {
        private final CuratorFramework curator;
        private final ThreadPoolTaskExecutor executor;
        private final ThreadLocal<ZookeeperLockRegistry> registries;

        SpringClient(CuratorFramework curator) {
            this.curator = curator;
            // As ZookeeperLockRegistry configures its own default executor.
            this.executor = new ThreadPoolTaskExecutor();
            executor.setAllowCoreThreadTimeOut(true);
            executor.setBeanName("ZookeeperLockRegistryExecutor");
            executor.initialize();
            this.registries =
                    ThreadLocal.withInitial(
                            () -> {
                                ZookeeperLockRegistry registry =
                                        new ZookeeperLockRegistry(
                                                curator, ZkClients.ROOT + "/si-zookeeper");
                                registry.setMutexTaskExecutor(executor);
                                return registry;
                            });
        }

        @Override
        public Held acquire(String key, Duration timeout) throws InterruptedException {
            Lock lock = registries.get().obtain(ZkClients.key(key));
            if (!lock.tryLock(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return null;
            }
            return lock::unlock;
        }

        @Override
        public void close() {
            // The registries own nothing but their lock maps: the executor was set explicitly, so
            // their destroy() would not shut it down.
            try {
                executor.shutdown();
            } finally {
                curator.close();
            }
        }
    }
}
