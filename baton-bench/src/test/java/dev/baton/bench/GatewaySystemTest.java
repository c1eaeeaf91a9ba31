package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.BatonConfig;
import dev.baton.bench.LockSystem.Client;
import dev.baton.bench.LockSystem.Held;
import dev.baton.bench.redis.RedisBench;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gateway system must not tax the others on its server: its gateway watches every lock of its
 * client's namespace (for the dashboard), and on Redis a watched namespace makes every lock script
 * of that namespace publish events. So its client keeps to a namespace of its own.
 */
class GatewaySystemTest {

    @Test
    @Timeout(60)
    void theGatewayWatchesItsOwnNamespaceNotTheOneTheBatonSystemUses() throws Exception {
        try (RedisBench engine = RedisBench.start();
                GatewaySystem gateway = new GatewaySystem(engine.batonUri(), "redis")) {
            Client client = gateway.client(); // starts the gateway, which starts watching
            try {
                Held held = client.acquire("isolation", Duration.ofSeconds(10));
                assertThat(held).as("granted through the gateway").isNotNull();
                held.release();
                RedisClient raw = RedisClient.create(engine.batonUri());
                try (StatefulRedisConnection<String, String> conn = raw.connect()) {
                    // The watch marks (dev.baton.redis.Keys.watchMark): the gateway's own exists,
                    // so a mark is what this looks for; the baton system's namespace has none.
                    assertThat(conn.sync().exists(mark(GatewaySystem.NAMESPACE)))
                            .as("the gateway's namespace is watched")
                            .isEqualTo(1L);
                    assertThat(conn.sync().exists(mark(BatonConfig.DEFAULT_NAMESPACE)))
                            .as("the baton system's namespace is not")
                            .isZero();
                } finally {
                    raw.shutdown();
                }
            } finally {
                client.close();
            }
        }
    }

    private static String mark(String namespace) {
        return "baton:{" + namespace + "}:watched";
    }
}
