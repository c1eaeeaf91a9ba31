package dev.baton.bench.zookeeper;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FencedLease;
import dev.baton.LockTimeoutException;
import dev.baton.Mutex;
import dev.baton.bench.LockSystem;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code baton}: Baton's mutex over {@code zookeeper://}, default configuration. Each grant comes
 * with a fencing token (the queue entry's czxid), which the peers do not produce.
 */
public final class BatonZooKeeperSystem implements LockSystem {
    private final String uri;

    /**
     * @param connectString {@code host:port} of the ZooKeeper server
     */
    public BatonZooKeeperSystem(String connectString) {
        this.uri = "zookeeper://" + connectString;
    }

    @Override
    public String name() {
        return "baton";
    }

    @Override
    public String backend() {
        return "zookeeper";
    }

    @Override
    public Client client() {
        return new BatonClient(Baton.connect(uri, BatonConfig.defaults()));
    }

    private static final class BatonClient implements Client {
        private final Baton baton;
        // Handles are thread-safe and reusable: one per key, as an application keeps them.
        private final Map<String, Mutex> mutexes = new ConcurrentHashMap<>();

        BatonClient(Baton baton) {
            this.baton = baton;
        }

        @Override
        public Held acquire(String key, Duration timeout) {
            Mutex mutex = mutexes.computeIfAbsent(ZkClients.key(key), baton::mutex);
            FencedLease lease;
            try {
                lease = mutex.acquire(timeout);
            } catch (LockTimeoutException e) {
                return null;
            }
            return lease::release;
        }

        @Override
        public void close() {
            baton.close();
        }
    }
}
