package dev.baton.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.Baton;
import dev.baton.Versioned;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Curator repeats a request whose answer was lost with the connection. A conditional write whose
 * first attempt was applied then fails on the repeat (BadVersion, NodeExists); the nonce in the
 * payload lets it recognise its own write and report it as done, so {@code update} does not apply
 * its function twice. The repeat is simulated by calling the write again with the same payload.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ZooKeeperKeyValueTest {
    private static EmbeddedZooKeeper server;
    private static Baton baton;
    private static ZooKeeperClient zk;
    private static ZooKeeperKeyValue kv;

    @BeforeAll
    static void start() {
        server = EmbeddedZooKeeper.start(0, null);
        baton = Baton.connect(server.uri());
        zk = ZkTests.clientOf(baton);
        kv = new ZooKeeperKeyValue(zk);
    }

    @AfterAll
    static void stop() {
        baton.close();
        server.close();
    }

    private static byte[] value(String key, String v, long nonce) {
        return ZooKeeperKeyValue.encode(key, v.getBytes(StandardCharsets.UTF_8), nonce);
    }

    @Test
    void aRepeatedCasWhoseFirstAttemptWasAppliedReportsWrittenNotAConflict() throws Exception {
        String key = "retry/cas";
        String path = zk.layout().key(key);
        long ours = ZooKeeperKeyValue.newNonce();
        byte[] first = value(key, "one", ours);

        // Create from absent; the repeat meets NodeExists and finds its own nonce at version 0.
        Stat created = kv.createConditionally(path, first);
        assertThat(created).isNotNull();
        assertThat(created.getVersion()).isZero();
        Stat repeated = kv.createConditionally(path, first);
        assertThat(repeated).as("the repeat of our applied create").isNotNull();
        assertThat(repeated.getVersion()).isZero();
        assertThat(kv.createConditionally(path, value(key, "one", ours + 1)))
                .as("another writer's create of the same value")
                .isNull();

        // Write at version 0; the repeat meets BadVersion and finds its own nonce at version 1.
        byte[] second = value(key, "two", ZooKeeperKeyValue.newNonce());
        assertThat(kv.setAt(path, second, 0).getVersion()).isEqualTo(1);
        Stat again = kv.setAt(path, second, 0);
        assertThat(again).as("the repeat of our applied write").isNotNull();
        assertThat(again.getVersion()).isEqualTo(1);
        assertThat(kv.setAt(path, value(key, "two", ZooKeeperKeyValue.newNonce()), 0))
                .as("another writer's write at the same version, same value")
                .isNull();

        // A tombstone (delete) is recognised the same way.
        byte[] tombstone = ZooKeeperKeyValue.tombstone(ZooKeeperKeyValue.newNonce());
        assertThat(kv.setAt(path, tombstone, 1).getVersion()).isEqualTo(2);
        assertThat(kv.setAt(path, tombstone, 1)).as("the repeat of our delete").isNotNull();
        assertThat(kv.setAt(path, ZooKeeperKeyValue.tombstone(ZooKeeperKeyValue.newNonce()), 1))
                .as("another writer's delete at the same version")
                .isNull();

        // Once a later write moved the node on, our old write is no longer claimed.
        assertThat(kv.setAt(path, second, 0)).as("not exactly one version past").isNull();
        assertThat(kv.get(key)).as("the tombstone reads as absent").isEmpty();
    }

    @Test
    void theNonceStaysInsideValuesAndVersionsLookAsBefore() {
        String key = "retry/format";
        assertThat(kv.compareAndSet(key, Versioned.ABSENT, new byte[0]).orElseThrow().version())
                .isEqualTo(1);
        assertThat(kv.get(key).orElseThrow().value()).isEmpty();
        assertThat(kv.keys("retry")).contains(key);
        Versioned v2 = kv.compareAndSet(key, 1, "x".getBytes(StandardCharsets.UTF_8)).orElseThrow();
        assertThat(v2.version()).isEqualTo(2);
        assertThat(kv.get(key).orElseThrow()).isEqualTo(v2);
        assertThat(kv.delete(key, 2)).isTrue();
        assertThat(kv.keys("retry")).doesNotContain(key);
        // The older payloads still read: 0x01 value is a value, zero bytes a tombstone.
        assertThat(ZooKeeperKeyValue.decode(new byte[] {1, 'o', 'k'}).orElseThrow())
                .containsExactly('o', 'k');
        assertThat(ZooKeeperKeyValue.decode(new byte[0])).isEmpty();
        assertThat(ZooKeeperKeyValue.nonceOf(new byte[] {1, 'o', 'k'})).isEmpty();
    }
}
