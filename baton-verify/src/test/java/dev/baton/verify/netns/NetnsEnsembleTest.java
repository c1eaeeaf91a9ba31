package dev.baton.verify.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real three-member ensemble in network namespaces, driven through kill, restart, partition, heal
 * and isolate, with a ZooKeeper client in the root namespace. Skipped without root.
 */
class NetnsEnsembleTest {
    private static final String PATH = "/netns-ensemble-test";

    /** Elections take seconds here (tickTime 500 ms, syncLimit 2); this is generous. */
    private static final Duration ELECTION = Duration.ofSeconds(30);

    @Test
    void survivesKillsAndPartitionsThenLeavesNothingBehind(@TempDir Path dir) throws Exception {
        NetnsEnsemble.unavailableReason().ifPresent(Assumptions::abort);
        NetnsEnsemble ensemble = NetnsEnsemble.start(3, dir, Duration.ofMillis(500));
        NetnsNames names = ensemble.names();
        try {
            assertThat(ensemble.size()).isEqualTo(3);
            assertThat(ensemble.members()).hasSize(3).allMatch(m -> m.endsWith(":2181"));
            assertThat(ensemble.connectString()).isEqualTo(String.join(",", ensemble.members()));
            String cs = ensemble.connectString();

            write(cs, "v1");
            assertThat(read(cs)).isEqualTo("v1");

            // Kill the leader: another is elected, the data survives, the old one comes back.
            int leader = ensemble.awaitLeader(ELECTION);
            ensemble.kill(leader);
            assertThat(ensemble.isRunning(leader)).isFalse();
            assertThat(ensemble.mode(leader)).isNull();
            int successor = awaitLeaderOtherThan(ensemble, leader);
            assertThat(successor).isNotEqualTo(leader);
            assertThat(read(cs)).isEqualTo("v1");
            ensemble.restart(leader);
            assertThat(ensemble.isRunning(leader)).isTrue();
            assertThat(ensemble.mode(leader)).isIn("leader", "follower");

            // Cut a follower off from the leader: it stops serving, the other two write on.
            leader = ensemble.awaitLeader(ELECTION);
            int follower = otherThan(leader);
            ensemble.partition(follower, leader);
            ensemble.partition(leader, follower); // idempotent
            await("member " + follower + " to stop serving")
                    .atMost(ELECTION)
                    .until(() -> ensemble.mode(follower) == null);
            write(cs, "v2");
            assertThat(read(cs)).isEqualTo("v2");
            assertThat(ensemble.leader()).contains(leader);
            assertThat(ensemble.isRunning(follower)).isTrue();

            // Heal: it follows again.
            ensemble.heal();
            ensemble.heal(); // idempotent
            await("member " + follower + " to follow again")
                    .atMost(ELECTION)
                    .until(() -> "follower".equals(ensemble.mode(follower)));

            // Isolate the leader: the other two elect one of themselves.
            int isolated = ensemble.awaitLeader(ELECTION);
            ensemble.isolate(isolated);
            int next = awaitLeaderOtherThan(ensemble, isolated);
            assertThat(next).isNotEqualTo(isolated);
            await("isolated member " + isolated + " to stop serving")
                    .atMost(ELECTION)
                    .until(() -> ensemble.mode(isolated) == null);
            write(cs, "v3");
            assertThat(read(cs)).isEqualTo("v3");
        } finally {
            ensemble.close();
        }
        ensemble.close(); // idempotent

        assertThat(NetnsNames.parseNetnsList(Ip.run("ip", "netns", "list")))
                .noneMatch(n -> n.contains("-" + names.pid + "-"));
        assertThat(NetnsNames.parseLinkList(Ip.run("ip", "-o", "link", "show")))
                .noneMatch(n -> n.startsWith("bt" + names.pid + "-"));
        assertThat(IntStream.range(0, 3).filter(ensemble::isRunning)).isEmpty();
        assertThatThrownBy(() -> ensemble.partition(0, 1))
                .isInstanceOf(NetnsException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void startRemovesWhatADeadOwnerLeftBehind(@TempDir Path dir) throws Exception {
        NetnsEnsemble.unavailableReason().ifPresent(Assumptions::abort);
        long dead = deadPid();
        String ns = "baton-" + dead + "-0-0";
        String bridge = "bt" + dead + "-0b";
        String veth = "bt" + dead + "-0h0";
        Ip.run("ip", "netns", "add", ns);
        try {
            Ip.run("ip", "link", "add", bridge, "type", "bridge");
            Ip.run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
            try (NetnsEnsemble ensemble = NetnsEnsemble.start(1, dir, Duration.ofMillis(500))) {
                assertThat(NetnsNames.parseNetnsList(Ip.run("ip", "netns", "list")))
                        .doesNotContain(ns);
                assertThat(NetnsNames.parseLinkList(Ip.run("ip", "-o", "link", "show")))
                        .doesNotContain(bridge, veth);
                // A single member still runs as a quorum peer, so it reports "leader".
                assertThat(ensemble.leader()).contains(0);
            }
        } finally {
            Ip.tryRun("ip", "link", "del", veth);
            Ip.tryRun("ip", "link", "del", bridge);
            Ip.tryRun("ip", "netns", "del", ns);
        }
    }

    @Test
    void rejectsBadArguments(@TempDir Path dir) {
        assertThatThrownBy(() -> NetnsEnsemble.start(0, dir, Duration.ofMillis(500)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("size must be between 1 and 9, but was 0");
        assertThatThrownBy(() -> NetnsEnsemble.start(3, dir, Duration.ZERO))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("tickTime must be");
        assertThatThrownBy(() -> NetnsEnsemble.start(3, null, Duration.ofMillis(500)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("workDir must be");
    }

    private static int awaitLeaderOtherThan(NetnsEnsemble ensemble, int old) {
        return await("a leader other than member " + old)
                .atMost(ELECTION)
                .until(
                        () ->
                                IntStream.range(0, ensemble.size())
                                        .filter(i -> i != old)
                                        .filter(i -> "leader".equals(ensemble.mode(i)))
                                        .boxed()
                                        .findFirst()
                                        .orElse(null),
                        Objects::nonNull);
    }

    /** A pid no process has now, as a JVM that died would leave it. */
    private static long deadPid() {
        // The kernel's PID_MAX_LIMIT is 2^22: pids from there down are rarely in use.
        for (long pid = (1 << 22) - 1; pid > 1; pid--) {
            if (ProcessHandle.of(pid).isEmpty()) {
                return pid;
            }
        }
        throw new IllegalStateException("every pid is in use");
    }

    private static int otherThan(int member) {
        return member == 0 ? 1 : 0;
    }

    /** Creates or overwrites the znode, retrying through elections with a fresh client. */
    private static void write(String connectString, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        await("writing " + value)
                .atMost(ELECTION)
                .ignoreExceptions()
                .until(
                        () -> {
                            try (ZooKeeper zk = connect(connectString)) {
                                try {
                                    zk.create(
                                            PATH,
                                            bytes,
                                            ZooDefs.Ids.OPEN_ACL_UNSAFE,
                                            CreateMode.PERSISTENT);
                                } catch (KeeperException.NodeExistsException e) {
                                    zk.setData(PATH, bytes, -1);
                                }
                                return true;
                            }
                        });
    }

    private static String read(String connectString) {
        return await("reading " + PATH)
                .atMost(ELECTION)
                .ignoreExceptions()
                .until(
                        () -> {
                            try (ZooKeeper zk = connect(connectString)) {
                                zk.sync(PATH, (rc, path, ctx) -> {}, null);
                                return new String(
                                        zk.getData(PATH, false, null), StandardCharsets.UTF_8);
                            }
                        },
                        Objects::nonNull);
    }

    private static ZooKeeper connect(String connectString) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk =
                new ZooKeeper(
                        connectString,
                        10_000,
                        event -> {
                            if (event.getState() == KeeperState.SyncConnected) {
                                connected.countDown();
                            }
                        });
        if (!connected.await(15, TimeUnit.SECONDS)) {
            zk.close();
            throw new IllegalStateException("no connection to " + connectString);
        }
        return zk;
    }
}
