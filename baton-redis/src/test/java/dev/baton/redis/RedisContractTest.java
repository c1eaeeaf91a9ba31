package dev.baton.redis;

import dev.baton.BatonConfig;
import dev.baton.LeaseKind;
import dev.baton.faults.FaultProxy;
import dev.baton.faults.RedisServer;
import dev.baton.testkit.BackendFixture;
import dev.baton.testkit.ContractSuite;
import dev.baton.testkit.ServerFixture;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared contract against one real {@code redis-server}. Partitionable clients connect through
 * a {@link FaultProxy}; a partition blackholes it, so the client's renewals stop being heard and
 * its grants expire on the server with their TTL.
 */
class RedisContractTest extends ContractSuite {

    @Override
    protected BackendFixture startFixture() {
        return new Fixture();
    }

    private static final class Fixture extends ServerFixture {
        private final RedisServer server;
        private final RedisClient inspectorClient;
        private final StatefulRedisConnection<String, String> inspectorConn;
        private final RedisCommands<String, String> inspector;

        Fixture() {
            super("redis");
            server = RedisServer.start();
            try {
                inspectorClient = RedisClient.create(server.uri());
                inspectorConn = inspectorClient.connect(StringCodec.UTF8);
                inspector = inspectorConn.sync();
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
        }

        @Override
        protected int port() {
            return server.port();
        }

        /** Held and waiting entry ids, expired or not (raw state). */
        @Override
        public List<String> engineEntries(LeaseKind kind, String name) {
            String base =
                    Keys.tag(BatonConfig.DEFAULT_NAMESPACE, name) + ":" + Keys.family(kind) + ":";
            List<String> out = new ArrayList<>();
            if (Keys.singleHolder(Keys.family(kind))) {
                String id = inspector.hget(base + "E", "h");
                if (id != null) {
                    out.add("held " + id);
                }
            } else {
                for (String id : inspector.zrange(base + "H", 0, -1)) {
                    out.add("held " + id);
                }
            }
            for (String id : inspector.lrange(base + "Q", 0, -1)) {
                out.add("waiting " + id);
            }
            return out;
        }

        /** Waiter ids of a condition's wait queue and their clients, oldest first (raw state). */
        @Override
        public List<String> conditionEntries(String monitor, String condition) {
            String base = Keys.conditionPrefix(BatonConfig.DEFAULT_NAMESPACE, monitor, condition);
            List<String> out = new ArrayList<>();
            for (String id : inspector.lrange(base + "Q", 0, -1)) {
                out.add("waiting " + id + " of " + inspector.hget(base + "E", id + ":c"));
            }
            return out;
        }

        @Override
        public void close() {
            super.close();
            inspectorConn.close();
            inspectorClient.shutdown();
            server.close();
        }
    }
}
