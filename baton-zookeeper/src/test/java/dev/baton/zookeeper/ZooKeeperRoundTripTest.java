package dev.baton.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FencedLease;
import dev.baton.faults.FaultProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an acquire costs on the wire: one round trip when the mutex is free, because the first look
 * at the queue travels behind the create instead of after its answer; and the orders in which the
 * two can come back when the connection breaks between them.
 *
 * <p>The round trips are counted with a clock behind {@link FaultProxy#delay}, a latency of {@value
 * #ONE_WAY_MS} ms each way: {@value #ACQUIRES} free acquires take at least {@value #ACQUIRES} round
 * trips ({@value #ACQUIRES} × {@value #RTT_MS} ms = 3 s) and, at one round trip each, well under
 * 1.5 round trips each (4.5 s); at two round trips each they would take at least 6 s. The limit
 * lies 1.5 s from either, and the same checker rejects a create-then-list acquire made by hand
 * through the same proxy.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ZooKeeperRoundTripTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Layout LAYOUT = new Layout(BatonConfig.DEFAULT_NAMESPACE);
    private static final int ONE_WAY_MS = 150;
    private static final int RTT_MS = 2 * ONE_WAY_MS;
    private static final int ACQUIRES = 10;

    /** Containers are not removed during a test: a missing parent costs extra round trips. */
    private static final Duration NO_CONTAINER_CLEANUP = Duration.ofHours(1);

    private static BatonConfig config() {
        return BatonConfig.custom()
                .leaseTtl(Duration.ofSeconds(20))
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** Total time of {@code times} as a count of round trips, as judged by the checker. */
    private static Duration total(List<Duration> times) {
        return times.stream().reduce(Duration.ZERO, Duration::plus);
    }

    /** The checker: every acquire took one round trip, not two (1.5 s away from either). */
    private static boolean oneRoundTripEach(List<Duration> times) {
        return total(times).compareTo(Duration.ofMillis(times.size() * RTT_MS * 3L / 2)) < 0;
    }

    @Test
    void aFreeMutexIsAcquiredInOneRoundTripWithTheEntrysCzxidAsToken() throws Exception {
        try (EmbeddedZooKeeper server = EmbeddedZooKeeper.start(0, null, NO_CONTAINER_CLEANUP);
                FaultProxy proxy = FaultProxy.start("127.0.0.1", server.port());
                CuratorFramework raw = ZkTests.rawClient(server.connectString());
                Baton baton = Baton.connect("zookeeper://" + proxy.address(), config())) {
            // A name per acquire, its queue directory made beforehand (not counted): this client
            // never left any of them empty, so each acquire lists its queue (one that it did
            // leave empty needs no listing: ZooKeeperTwoRequestCycleTest).
            for (int i = 0; i < ACQUIRES; i++) {
                raw.create()
                        .creatingParentContainersIfNeeded()
                        .forPath(LAYOUT.queue(Layout.Dir.MUTEX, "rtt/free-" + i));
            }

            proxy.delay(Duration.ofMillis(ONE_WAY_MS));
            List<Duration> times = new ArrayList<>();
            long previous = 0;
            for (int i = 0; i < ACQUIRES; i++) {
                String name = "rtt/free-" + i;
                String dir = LAYOUT.queue(Layout.Dir.MUTEX, name);
                long start = System.nanoTime();
                FencedLease lease = baton.mutex(name).acquire(PATIENCE);
                times.add(Duration.ofNanos(System.nanoTime() - start));
                // The token is still the entry's czxid, and still increases.
                List<String> children = raw.getChildren().forPath(dir);
                assertThat(children).hasSize(1);
                Stat stat = raw.checkExists().forPath(dir + "/" + children.get(0));
                assertThat(lease.fencingToken()).isEqualTo(stat.getCzxid());
                assertThat(lease.fencingToken()).isGreaterThan(previous);
                previous = lease.fencingToken();
                lease.release();
            }
            proxy.pass();

            assertThat(total(times))
                    .as("%d acquires, each at least one round trip of %d ms", ACQUIRES, RTT_MS)
                    .isGreaterThanOrEqualTo(Duration.ofMillis((long) ACQUIRES * RTT_MS));
            assertThat(oneRoundTripEach(times))
                    .as("one round trip per acquire: %s in all (%s)", total(times), times)
                    .isTrue();
        }
    }

    /** The case the checker must reject: the create, then the listing after its answer. */
    @Test
    void theCheckerRejectsAnAcquireThatListsAfterTheCreatesAnswer() throws Exception {
        try (EmbeddedZooKeeper server = EmbeddedZooKeeper.start(0, null, NO_CONTAINER_CLEANUP);
                FaultProxy proxy = FaultProxy.start("127.0.0.1", server.port());
                CuratorFramework viaProxy = ZkTests.rawClient(proxy.address())) {
            String dir = LAYOUT.queue(Layout.Dir.MUTEX, "rtt/sequential");
            viaProxy.create().creatingParentContainersIfNeeded().forPath(dir);

            proxy.delay(Duration.ofMillis(ONE_WAY_MS));
            List<Duration> times = new ArrayList<>();
            for (int i = 0; i < ACQUIRES; i++) {
                long start = System.nanoTime();
                Stat stat = new Stat();
                String entry =
                        viaProxy.create()
                                .storingStatIn(stat)
                                .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                                .forPath(dir + "/mutex-");
                List<String> children = viaProxy.getChildren().forPath(dir);
                times.add(Duration.ofNanos(System.nanoTime() - start));
                assertThat(children).hasSize(1);
                viaProxy.delete().forPath(entry);
            }
            proxy.pass();

            assertThat(oneRoundTripEach(times))
                    .as("two round trips per acquire: %s in all (%s)", total(times), times)
                    .isFalse();
        }
    }

    /**
     * A waiter's first look lists the holder before it: it watches its predecessor and is granted
     * when the holder leaves, with its own entry's czxid.
     */
    @Test
    void aFirstLookThatFindsAHolderWatchesItsPredecessor() throws Exception {
        try (EmbeddedZooKeeper server = EmbeddedZooKeeper.start(0, null, NO_CONTAINER_CLEANUP);
                FaultProxy proxy = FaultProxy.start("127.0.0.1", server.port());
                CuratorFramework raw = ZkTests.rawClient(server.connectString());
                Baton holder = Baton.connect(server.uri(), config());
                Baton waiter = Baton.connect("zookeeper://" + proxy.address(), config())) {
            String name = "rtt/waited";
            String dir = LAYOUT.queue(Layout.Dir.MUTEX, name);
            FencedLease held = holder.mutex(name).acquire(PATIENCE);
            proxy.delay(Duration.ofMillis(ONE_WAY_MS));

            CompletableFuture<FencedLease> waiting = waiter.mutex(name).acquireAsync(PATIENCE);
            await().atMost(PATIENCE).until(() -> raw.getChildren().forPath(dir).size() == 2);
            assertThat(waiting).isNotDone();
            held.release();

            FencedLease next = waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            List<String> children = raw.getChildren().forPath(dir);
            assertThat(children).hasSize(1);
            Stat stat = raw.checkExists().forPath(dir + "/" + children.get(0));
            assertThat(next.fencingToken())
                    .isEqualTo(stat.getCzxid())
                    .isGreaterThan(held.fencingToken());
            next.release();
            proxy.pass();
        }
    }

    /**
     * The connection breaks with the create and the first look both unanswered: Curator sends both
     * again, in no fixed order, after reconnecting. The acquire is granted once, on one entry, with
     * that entry's czxid.
     */
    @Test
    void anAcquireWhoseCreateAndFirstLookAreCutOffIsGrantedOnOneEntry() throws Exception {
        try (EmbeddedZooKeeper server = EmbeddedZooKeeper.start(0, null, NO_CONTAINER_CLEANUP);
                FaultProxy proxy = FaultProxy.start("127.0.0.1", server.port());
                CuratorFramework raw = ZkTests.rawClient(server.connectString());
                Baton baton = Baton.connect("zookeeper://" + proxy.address(), config())) {
            String name = "rtt/cut";
            String dir = LAYOUT.queue(Layout.Dir.MUTEX, name);
            // The queue exists, but this client never left it empty: the create goes through
            // Curator (ZooKeeperTwoRequestCycleTest cuts off the other kind).
            raw.create().creatingParentContainersIfNeeded().forPath(dir);

            proxy.blackhole(); // both requests are held, unanswered
            CompletableFuture<FencedLease> acquiring = baton.mutex(name).acquireAsync(PATIENCE);
            proxy.reset(); // ...and their connection dies: both fail with a connection loss
            assertThat(acquiring).isNotDone();
            proxy.pass();

            FencedLease lease = acquiring.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            List<String> children = raw.getChildren().forPath(dir);
            assertThat(children).as("one entry, not one per attempt").hasSize(1);
            Stat stat = raw.checkExists().forPath(dir + "/" + children.get(0));
            assertThat(lease.fencingToken()).isEqualTo(stat.getCzxid());
            lease.release();
            assertThat(raw.getChildren().forPath(dir)).isEmpty();
        }
    }
}
