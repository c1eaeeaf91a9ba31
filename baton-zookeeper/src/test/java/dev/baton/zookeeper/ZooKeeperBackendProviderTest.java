package dev.baton.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.InvalidUriException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZooKeeperBackendProviderTest {

    @Test
    void registersBothSchemes() {
        assertThat(new ZooKeeperBackendProvider().schemes())
                .containsExactlyInAnyOrder("zookeeper", "embedded");
        assertThat(java.util.ServiceLoader.load(dev.baton.spi.BackendProvider.class).stream())
                .as("registered for ServiceLoader")
                .anyMatch(p -> p.type() == ZooKeeperBackendProvider.class);
    }

    @Test
    void rejectsBadZooKeeperUrisNamingTheProblem() {
        assertThatThrownBy(() -> Baton.connect("zookeeper://"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("no hosts");
        assertThatThrownBy(() -> Baton.connect("zookeeper:127.0.0.1"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("no hosts");
        assertThatThrownBy(() -> Baton.connect("zookeeper://127.0.0.1:2181/bad..x/../y"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("namespace \"bad..x/../y\"");
        assertThatThrownBy(() -> Baton.connect("zookeeper://127.0.0.1:99999"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("99999");
        assertThatThrownBy(() -> Baton.connect("zookeeper://127.0.0.1:2181?retries=3"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("retries");
    }

    @Test
    void rejectsBadEmbeddedUris() {
        assertThatThrownBy(() -> Baton.connect("embedded?port=abc"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("\"abc\"");
        assertThatThrownBy(() -> Baton.connect("embedded?size=3"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("size");
        assertThatThrownBy(() -> Baton.connect("embedded://somehost/data"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("no host");
    }

    @Test
    void embeddedTakesADataDirectoryAndAPort(@TempDir Path tmp) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path dir = tmp.resolve("zk-data");
        long token;
        try (Baton a = Baton.connect("embedded:" + dir + "?port=" + port)) {
            assertThat(ZkTests.clientOf(a).target()).isEqualTo("127.0.0.1:" + port);
            FencedLease lease = a.mutex("durable").acquire(Duration.ofSeconds(30));
            token = lease.fencingToken();
            lease.release();
        }
        assertThat(Files.isDirectory(dir.resolve("version-2"))).isTrue();
        // Restarted on the same data: tokens go on rising across the server restart.
        try (Baton a = Baton.connect("embedded:" + dir)) {
            FencedLease lease = a.mutex("durable").acquire(Duration.ofSeconds(30));
            assertThat(lease.fencingToken()).isGreaterThan(token);
            lease.release();
        }
    }
}
