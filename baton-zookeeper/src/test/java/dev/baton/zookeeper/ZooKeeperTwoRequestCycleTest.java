package dev.baton.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FencedLease;
import dev.baton.faults.FaultProxy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.ServerCnxn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The two-request cycle ({@link EmptyQueues}): a client that left a queue empty acquires it again
 * with the create alone, and anything that happened to the queue meanwhile sends it back to the
 * listing. Requests are counted at the server, on the client's own connection ({@link
 * ServerCnxn#getPacketsReceived}), so another client's requests do not count; pings and renewals
 * add a few over a run of {@value #CYCLES} cycles, so the checker allows a quarter request per
 * cycle above two and lies half a request below three, which is what a cycle costs with the listing
 * (the case it is shown to reject).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ZooKeeperTwoRequestCycleTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Layout LAYOUT = new Layout(BatonConfig.DEFAULT_NAMESPACE);
    private static final int CYCLES = 200;

    /** Containers are not removed during a test: a missing parent costs extra requests. */
    private static final Duration NO_CONTAINER_CLEANUP = Duration.ofHours(1);

    private static BatonConfig config() {
        return BatonConfig.custom()
                .leaseTtl(Duration.ofSeconds(20))
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** The checker: requests per cycle as a bare create + delete makes them. */
    private static boolean twoRequestsPerCycle(long requests, int cycles) {
        return requests >= 2L * cycles && requests * 4 < 9L * cycles;
    }

    /** Requests the server has received so far on {@code baton}'s connection. */
    private static long requestsOf(EmbeddedZooKeeper server, Baton baton) {
        long session = ZkTests.zooKeeperOf(baton).getSessionId();
        for (ServerCnxn c : server.server().getServerCnxnFactory().getConnections()) {
            if (c.getSessionId() == session) {
                return c.getPacketsReceived();
            }
        }
        throw new IllegalStateException("no connection of session 0x" + Long.toHexString(session));
    }

    /** One acquire and release; the token is the entry's czxid and above {@code previous}. */
    private static long cycle(Baton baton, String name, long previous) {
        FencedLease lease = baton.mutex(name).acquire(PATIENCE);
        assertThat(lease.fencingToken()).isGreaterThan(previous);
        lease.release();
        return lease.fencingToken();
    }

    @Test
    void aClientThatLeftAQueueEmptyCyclesInTwoRequestsWithTheEntrysCzxidAsToken() throws Exception {
        try (EmbeddedZooKeeper server = EmbeddedZooKeeper.start(0, null, NO_CONTAINER_CLEANUP);
                CuratorFramework raw = ZkTests.rawClient(server.connectString());
                Baton baton = Baton.connect(server.uri(), config())) {
            String name = "two/alone";
            String dir = LAYOUT.queue(Layout.Dir.MUTEX, name);
            long token = cycle(baton, name, 0); // makes the directory, lists: not counted

            // The token of a two-request grant is its entry's czxid.
            FencedLease held = baton.mutex(name).acquire(PATIENCE);
            List<String> children = raw.getChildren().forPath(dir);
            assertThat(children).hasSize(1);
            Stat stat = raw.checkExists().forPath(dir + "/" + children.get(0));
            assertThat(held.fencingToken()).isEqualTo(stat.getCzxid()).isGreaterThan(token);
            token = held.fencingToken();
            held.release();

            long before = requestsOf(server, baton);
            for (int i = 0; i < CYCLES; i++) {
                token = cycle(baton, name, token);
            }
            long requests = requestsOf(server, baton) - before;
            assertThat(twoRequestsPerCycle(requests, CYCLES))
                    .as("%d requests for %d cycles", requests, CYCLES)
                    .isTrue();
            assertThat(raw.getChildren().forPath(dir)).isEmpty();
        }
    }

    /**
     * Another client creating and deleting an entry between two cycles spoils the record: every
     * acquire lists the queue again (three requests a cycle), which the checker rejects.
     */
    @Test
    void aQueueTouchedByAnotherClientInBetweenIsListedAgain() throws Exception {
        try (EmbeddedZooKeeper server = EmbeddedZooKeeper.start(0, null, NO_CONTAINER_CLEANUP);
                CuratorFramework raw = ZkTests.rawClient(server.connectString());
                Baton baton = Baton.connect(server.uri(), config())) {
            String name = "two/touched";
            String dir = LAYOUT.queue(Layout.Dir.MUTEX, name);
            long token = cycle(baton, name, 0);

            long requests = 0;
            for (int i = 0; i < CYCLES; i++) {
                String other =
                        raw.create()
                                .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                                .forPath(dir + "/mutex-");
                raw.delete().forPath(other);
                long before = requestsOf(server, baton);
                token = cycle(baton, name, token);
                requests += requestsOf(server, baton) - before;
            }
            assertThat(requests)
                    .as("%d requests for %d cycles", requests, CYCLES)
                    .isGreaterThanOrEqualTo(3L * CYCLES);
            assertThat(twoRequestsPerCycle(requests, CYCLES)).isFalse();
        }
    }

    /**
     * A holder that queued between two cycles of this client: the create is given the sequence this
     * client expects (one create came and one went), but the queue is not empty, and the acquire
     * waits for the holder.
     */
    @Test
    void aHolderThatArrivedInBetweenIsWaitedFor() throws Exception {
        try (EmbeddedZooKeeper server = EmbeddedZooKeeper.start(0, null, NO_CONTAINER_CLEANUP);
                Baton baton = Baton.connect(server.uri(), config());
                Baton other = Baton.connect(server.uri(), config())) {
            String name = "two/holder";
            cycle(baton, name, 0);
            FencedLease held = other.mutex(name).acquire(PATIENCE);

            assertThat(baton.mutex(name).tryAcquire()).isEmpty();
            CompletableFuture<FencedLease> waiting = baton.mutex(name).acquireAsync(PATIENCE);
            assertThat(waiting).isNotDone();
            held.release();
            FencedLease next = waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
            next.release();
        }
    }

    /**
     * The queue directory was removed and made again, and the new one's counter reached the
     * sequence this client expects while another entry holds it: the directory's czxid tells the
     * two apart, and the acquire is not granted.
     */
    @Test
    void aQueueDirectoryMadeAgainIsNotTakenForTheOneLeftEmpty() throws Exception {
        try (EmbeddedZooKeeper server = EmbeddedZooKeeper.start(0, null, NO_CONTAINER_CLEANUP);
                CuratorFramework raw = ZkTests.rawClient(server.connectString());
                Baton baton = Baton.connect(server.uri(), config())) {
            String name = "two/again";
            String dir = LAYOUT.queue(Layout.Dir.MUTEX, name);
            cycle(baton, name, 0); // its entry had sequence 0: the record expects 1

            raw.delete().forPath(dir);
            raw.create().forPath(dir);
            String holder =
                    raw.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(dir + "/mutex-");
            assertThat(holder).endsWith("0000000000");

            Optional<FencedLease> lease = baton.mutex(name).tryAcquire();
            assertThat(lease).as("granted past %s", holder).isEmpty();
            assertThat(raw.getChildren().forPath(dir)).hasSize(1);
        }
    }

    /**
     * The connection breaks with the two-request create unanswered: it is sent once, never again by
     * Curator, so the request finds its entry by its protection prefix or sends it again, and is
     * granted once, on one entry, with that entry's czxid.
     */
    @Test
    void aTwoRequestCreateWhoseAnswerIsCutOffIsGrantedOnOneEntry() throws Exception {
        try (EmbeddedZooKeeper server = EmbeddedZooKeeper.start(0, null, NO_CONTAINER_CLEANUP);
                FaultProxy proxy = FaultProxy.start("127.0.0.1", server.port());
                CuratorFramework raw = ZkTests.rawClient(server.connectString());
                Baton baton = Baton.connect("zookeeper://" + proxy.address(), config())) {
            String name = "two/cut";
            String dir = LAYOUT.queue(Layout.Dir.MUTEX, name);
            cycle(baton, name, 0);

            proxy.blackhole();
            CompletableFuture<FencedLease> acquiring = baton.mutex(name).acquireAsync(PATIENCE);
            proxy.reset();
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
