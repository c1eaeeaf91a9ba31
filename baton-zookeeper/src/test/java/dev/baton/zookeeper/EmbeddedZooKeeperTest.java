package dev.baton.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.BackendUnavailableException;
import dev.baton.InvalidArgumentException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedZooKeeperTest {

    private static CuratorFramework client(EmbeddedZooKeeper zk) throws InterruptedException {
        CuratorFramework c =
                CuratorFrameworkFactory.builder()
                        .connectString(zk.connectString())
                        .sessionTimeoutMs(2_000)
                        .connectionTimeoutMs(5_000)
                        .retryPolicy(new RetryOneTime(100))
                        .build();
        c.start();
        assertThat(c.blockUntilConnected(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return c;
    }

    @Test
    void servesClientsOnAFreePortAndDeletesItsTemporaryDataOnClose() throws Exception {
        Path dir;
        List<Thread> nonDaemonBefore = nonDaemonThreads();
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(0, null)) {
            dir = zk.dataDir();
            assertThat(zk.port()).isPositive();
            assertThat(zk.connectString()).isEqualTo("127.0.0.1:" + zk.port());
            assertThat(zk.uri()).isEqualTo("zookeeper://127.0.0.1:" + zk.port());
            try (CuratorFramework c = client(zk)) {
                c.create().forPath("/hello", "world".getBytes(StandardCharsets.UTF_8));
                assertThat(new String(c.getData().forPath("/hello"), StandardCharsets.UTF_8))
                        .isEqualTo("world");
                // Session timeouts from 1 s to 10 min are negotiable.
                assertThat(c.getZookeeperClient().getZooKeeper().getSessionTimeout())
                        .isEqualTo(2_000);
            }
            assertThat(Files.isDirectory(dir)).isTrue();
            assertThat(nonDaemonThreads())
                    .as("non-daemon threads started by the server")
                    .isSubsetOf(nonDaemonBefore);
        }
        assertThat(Files.exists(dir)).isFalse();
    }

    private static List<Thread> nonDaemonThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !t.isDaemon() && t.isAlive())
                .collect(Collectors.toList());
    }

    @Test
    void keepsAGivenDataDirectoryAcrossRestarts(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("zk");
        int port;
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(0, dir)) {
            port = zk.port();
            try (CuratorFramework c = client(zk)) {
                c.create().forPath("/durable", new byte[] {7});
            }
        }
        assertThat(Files.isDirectory(dir)).isTrue();
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(0, dir);
                CuratorFramework c = client(zk)) {
            assertThat(zk.dataDir()).isEqualTo(dir);
            assertThat(c.getData().forPath("/durable")).containsExactly(7);
        }
        assertThat(port).isPositive();
    }

    @Test
    void aPortInUseIsReportedByNumber() throws Exception {
        try (ServerSocket taken =
                new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> EmbeddedZooKeeper.start(port, null))
                    .isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("127.0.0.1:" + port);
        }
    }

    @Test
    void rejectsAnImpossiblePort() {
        assertThatThrownBy(() -> EmbeddedZooKeeper.start(70_000, null))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("port")
                .hasMessageContaining("70000");
    }
}
