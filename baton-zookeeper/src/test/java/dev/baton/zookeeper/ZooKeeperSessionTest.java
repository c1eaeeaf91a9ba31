package dev.baton.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.BackendUnavailableException;
import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FencedLease;
import dev.baton.LeaseLoss;
import dev.baton.LeaseState;
import dev.baton.faults.FaultProxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The session's life and death: expiry behind a silent network, and no server at all. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ZooKeeperSessionTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Layout LAYOUT = new Layout(BatonConfig.DEFAULT_NAMESPACE);

    /**
     * TTL 5 s, margin 1.5 s: the holder's deadline precedes the server's expiry by over a second.
     */
    private static BatonConfig config() {
        return BatonConfig.custom()
                .leaseTtl(Duration.ofSeconds(5))
                .safetyMargin(Duration.ofMillis(1500))
                .build();
    }

    @Test
    void theHolderLearnsOfTheLossBeforeAnotherClientIsGrantedAndItsWaitersFail() throws Exception {
        try (EmbeddedZooKeeper server = EmbeddedZooKeeper.start(0, null);
                FaultProxy proxy = FaultProxy.start("127.0.0.1", server.port());
                CuratorFramework raw = ZkTests.rawClient(server.connectString());
                Baton a = Baton.connect("zookeeper://" + proxy.address(), config());
                Baton b = Baton.connect(server.uri(), config())) {
            FencedLease held = a.mutex("expiry/held").acquire(PATIENCE);
            FencedLease blocking = b.mutex("expiry/waited").acquire(PATIENCE);
            CompletableFuture<FencedLease> waiting =
                    a.mutex("expiry/waited").acquireAsync(Duration.ofMinutes(2));
            String waitedDir = LAYOUT.queue(Layout.Dir.MUTEX, "expiry/waited");
            await().atMost(PATIENCE).until(() -> raw.getChildren().forPath(waitedDir).size() == 2);
            AtomicLong lostAt = new AtomicLong();
            AtomicReference<LeaseLoss> loss = new AtomicReference<>();
            held.lost()
                    .thenAccept(
                            l -> {
                                lostAt.set(System.nanoTime());
                                loss.set(l);
                            });

            proxy.blackhole(); // a's session is no longer heard; the server expires it
            FencedLease next = b.mutex("expiry/held").acquire(PATIENCE);
            long acquiredAt = System.nanoTime();

            assertThat(lostAt.get()).as("loss signalled").isNotZero();
            assertThat(lostAt.get())
                    .as("loss signalled before the next grant")
                    .isLessThan(acquiredAt);
            assertThat(loss.get().reason()).isEqualTo(LeaseLoss.Reason.DEADLINE_PASSED);
            assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
            // The engine dropped a's entries with its session: only b's remain.
            String heldDir = LAYOUT.queue(Layout.Dir.MUTEX, "expiry/held");
            assertThat(raw.getChildren().forPath(heldDir)).hasSize(1);
            await().atMost(PATIENCE).until(() -> raw.getChildren().forPath(waitedDir).size() == 1);

            // a's pending acquire does not hang: its entry died with the session.
            assertThatThrownBy(() -> waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(BackendUnavailableException.class);

            // Healed, the client works again on a new session.
            proxy.pass();
            next.release();
            FencedLease again = a.mutex("expiry/held").acquire(PATIENCE);
            assertThat(again.fencingToken()).isGreaterThan(next.fencingToken());
            assertThat(held.state()).isEqualTo(LeaseState.LOST);
            again.release();
            blocking.release();
        }
    }

    /**
     * The deadline passes while the session still lives (the partition ends before the server
     * expires it): the lease is lost locally, and its entry is deleted once the connection is back,
     * so the next waiter need not wait for the session. TTL 9 s, margin 3 s: the client declares
     * the loss at most 6 s after its last confirmed renewal, reconnects within a second of the
     * heal, and the server keeps the session for 9 s — two seconds to spare.
     */
    @Test
    void aLeaseLostByItsDeadlineIsDeletedWhenTheSameSessionReconnects() throws Exception {
        BatonConfig cfg =
                BatonConfig.custom()
                        .leaseTtl(Duration.ofSeconds(9))
                        .safetyMargin(Duration.ofSeconds(3))
                        .build();
        try (EmbeddedZooKeeper server = EmbeddedZooKeeper.start(0, null);
                FaultProxy proxy = FaultProxy.start("127.0.0.1", server.port());
                CuratorFramework raw = ZkTests.rawClient(server.connectString());
                Baton a = Baton.connect("zookeeper://" + proxy.address(), cfg);
                Baton b = Baton.connect(server.uri(), cfg)) {
            long session = ZkTests.zooKeeperOf(a).getSessionId();
            FencedLease held = a.mutex("deadline/held").acquire(PATIENCE);
            String dir = LAYOUT.queue(Layout.Dir.MUTEX, "deadline/held");

            proxy.blackhole();
            await("the lease to be lost by its deadline")
                    .atMost(PATIENCE)
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> held.state() == LeaseState.LOST);
            proxy.pass();

            LeaseLoss loss =
                    held.lost().toCompletableFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(loss.reason()).isEqualTo(LeaseLoss.Reason.DEADLINE_PASSED);
            await("the released entry to be gone")
                    .atMost(PATIENCE)
                    .until(() -> raw.getChildren().forPath(dir).isEmpty());
            assertThat(ZkTests.zooKeeperOf(a).getSessionId()).as("same session").isEqualTo(session);
            FencedLease next = b.mutex("deadline/held").tryAcquire().orElseThrow();
            assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
            next.release();
        }
    }

    @Test
    void noServerFailsWithinTheConnectTimeoutAndLeavesNoThreadRunning() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed below: nothing listens there
        }
        Set<Thread> nonDaemonBefore = nonDaemonThreads();
        BatonConfig cfg = BatonConfig.custom().connectTimeout(Duration.ofSeconds(2)).build();
        long start = System.nanoTime();
        String where = "127.0.0.1:" + port;
        assertThatThrownBy(() -> Baton.connect("zookeeper://" + where, cfg))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("cannot reach ZooKeeper at " + where + " within 2000 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isLessThan(Duration.ofSeconds(2 + 2));
        await("the failed client's threads to end")
                .atMost(PATIENCE)
                .until(
                        () ->
                                Thread.getAllStackTraces().keySet().stream()
                                        .filter(Thread::isAlive)
                                        .map(Thread::getName)
                                        .noneMatch(
                                                n -> n.contains(where) || n.startsWith("baton-")));
        assertThat(nonDaemonThreads()).isSubsetOf(nonDaemonBefore);
    }

    private static Set<Thread> nonDaemonThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !t.isDaemon())
                .collect(Collectors.toSet());
    }

    @Test
    void theEmbeddedSchemeRunsAServerThatClosesWithTheClient() throws Exception {
        int port;
        try (Baton a = Baton.connect("embedded")) {
            FencedLease lease = a.mutex("embedded/one").acquire(PATIENCE);
            port = Integer.parseInt(ZkTests.clientOf(a).target().split(":")[1]);
            assertThat(a.inspect("embedded/one").orElseThrow().holders()).hasSize(1);
            lease.release();
        }
        int closedPort = port;
        // The server went with the client: its port is free again.
        try (ServerSocket s = new ServerSocket(closedPort, 1, InetAddress.getLoopbackAddress())) {
            assertThat(s.getLocalPort()).isEqualTo(closedPort);
        }
        assertThat(List.of(closedPort)).isNotEmpty();
    }
}
