package dev.baton.bench.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.bench.LockSystem;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code redis-fenced-floor} on a real redis-server is a lock with Baton's token rule: one holder
 * at a time, and tokens that are at least the server clock in µs and strictly increase per name.
 */
class RedisFencedFloorSystemTest {

    @Test
    @Timeout(60)
    void excludesAndHandsOutTokensThatFollowTheServerClockAndNeverGoBack() throws Exception {
        try (RedisBench engine = RedisBench.start();
                RedisFencedFloorSystem system = new RedisFencedFloorSystem(engine.batonUri());
                LockSystem.Client a = system.client();
                LockSystem.Client b = system.client()) {
            long clockBefore = serverMicros(engine.batonUri());

            var first = (RedisFencedFloorSystem.Grant) a.acquire("k", Duration.ofSeconds(5));
            assertThat(first).isNotNull();
            assertThat(first.token()).isGreaterThanOrEqualTo(clockBefore);
            // Held by a: b polls until its timeout and gets nothing; a's release then frees it.
            assertThat(b.acquire("k", Duration.ofSeconds(1))).isNull();
            first.release();

            var second = (RedisFencedFloorSystem.Grant) b.acquire("k", Duration.ofSeconds(5));
            assertThat(second).isNotNull();
            assertThat(second.token()).isGreaterThan(first.token());
            // A stale holder's release is a no-op: the name stays b's.
            first.release();
            assertThat(a.acquire("k", Duration.ofSeconds(1))).isNull();
            second.release();

            // The counter survives the holder: a third grant still goes past the second.
            var third = (RedisFencedFloorSystem.Grant) a.acquire("k", Duration.ofSeconds(5));
            assertThat(third.token()).isGreaterThan(second.token());
            // Another name is free while "k" is held.
            LockSystem.Held other = b.acquire("other", Duration.ofSeconds(5));
            assertThat(other).isNotNull();
            other.release();
            third.release();
        }
    }

    private static long serverMicros(String uri) {
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            List<String> time = conn.sync().time();
            return Long.parseLong(time.get(0)) * 1_000_000 + Long.parseLong(time.get(1));
        } finally {
            client.shutdown();
        }
    }
}
