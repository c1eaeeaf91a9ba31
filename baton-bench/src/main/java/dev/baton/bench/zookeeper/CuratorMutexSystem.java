package dev.baton.bench.zookeeper;

import dev.baton.bench.LockSystem;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;

/**
 * {@code curator-mutex}: Curator's {@link InterProcessMutex} (a queue of ephemeral-sequential
 * nodes, each waiter watching its predecessor), one per key and client, as applications keep them.
 * No fencing token.
 */
public final class CuratorMutexSystem implements LockSystem {
    private final String connectString;

    /**
     * @param connectString {@code host:port} of the ZooKeeper server
     */
    public CuratorMutexSystem(String connectString) {
        this.connectString = connectString;
    }

    @Override
    public String name() {
        return "curator-mutex";
    }

    @Override
    public String backend() {
        return "zookeeper";
    }

    @Override
    public Client client() throws InterruptedException {
        return new CuratorMutexClient(ZkClients.curator(connectString, name()));
    }

    private static final class CuratorMutexClient implements Client {
        private static final String PARENT = ZkClients.ROOT + "/curator-mutex/";

        private final CuratorFramework curator;
        // InterProcessMutex keeps one entry per acquiring thread, so threads may share one.
        private final Map<String, InterProcessMutex> mutexes = new ConcurrentHashMap<>();

        CuratorMutexClient(CuratorFramework curator) {
            this.curator = curator;
        }

        @Override
        public Held acquire(String key, Duration timeout) throws Exception {
            InterProcessMutex mutex =
                    mutexes.computeIfAbsent(
                            ZkClients.key(key), k -> new InterProcessMutex(curator, PARENT + k));
            if (!mutex.acquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return null;
            }
            return mutex::release;
        }

        @Override
        public void close() {
            curator.close();
        }
    }
}
