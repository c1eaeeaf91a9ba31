package dev.baton.zookeeper;

import dev.baton.BatonConfig;
import dev.baton.LeaseKind;
import dev.baton.testkit.BackendFixture;
import dev.baton.testkit.ContractSuite;
import dev.baton.testkit.ServerFixture;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;

/**
 * The shared contract against one in-process ZooKeeper server. Partitionable clients connect
 * through a fault proxy ({@link ServerFixture}); a partition blackholes it, so the client's session
 * silently stops being heard and expires on the server as it would behind a dead network.
 *
 * <p>Watch events may coalesce quickly overwritten values (see {@link
 * Fixture#watchDeliversEveryWrite()}).
 */
class ZooKeeperContractTest extends ContractSuite {

    @Override
    protected BackendFixture startFixture() {
        return new Fixture();
    }

    private static final class Fixture extends ServerFixture {
        private final EmbeddedZooKeeper server;
        private final CuratorFramework inspector;
        private final Layout layout = new Layout(BatonConfig.DEFAULT_NAMESPACE);

        Fixture() {
            super("zookeeper");
            server = EmbeddedZooKeeper.start(0, null);
            inspector =
                    CuratorFrameworkFactory.newClient(
                            server.connectString(), new RetryOneTime(100));
            try {
                inspector.start();
                if (!inspector.blockUntilConnected(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the inspector cannot reach " + server.uri());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("interrupted while connecting the inspector", e);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        /**
         * A ZooKeeper watch event carries no data; the value is read after the event, so a write
         * overwritten before that read is reported at its later version (measured: 77–92 PUT events
         * for 100 back-to-back puts, and 2 in 300 put-then-delete pairs reported as the DELETE
         * alone). The contract then checks what ZooKeeper does promise: versions only rise and the
         * latest value is always delivered; {@link ZooKeeperWatchTest} adds no-duplicate checks.
         */
        @Override
        public boolean watchDeliversEveryWrite() {
            return false;
        }

        /**
         * A woken waiter makes its own new entry ({@link ConditionWait}): the waiters of one
         * signalAll are deleted from the wait queue oldest first, but each re-enters when its own
         * client sees the deletion.
         */
        @Override
        public boolean signalAllKeepsWaitOrder() {
            return false;
        }

        @Override
        protected int port() {
            return server.port();
        }

        @Override
        public List<String> engineEntries(LeaseKind kind, String name) {
            try {
                return inspector.getChildren().forPath(layout.queue(Layout.Dir.of(kind), name));
            } catch (KeeperException.NoNodeException e) {
                return List.of();
            } catch (Exception e) {
                throw new IllegalStateException("cannot list the queue of " + name, e);
            }
        }

        @Override
        public List<String> conditionEntries(String monitor, String condition) {
            try {
                return ConditionQueue.sorted(
                        inspector.getChildren().forPath(layout.condition(monitor, condition)));
            } catch (KeeperException.NoNodeException e) {
                return List.of();
            } catch (Exception e) {
                throw new IllegalStateException(
                        "cannot list the waiters of " + monitor + "/" + condition, e);
            }
        }

        @Override
        public void close() {
            super.close();
            inspector.close();
            server.close();
        }
    }
}
