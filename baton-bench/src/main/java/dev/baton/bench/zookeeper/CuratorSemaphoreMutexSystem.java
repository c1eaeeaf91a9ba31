package dev.baton.bench.zookeeper;

import dev.baton.bench.LockSystem;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreMutex;

/**
 * {@code curator-semaphore-mutex}: Curator's {@link InterProcessSemaphoreMutex}, the non-reentrant
 * mutex (a one-lease {@code InterProcessSemaphoreV2}, itself guarded by an inner mutex). No fencing
 * token.
 */
public final class CuratorSemaphoreMutexSystem implements LockSystem {
    private final String connectString;

    /**
     * @param connectString {@code host:port} of the ZooKeeper server
     */
    public CuratorSemaphoreMutexSystem(String connectString) {
        this.connectString = connectString;
    }

    @Override
    public String name() {
        return "curator-semaphore-mutex";
    }

    @Override
    public String backend() {
        return "zookeeper";
    }

    @Override
    public Client client() throws InterruptedException {
        return new SemaphoreMutexClient(ZkClients.curator(connectString, name()));
    }

    private static final class SemaphoreMutexClient implements Client {
        private static final String PARENT = ZkClients.ROOT + "/curator-semaphore-mutex/";

        private final CuratorFramework curator;

        SemaphoreMutexClient(CuratorFramework curator) {
            this.curator = curator;
        }

        @Override
        public Held acquire(String key, Duration timeout) throws Exception {
            // One instance per acquire: an instance keeps a single lease in a plain field, so
            // threads sharing one would overwrite each other's. Construction sends nothing.
            InterProcessSemaphoreMutex mutex =
                    new InterProcessSemaphoreMutex(curator, PARENT + ZkClients.key(key));
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
