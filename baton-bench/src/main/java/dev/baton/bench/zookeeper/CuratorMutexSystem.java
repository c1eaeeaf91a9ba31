package dev.baton.bench.zookeeper;

import dev.baton.bench.LockSystem;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;

/**
 * {@code curator-mutex}: Curator's {@link InterProcessMutex} (a queue of ephemeral-sequential
 * nodes, each waiter watching its predecessor), one per key and acquiring thread, as Curator's
 * locking example keeps them. No fencing token.
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
        // One InterProcessMutex per key and thread, as in Curator's own example (each thread of
        // curator-examples' LockingExample has its own), not one per key shared by the client's
        // threads: an instance's waiters all wait on that instance's monitor, and every watch
        // event notifies all of them (LockInternals: notifyAll), so with a shared instance each
        // release woke every waiting thread of the client to re-read the children (55 requests
        // per handoff at W = 64 in the full run, against 4 at W = 1). Construction sends nothing;
        // the map of a finished thread goes with it.
        private final ThreadLocal<Map<String, InterProcessMutex>> mutexes =
                ThreadLocal.withInitial(HashMap::new);

        CuratorMutexClient(CuratorFramework curator) {
            this.curator = curator;
        }

        @Override
        public Held acquire(String key, Duration timeout) throws Exception {
            InterProcessMutex mutex =
                    mutexes.get()
                            .computeIfAbsent(
                                    ZkClients.key(key),
                                    k -> new InterProcessMutex(curator, PARENT + k));
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
