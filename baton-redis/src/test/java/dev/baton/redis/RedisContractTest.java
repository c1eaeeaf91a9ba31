package dev.baton.redis;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.LeaseKind;
import dev.baton.faults.RedisServer;
import dev.baton.testkit.BackendContractTest;
import dev.baton.testkit.ProxiedClients;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared contract against one real {@code redis-server}. Partitionable clients connect through
 * a {@link FaultProxy}; a partition blackholes it, so the client's renewals stop being heard and
 * its grants expire on the server with their TTL.
 */
class RedisContractTest extends BackendContractTest {
    private static RedisServer server;
    private static RedisClient inspectorClient;
    private static StatefulRedisConnection<String, String> inspectorConn;
    private static RedisCommands<String, String> inspector;
    private static final ProxiedClients proxied = new ProxiedClients();

    @BeforeAll
    static void startServer() {
        server = RedisServer.start();
        inspectorClient = RedisClient.create(server.uri());
        inspectorConn = inspectorClient.connect(StringCodec.UTF8);
        inspector = inspectorConn.sync();
    }

    @AfterAll
    static void stopServer() {
        proxied.close();
        if (inspectorConn != null) {
            inspectorConn.close();
            inspectorClient.shutdown();
        }
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected Baton connect(BatonConfig config) {
        return Baton.connect(server.uri(), config);
    }

    @Override
    protected Baton connectPartitionable(BatonConfig config) {
        return proxied.connect("redis", server.port(), config);
    }

    @Override
    protected void partition(Baton client) {
        proxied.partition(client);
    }

    @Override
    protected void heal(Baton client) {
        proxied.heal(client);
    }

    /** Held and waiting entry ids, expired or not (raw state). */
    @Override
    protected List<String> engineEntries(LeaseKind kind, String name) {
        String base = Keys.tag(BatonConfig.DEFAULT_NAMESPACE, name) + ":" + Keys.family(kind) + ":";
        List<String> out = new ArrayList<>();
        for (String id : inspector.zrange(base + "H", 0, -1)) {
            out.add("held " + id);
        }
        for (String id : inspector.lrange(base + "Q", 0, -1)) {
            out.add("waiting " + id);
        }
        return out;
    }
}
