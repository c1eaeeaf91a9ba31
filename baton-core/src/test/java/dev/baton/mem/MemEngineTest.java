package dev.baton.mem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.BackendUnavailableException;
import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.Candidacy;
import dev.baton.FencedLease;
import dev.baton.InvalidArgumentException;
import dev.baton.LeaseKind;
import dev.baton.LeaseLoss;
import dev.baton.LeaseState;
import dev.baton.LockSnapshot;
import dev.baton.WatchEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * What is particular to the in-memory engine: engines, namespaces and kinds kept apart, session
 * expiry, partitions and what survives them, reset. The shared contract runs in baton-testkit.
 */
class MemEngineTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private final List<Baton> clients = new ArrayList<>();
    private String engineName;
    private MemEngine engine;

    @BeforeEach
    void engine(TestInfo info) {
        engineName = "mem-test-" + info.getTestMethod().orElseThrow().getName();
        engine = MemEngine.named(engineName);
    }

    @AfterEach
    void close() {
        clients.forEach(Baton::close);
        MemEngine.reset(engineName);
    }

    private Baton client() {
        return client(
                BatonConfig.custom()
                        .leaseTtl(Duration.ofSeconds(5))
                        .safetyMargin(Duration.ofMillis(1500))
                        .build());
    }

    private Baton client(BatonConfig config) {
        Baton c = Baton.connect("mem:" + engineName, config);
        clients.add(c);
        return c;
    }

    private static ConditionFactory waitUntil() {
        return await().atMost(PATIENCE)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(10));
    }

    @Test
    void namedEnginesAreSeparate() {
        Baton here = client();
        try (Baton there = Baton.connect("mem:" + engineName + "-other")) {
            FencedLease one = here.mutex("x").acquire(PATIENCE);
            FencedLease two = there.mutex("x").acquire(PATIENCE);
            assertThat(one.isHeld()).isTrue();
            assertThat(two.isHeld()).isTrue();
        } finally {
            MemEngine.reset(engineName + "-other");
        }
    }

    @Test
    void namespacesAreSeparate() {
        Baton ns1 = client(BatonConfig.custom().namespace("ns1").build());
        Baton ns2 = client(BatonConfig.custom().namespace("ns2").build());
        ns1.mutex("x").acquire(PATIENCE);
        assertThat(ns2.mutex("x").tryAcquire()).isPresent();
        ns1.keyValue().put("k", "one");
        assertThat(ns2.keyValue().get("k")).isEmpty();
        assertThat(engine.entries("ns1", LeaseKind.MUTEX, "x")).hasSize(1);
        assertThat(engine.entries(LeaseKind.MUTEX, "x")).as("default namespace").isEmpty();
    }

    @Test
    void kindsLiveApartReadAndWriteShareAQueueAndInspectMergesThem() {
        Baton a = client();
        Baton b = client();
        FencedLease mutex = a.mutex("x").acquire(PATIENCE);
        FencedLease permit = b.semaphore("x", 2).acquire(PATIENCE);
        FencedLease write = b.readWriteLock("x").writeLock().acquire(PATIENCE);
        assertThat(a.readWriteLock("x").readLock().tryAcquire()).isEmpty();
        Candidacy candidacy = a.election("x").join(lease -> new CountDownLatch(1).await());
        waitUntil().until(candidacy::isLeader);

        LockSnapshot snapshot = a.inspect("x").orElseThrow();
        assertThat(snapshot.holders())
                .extracting(LockSnapshot.Holder::kind)
                .containsExactly(
                        LeaseKind.MUTEX,
                        LeaseKind.SEMAPHORE,
                        LeaseKind.WRITE,
                        LeaseKind.LEADERSHIP);
        assertThat(snapshot.holders())
                .extracting(LockSnapshot.Holder::fencingToken)
                .containsExactly(
                        mutex.fencingToken(),
                        permit.fencingToken(),
                        write.fencingToken(),
                        candidacy.leadership().orElseThrow().fencingToken());
        assertThat(b.election("x").leader()).contains(a.clientId());
        assertThat(engine.entries(LeaseKind.READ, "x"))
                .containsExactlyElementsOf(engine.entries(LeaseKind.WRITE, "x"));
        assertThat(engine.entries(LeaseKind.WRITE, "x"))
                .singleElement()
                .asString()
                .contains(b.clientId())
                .endsWith("held");
        assertThat(a.locks("")).extracting(LockSnapshot::name).containsExactly("x");
        candidacy.close();
    }

    @Test
    void anEngineExpiryReachesAReachableHolderBeforeTheNextGrant() throws Exception {
        Baton a = client();
        Baton b = client();
        FencedLease lease = a.mutex("x").acquire(PATIENCE);
        CompletableFuture<FencedLease> next = b.mutex("x").acquireAsync(PATIENCE);
        // What the holder's lease says at the moment the next client is granted.
        CompletableFuture<LeaseState> holderStateAtGrant = next.thenApply(l -> lease.state());
        waitUntil().until(() -> b.inspect("x").orElseThrow().waiters() == 1);

        engine.expire(a.clientId());
        FencedLease granted = next.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(holderStateAtGrant.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .isEqualTo(LeaseState.LOST);
        assertThat(lease.lost().toCompletableFuture().get().reason())
                .isEqualTo(LeaseLoss.Reason.SESSION_EXPIRED);
        granted.release();

        // Like a ZooKeeper client, the expired client carries on under a new session.
        assertThat(a.mutex("y").tryAcquire()).isPresent();
        assertThat(engine.clients()).contains(a.clientId());
    }

    @Test
    void aWaiterWhoseSessionExpiresFailsAndLeavesNothing() {
        Baton a = client();
        Baton b = client();
        a.mutex("x").acquire(PATIENCE);
        CompletableFuture<FencedLease> waiting = b.mutex("x").acquireAsync(PATIENCE);
        waitUntil().until(() -> a.inspect("x").orElseThrow().waiters() == 1);

        engine.expire(b.clientId());
        assertThatThrownBy(() -> waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("session expired");
        assertThat(engine.entries(LeaseKind.MUTEX, "x")).hasSize(1);
    }

    @Test
    void aCutOffClientsRequestsFailUntilHealed() {
        Baton a = client();
        FencedLease lease = a.mutex("x").acquire(PATIENCE);
        engine.partition(a.clientId());
        assertThatThrownBy(() -> a.inspect("x"))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("partitioned");
        assertThatThrownBy(() -> a.keyValue().get("k"))
                .isInstanceOf(BackendUnavailableException.class);
        assertThatThrownBy(() -> a.mutex("y").tryAcquire())
                .isInstanceOf(BackendUnavailableException.class);
        assertThatThrownBy(() -> a.mutex("y").acquire(PATIENCE))
                .isInstanceOf(BackendUnavailableException.class);
        assertThat(lease.state())
                .as("a failed request puts leases in doubt")
                .isEqualTo(LeaseState.IN_DOUBT);
        assertThat(engine.entries(LeaseKind.MUTEX, "y")).isEmpty();

        engine.heal(a.clientId());
        waitUntil().until(() -> lease.state() == LeaseState.HELD);
        assertThat(a.inspect("x").orElseThrow().holders()).hasSize(1);
    }

    @Test
    void aGrantToACutOffWaiterIsHandedOverWhenHeardAgain() throws Exception {
        Baton a = client();
        Baton b = client();
        FencedLease held = a.mutex("x").acquire(PATIENCE);
        CompletableFuture<FencedLease> waiting =
                b.mutex("x").acquireAsync(PATIENCE.multipliedBy(2));
        waitUntil().until(() -> a.inspect("x").orElseThrow().waiters() == 1);
        engine.partition(b.clientId());
        held.release();

        waitUntil()
                .until(
                        () ->
                                a.inspect("x").orElseThrow().holders().stream()
                                        .anyMatch(h -> h.clientId().equals(b.clientId())));
        assertThat(waiting).as("the grant cannot reach b").isNotDone();
        engine.heal(b.clientId());
        FencedLease lease = waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(lease.state()).isEqualTo(LeaseState.HELD);
        assertThat(lease.fencingToken()).isGreaterThan(held.fencingToken());
    }

    @Test
    void aReleaseThatCannotReachTheEngineIsSentAfterHeal() {
        Baton a = client();
        FencedLease lease = a.mutex("x").acquire(PATIENCE);
        engine.partition(a.clientId());
        assertThat(lease.release()).isTrue();
        assertThat(engine.entries(LeaseKind.MUTEX, "x")).hasSize(1);
        engine.heal(a.clientId());
        waitUntil().until(() -> engine.entries(LeaseKind.MUTEX, "x").isEmpty());
    }

    /**
     * The deadline passes during a partition shorter than the session timeout: the lease is lost,
     * the session survives, and the grant must still go (not linger while the session lives).
     */
    @Test
    void aLeaseLostToItsDeadlineDuringAShortPartitionDoesNotLeakItsGrant() throws Exception {
        Baton a =
                client(
                        BatonConfig.custom()
                                .leaseTtl(Duration.ofSeconds(4))
                                .safetyMargin(Duration.ofSeconds(2))
                                .build());
        Baton b = client();
        FencedLease lease = a.mutex("x").acquire(PATIENCE);
        engine.partition(a.clientId());
        waitUntil().until(() -> lease.state() == LeaseState.LOST);
        engine.heal(a.clientId()); // seconds before the session would expire
        assertThat(lease.lost().toCompletableFuture().get().reason())
                .isEqualTo(LeaseLoss.Reason.DEADLINE_PASSED);

        waitUntil().until(() -> engine.entries(LeaseKind.MUTEX, "x").isEmpty());
        assertThat(b.mutex("x").tryAcquire()).isPresent();
    }

    @Test
    void aCutOffWatcherGetsAResyncForWhatItMissed() {
        Baton watcher = client();
        Baton writer = client();
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        watcher.watch("p", events::add);
        writer.keyValue().put("p/k", "seen");
        waitUntil().until(() -> events.size() == 1);

        engine.partition(watcher.clientId());
        writer.keyValue().put("p/k", "missed");
        engine.heal(watcher.clientId());
        waitUntil().until(() -> events.stream().anyMatch(e -> e.type() == WatchEvent.Type.RESYNC));
        writer.keyValue().put("p/k", "after");
        waitUntil().until(() -> events.size() == 3);
        assertThat(events)
                .extracting(WatchEvent::type)
                .containsExactly(WatchEvent.Type.PUT, WatchEvent.Type.RESYNC, WatchEvent.Type.PUT);
        assertThat(events.get(2).value().orElseThrow().asString()).isEqualTo("after");
    }

    @Test
    void resetExpiresEverySessionAndStartsAFreshEngine() throws Exception {
        Baton a = client();
        FencedLease lease = a.mutex("x").acquire(PATIENCE);
        a.keyValue().put("k", "v");

        MemEngine.reset(engineName);
        assertThat(
                        lease.lost()
                                .toCompletableFuture()
                                .get(PATIENCE.toSeconds(), TimeUnit.SECONDS)
                                .reason())
                .isEqualTo(LeaseLoss.Reason.SESSION_EXPIRED);
        assertThatThrownBy(() -> a.inspect("x"))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("was reset");

        Baton fresh = client();
        assertThat(fresh.mutex("x").tryAcquire()).isPresent();
        assertThat(fresh.keyValue().get("k")).isEmpty();
        assertThat(MemEngine.named(engineName)).isNotSameAs(engine);
    }

    @Test
    void closingAClientFailsItsWaitersAndRemovesItsEntries() {
        Baton a = client();
        Baton b = client();
        a.mutex("x").acquire(PATIENCE);
        CompletableFuture<FencedLease> waiting = b.mutex("x").acquireAsync(PATIENCE);
        waitUntil().until(() -> a.inspect("x").orElseThrow().waiters() == 1);
        b.close();
        assertThatThrownBy(() -> waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(dev.baton.ClientClosedException.class);
        assertThat(engine.entries(LeaseKind.MUTEX, "x")).hasSize(1);
        assertThat(engine.clients()).containsExactly(a.clientId());
    }

    @Test
    void tokensComeFromOneEngineWideCounter() {
        Baton a = client();
        long previous = 0;
        for (String name : List.of("a", "b", "a", "c")) {
            FencedLease l = a.mutex(name).acquire(PATIENCE);
            assertThat(l.fencingToken()).isGreaterThan(previous);
            previous = l.fencingToken();
            l.release();
        }
        FencedLease sem = a.semaphore("a", 3).acquire(PATIENCE);
        assertThat(sem.fencingToken()).isGreaterThan(previous);
    }

    /**
     * Issue 3: expiring a cut-off holder used to grant the lock to the next client at once, while
     * the holder, never told, still reported its lease HELD: two holders. The next grant must come
     * only after the holder's own deadline has passed (TTL 3 s, margin 1 s: at least 1 s apart).
     */
    @Test
    void expiringACutOffHolderNeverLeavesTwoClientsHoldingTheLock() throws Exception {
        Baton a =
                client(
                        BatonConfig.custom()
                                .leaseTtl(Duration.ofSeconds(3))
                                .safetyMargin(Duration.ofSeconds(1))
                                .build());
        Baton b = client();
        FencedLease lease = a.mutex("x").acquire(PATIENCE);
        CompletableFuture<FencedLease> next = b.mutex("x").acquireAsync(PATIENCE);
        CompletableFuture<LeaseState> holderStateAtGrant = next.thenApply(l -> lease.state());
        waitUntil().until(() -> b.inspect("x").orElseThrow().waiters() == 1);

        engine.partition(a.clientId());
        engine.expire(a.clientId());
        FencedLease granted = next.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(holderStateAtGrant.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .isEqualTo(LeaseState.LOST);
        assertThat(granted.isHeld()).isTrue();
        assertThat(lease.lost().toCompletableFuture().get().reason())
                .isEqualTo(LeaseLoss.Reason.DEADLINE_PASSED);

        // After heal the client learns its session expired, and carries on under a new one.
        engine.heal(a.clientId());
        waitUntil().until(() -> engine.clients().contains(a.clientId()));
        assertThat(a.mutex("y").tryAcquire()).isPresent();
    }

    /**
     * Issue 4: two handles of one semaphore with different sizes (1 and 5) let two holders into a
     * semaphore of 1. The size the engine knows wins; the other handle is rejected, naming both.
     */
    @Test
    void semaphoreHandlesOfDifferentSizesCannotOversubscribeIt() {
        Baton a = client();
        Baton b = client();
        FencedLease one = a.semaphore("s", 1).acquire(PATIENCE);
        assertThatThrownBy(() -> b.semaphore("s", 5).tryAcquire())
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(
                        "semaphore \"s\" has 1 permits in the engine, but this handle was made with 5");
        assertThatThrownBy(() -> b.semaphore("s", 5).acquire(PATIENCE))
                .isInstanceOf(InvalidArgumentException.class);
        assertThat(engine.entries(LeaseKind.SEMAPHORE, "s")).hasSize(1);
        one.release();
        assertThat(b.semaphore("s", 5).tryAcquire()).as("a new queue takes a new size").isPresent();
    }

    /** Issue 12: fencing tokens restarted at 1 when an engine was reset. */
    @Test
    void fencingTokensNeverDecreaseAcrossReset() {
        Baton a = client();
        long before = 0;
        for (int i = 0; i < 3; i++) {
            FencedLease l = a.mutex("x").acquire(PATIENCE);
            before = l.fencingToken();
            l.release();
        }
        MemEngine.reset(engineName);
        Baton fresh = client();
        assertThat(fresh.mutex("x").acquire(PATIENCE).fencingToken()).isGreaterThan(before);
    }

    /**
     * Issue 5: the engine calls watch sinks under its lock; listeners themselves must never run
     * there. (Guard: the core's sinks only enqueue and hand draining to Baton's own pool.)
     */
    @Test
    void watchListenersNeverRunUnderTheEngineLock() {
        Baton watcher = client();
        Baton writer = client();
        List<Boolean> underLock = new CopyOnWriteArrayList<>();
        watcher.watch("p", e -> underLock.add(engine.lockHeldByCurrentThread()));
        writer.keyValue().put("p/k", "v");
        writer.mutex("p/m").acquire(PATIENCE).release();
        waitUntil().until(() -> underLock.size() >= 3);
        assertThat(underLock).containsOnly(false);
    }
}
