package dev.baton.integration;

import dev.baton.LeaseKind;
import dev.baton.testkit.BackendFixture;
import dev.baton.testkit.ServerFixture;
import dev.baton.zookeeper.EmbeddedZooKeeper;
import java.util.List;

/**
 * The registry contract on a real ZooKeeper server: one in-process server on a free port for the
 * class; the client that a test cuts off reaches it through a fault proxy ({@link ServerFixture}).
 */
class ZooKeeperLockRegistryTest extends LockRegistryContract {

    @Override
    protected BackendFixture startFixture() {
        return new Fixture();
    }

    private static final class Fixture extends ServerFixture {
        private final EmbeddedZooKeeper server = EmbeddedZooKeeper.start(0, null);

        Fixture() {
            super("zookeeper");
        }

        @Override
        protected int port() {
            return server.port();
        }

        @Override
        public List<String> engineEntries(LeaseKind kind, String name) {
            return List.of(); // the tests read queues through Baton.inspect
        }

        @Override
        public List<String> conditionEntries(String monitor, String condition) {
            // The registry contract uses no monitor; fail loudly should one ever be added.
            throw new UnsupportedOperationException("the lock registry tests use no monitor");
        }

        @Override
        public void close() {
            super.close();
            server.close();
        }
    }
}
