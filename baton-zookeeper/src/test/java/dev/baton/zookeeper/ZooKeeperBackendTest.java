package dev.baton.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.ClientClosedException;
import dev.baton.FencedLease;
import dev.baton.LeaseKind;
import dev.baton.LeaseState;
import dev.baton.LockInterruptedException;
import dev.baton.LockSnapshot;
import dev.baton.LockTimeoutException;
import dev.baton.Versioned;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Engine-level checks on one server: what the znodes look like, and that nothing is left. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ZooKeeperBackendTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Layout LAYOUT = new Layout(BatonConfig.DEFAULT_NAMESPACE);

    private static EmbeddedZooKeeper server;
    private static CuratorFramework raw;

    @BeforeAll
    static void start() {
        // Empty lock directories are removed every 500 ms instead of every minute.
        server = EmbeddedZooKeeper.start(0, null, Duration.ofMillis(500));
        raw = ZkTests.rawClient(server.connectString());
    }

    @AfterAll
    static void stop() {
        raw.close();
        server.close();
    }

    private static Baton client() {
        return Baton.connect(server.uri());
    }

    private static List<String> children(String path) throws Exception {
        try {
            return raw.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    private static boolean exists(String path) throws Exception {
        return raw.checkExists().forPath(path) != null;
    }

    /** CURATOR-604/678: the sequence restarts with a re-created container; the token must not. */
    @Test
    void tokensKeepRisingWhenTheEmptiedQueueDirectoryIsRemovedAndRecreated() throws Exception {
        String name = "fencing/recreated";
        String dir = LAYOUT.queue(Layout.Dir.MUTEX, name);
        try (Baton a = client()) {
            long previous = -1;
            for (int round = 0; round < 3; round++) {
                FencedLease lease = a.mutex(name).acquire(PATIENCE);
                String node = children(dir).get(0);
                // Every round starts a fresh directory, so the sequence is back at 0 ...
                assertThat(node).as("round %d", round).endsWith("0000000000");
                // ... while the token, the entry's czxid, keeps rising.
                assertThat(lease.fencingToken()).as("round %d", round).isGreaterThan(previous);
                previous = lease.fencingToken();
                lease.release();
                await("the container manager to remove the emptied directory")
                        .atMost(PATIENCE)
                        .until(() -> !exists(dir));
            }
        }
    }

    @Test
    void anEntryIsAProtectedEphemeralSequentialNodeWhoseCzxidIsTheToken() throws Exception {
        String name = "shape/one";
        try (Baton a = client()) {
            FencedLease lease = a.semaphore(name, 5).acquire(2, PATIENCE);
            String dir = LAYOUT.queue(Layout.Dir.SEMAPHORE, name);
            assertThat(dir).isEqualTo("/baton/semaphore/shape:one");
            List<String> nodes = children(dir);
            assertThat(nodes).hasSize(1);
            assertThat(nodes.get(0)).matches("_c_[0-9a-f-]{36}-sem-2-\\d{10}");
            Stat stat = new Stat();
            byte[] data = raw.getData().storingStatIn(stat).forPath(dir + "/" + nodes.get(0));
            assertThat(stat.getCzxid()).isEqualTo(lease.fencingToken());
            assertThat(stat.getEphemeralOwner()).isEqualTo(ZkTests.zooKeeperOf(a).getSessionId());
            assertThat(new String(data, StandardCharsets.UTF_8))
                    .contains("client=" + a.clientId())
                    .contains("kind=SEMAPHORE")
                    .contains("permits=2")
                    .contains("limit=5");
            LockSnapshot s = a.inspect(name).orElseThrow();
            assertThat(s.holders())
                    .singleElement()
                    .satisfies(
                            h -> {
                                assertThat(h.clientId()).isEqualTo(a.clientId());
                                assertThat(h.kind()).isEqualTo(LeaseKind.SEMAPHORE);
                                assertThat(h.permits()).isEqualTo(2);
                                assertThat(h.fencingToken()).isEqualTo(lease.fencingToken());
                            });
            lease.release();
            assertThat(children(dir)).isEmpty();
        }
    }

    @Test
    void aMutexAndASemaphoreOfTheSameNameAreUnrelatedButInspectShowsBoth() throws Exception {
        String name = "kinds/shared";
        try (Baton a = client();
                Baton b = client()) {
            FencedLease m = a.mutex(name).acquire(PATIENCE);
            FencedLease s = b.semaphore(name, 1).tryAcquire().orElseThrow();
            assertThat(a.inspect(name).orElseThrow().holders())
                    .extracting(LockSnapshot.Holder::kind)
                    .contains(LeaseKind.MUTEX, LeaseKind.SEMAPHORE);
            assertThat(a.locks("kinds")).extracting(LockSnapshot::name).containsExactly(name);
            m.release();
            s.release();
        }
    }

    /** Timeout, interrupt and cancel on every kind of queue leave no znode behind. */
    @Test
    void givingUpLeavesNoZnodeInAnyQueue() throws Exception {
        try (Baton a = client();
                Baton b = client()) {
            record Case(LeaseKind kind, String name) {}
            List<Case> cases =
                    List.of(
                            new Case(LeaseKind.SEMAPHORE, "residue/sem"),
                            new Case(LeaseKind.WRITE, "residue/rw"),
                            new Case(LeaseKind.READ, "residue/rw2"),
                            new Case(LeaseKind.MUTEX, "residue/mutex"));
            for (Case c : cases) {
                String dir = LAYOUT.queue(Layout.Dir.of(c.kind()), c.name());
                FencedLease held = holdExclusively(a, c.kind(), c.name());
                // timeout
                assertThatThrownBy(
                                () -> lockOf(b, c.kind(), c.name()).acquire(Duration.ofSeconds(1)))
                        .isInstanceOf(LockTimeoutException.class);
                assertThat(children(dir)).as("%s after a timeout", c).hasSize(1);
                // cancel
                CompletableFuture<FencedLease> f =
                        lockOf(b, c.kind(), c.name()).acquireAsync(PATIENCE);
                await().atMost(PATIENCE).until(() -> children(dir).size() == 2);
                assertThat(f.cancel(true)).isTrue();
                await().atMost(PATIENCE).until(() -> children(dir).size() == 1);
                // interrupt
                AtomicReference<Throwable> outcome = new AtomicReference<>();
                Thread waiter =
                        new Thread(
                                () -> {
                                    try {
                                        lockOf(b, c.kind(), c.name()).acquire(PATIENCE);
                                    } catch (Throwable t) {
                                        outcome.set(t);
                                    }
                                });
                waiter.start();
                await().atMost(PATIENCE).until(() -> children(dir).size() == 2);
                waiter.interrupt();
                waiter.join(PATIENCE.toMillis());
                assertThat(outcome.get()).isInstanceOf(LockInterruptedException.class);
                // The interrupted caller returns only after its entry is gone.
                assertThat(children(dir)).as("%s after an interrupt", c).hasSize(1);
                held.release();
                assertThat(children(dir)).as("%s after release", c).isEmpty();
            }
        }
    }

    private static dev.baton.LeaseLock lockOf(Baton b, LeaseKind kind, String name) {
        return switch (kind) {
            case SEMAPHORE -> b.semaphore(name, 2);
            case WRITE -> b.readWriteLock(name).writeLock();
            case READ -> b.readWriteLock(name).readLock();
            case MUTEX, LEADERSHIP -> b.mutex(name);
            case MONITOR -> throw new IllegalArgumentException("a monitor is not a LeaseLock");
        };
    }

    private static FencedLease holdExclusively(Baton a, LeaseKind kind, String name) {
        return switch (kind) {
            case SEMAPHORE -> a.semaphore(name, 2).acquire(2, PATIENCE);
            case READ -> a.readWriteLock(name).writeLock().acquire(PATIENCE);
            default -> lockOf(a, kind, name).acquire(PATIENCE);
        };
    }

    @Test
    void aWaiterWhoseClientClosesLeavesNothingAndFails() throws Exception {
        String name = "residue/closed";
        String dir = LAYOUT.queue(Layout.Dir.MUTEX, name);
        try (Baton a = client()) {
            FencedLease held = a.mutex(name).acquire(PATIENCE);
            Baton b = client();
            CompletableFuture<FencedLease> waiting = b.mutex(name).acquireAsync(PATIENCE);
            await().atMost(PATIENCE).until(() -> children(dir).size() == 2);
            b.close();
            assertThat(children(dir)).as("only the holder's entry").hasSize(1);
            assertThatThrownBy(() -> waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(ClientClosedException.class);
            assertThat(held.state()).isEqualTo(LeaseState.HELD);
            held.release();
        }
    }

    @Test
    void deletesAreTombstonesSoVersionsKeepRising() throws Exception {
        String key = "kv/tomb";
        String path = LAYOUT.key(key);
        try (Baton a = client()) {
            Versioned v1 = a.keyValue().put(key, "one");
            assertThat(v1.version()).isEqualTo(1);
            assertThat(a.keyValue().delete(key)).isTrue();
            Stat stat = new Stat();
            byte[] tombstone = raw.getData().storingStatIn(stat).forPath(path);
            // A tombstone stays behind: a marker byte 0 and the delete's nonce, no value.
            assertThat(tombstone).as("a tombstone stays behind").hasSize(9).startsWith(0);
            assertThat(ZooKeeperKeyValue.decode(tombstone)).isEmpty();
            assertThat(a.keyValue().get(key)).isEmpty();
            assertThat(a.keyValue().keys("kv")).doesNotContain(key);
            // The tombstone's own version is never a value's: a CAS guessing it fails.
            assertThat(a.keyValue().compareAndSet(key, stat.getVersion() + 1L, "guess")).isEmpty();
            assertThat(a.keyValue().delete(key, stat.getVersion() + 1L)).isFalse();
            Versioned v3 = a.keyValue().compareAndSet(key, Versioned.ABSENT, "three").orElseThrow();
            assertThat(v3.version()).isGreaterThan(stat.getVersion() + 1L);
            assertThat(a.keyValue().compareAndSet(key, v1.version(), "aba")).isEmpty();
            assertThat(a.keyValue().get(key).orElseThrow()).isEqualTo(v3);
            assertThat(a.keyValue().keys("kv")).containsExactly(key);
            assertThatThrownBy(
                            () ->
                                    a.keyValue()
                                            .put(
                                                    key,
                                                    new byte
                                                            [ZooKeeperKeyValue.MAX_VALUE_BYTES
                                                                    + 1]))
                    .isInstanceOf(dev.baton.InvalidArgumentException.class)
                    .hasMessageContaining(key)
                    .hasMessageContaining("at most");
        }
    }

    @Test
    void theUriPathIsTheNamespace() throws Exception {
        try (Baton a = Baton.connect(server.uri() + "/tenant/a");
                Baton b = Baton.connect(server.uri() + "/tenant/b")) {
            FencedLease la = a.mutex("shared").acquire(PATIENCE);
            FencedLease lb = b.mutex("shared").tryAcquire().orElseThrow();
            assertThat(children("/tenant/a/mutex/shared")).hasSize(1);
            assertThat(children("/tenant/b/mutex/shared")).hasSize(1);
            assertThat(a.inspect("shared").orElseThrow().holders())
                    .extracting(LockSnapshot.Holder::clientId)
                    .containsExactly(a.clientId());
            la.release();
            lb.release();
        }
    }

    /**
     * Renewal is one logical round trip per tick for all leases, however many are held: a sync
     * (through the leader) and the listing of the session's ephemerals, pipelined.
     */
    @Test
    void renewalCostsOneRequestPerTickNotOnePerLease() throws Exception {
        try (EmbeddedZooKeeper own = EmbeddedZooKeeper.start(0, null);
                Baton a =
                        Baton.connect(
                                own.uri(),
                                BatonConfig.custom().leaseTtl(Duration.ofSeconds(6)).build())) {
            int count = 200;
            List<FencedLease> leases = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                leases.add(a.mutex("renew/" + i).acquire(PATIENCE));
            }
            FencedLease probe = leases.get(0);
            long before = own.server().serverStats().getPacketsReceived();
            int ticks = 3;
            for (int t = 0; t < ticks; t++) {
                // The deadline, seen from outside: now + time left. A renewal moves it forward by
                // a whole tick (TTL/3 = 2 s); waiting for 1 s of it tells a tick from jitter.
                long deadline = System.nanoTime() + probe.remaining().toNanos();
                await("renewal tick " + t)
                        .atMost(PATIENCE)
                        .pollInterval(Duration.ofMillis(10))
                        .until(
                                () ->
                                        System.nanoTime() + probe.remaining().toNanos() - deadline
                                                > TimeUnit.SECONDS.toNanos(1));
            }
            long packets = own.server().serverStats().getPacketsReceived() - before;
            // Per tick: sync and getEphemerals, perhaps a ping; per lease would be 200 per tick.
            assertThat(packets)
                    .as("requests in %d ticks for %d leases", ticks, count)
                    .isBetween(2L * (ticks - 1), 4L * (ticks + 1));
            assertThat(leases).allMatch(l -> l.state() == LeaseState.HELD);
            leases.forEach(FencedLease::release);
        }
    }

    /**
     * release() on ZooKeeper's event thread (a callback that releases) must not wait for the
     * delete's answer, which only that thread can deliver: it sends the guaranteed delete and
     * returns. Waiting would block every answer and watch of the client for the connect timeout and
     * then fail.
     */
    @Test
    void releaseOnZooKeepersEventThreadDoesNotWaitForAnAnswerOnlyThatThreadCanDeliver()
            throws Exception {
        String name = "release/event-thread";
        String dir = LAYOUT.queue(Layout.Dir.MUTEX, name);
        try (Baton a =
                Baton.connect(
                        server.uri(),
                        BatonConfig.custom().connectTimeout(Duration.ofSeconds(5)).build())) {
            FencedLease lease = a.mutex(name).acquire(PATIENCE);
            String entry = dir + "/" + children(dir).get(0); // the lease's grant
            ZooKeeperBackend backend = ZkTests.backendOf(a);
            CompletableFuture<String> thread = new CompletableFuture<>();
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            ZkTests.clientOf(a)
                    .curator()
                    .checkExists()
                    .inBackground(
                            (c, e) -> {
                                thread.complete(Thread.currentThread().getName());
                                try {
                                    backend.release(entry);
                                    outcome.complete(null);
                                } catch (Throwable t) {
                                    outcome.complete(t);
                                }
                            })
                    .forPath("/");
            assertThat(thread.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).endsWith("-EventThread");
            assertThat(outcome.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .as("release on the event thread")
                    .isNull();
            await("the entry to be deleted").atMost(PATIENCE).until(() -> children(dir).isEmpty());
        }
    }

    /**
     * Clients that disagree on a semaphore's size could oversubscribe it: the earliest live entry
     * fixed the size, and a handle made with another is refused without leaving its entry behind.
     */
    @Test
    void aSemaphoreHandleWithAnotherLimitIsRefusedAndLeavesNoEntry() throws Exception {
        String name = "s";
        String dir = LAYOUT.queue(Layout.Dir.SEMAPHORE, name);
        try (Baton a = client();
                Baton b = client()) {
            FencedLease held = a.semaphore(name, 1).acquire(PATIENCE);
            assertThatThrownBy(() -> b.semaphore(name, 5).acquire(PATIENCE))
                    .isInstanceOf(dev.baton.InvalidArgumentException.class)
                    .hasMessage(
                            "semaphore \"s\" has 1 permits in the engine, but this handle was made"
                                    + " with 5");
            assertThat(children(dir)).as("only the holder's entry").hasSize(1);
            assertThatThrownBy(() -> b.semaphore(name, 5).tryAcquire())
                    .isInstanceOf(dev.baton.InvalidArgumentException.class);
            assertThat(children(dir)).as("only the holder's entry").hasSize(1);
            // The same size queues as usual.
            assertThat(b.semaphore(name, 1).tryAcquire()).isEmpty();
            held.release();
            // Once the queue is empty, the next entry fixes the size anew.
            FencedLease five = b.semaphore(name, 5).acquire(PATIENCE);
            assertThatThrownBy(() -> a.semaphore(name, 1).tryAcquire())
                    .isInstanceOf(dev.baton.InvalidArgumentException.class)
                    .hasMessageContaining("has 5 permits in the engine");
            five.release();
            assertThat(children(dir)).isEmpty();
        }
    }
}
