package dev.baton.integration;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FencedLease;
import dev.baton.LeaseLoss;
import dev.baton.LeaseState;
import dev.baton.LockSnapshot;
import dev.baton.testkit.BackendFixture;
import java.time.Duration;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.springframework.integration.leader.Context;
import org.springframework.integration.leader.DefaultCandidate;
import org.springframework.integration.leader.event.LeaderEventPublisher;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;

/**
 * What a {@link BatonLockRegistry} promises, against one engine: each backend's test extends this
 * once with a {@link BackendFixture}. Every test has two Baton clients, {@code a} and {@code b}
 * (two JVMs as far as the engine can tell), each with its own registry over the same names, under a
 * name prefix of the test's own. Lease TTL 2 s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LockRegistryContract {
    static final Duration TTL = Duration.ofSeconds(2);
    private static final AtomicInteger TESTS = new AtomicInteger();

    private BackendFixture fixture;
    private String prefix;
    private ExecutorService pool;
    Baton a;
    Baton b;
    BatonLockRegistry ra;
    BatonLockRegistry rb;

    /** The engine for the whole class. */
    protected abstract BackendFixture startFixture();

    @BeforeAll
    void startEngine() {
        fixture = startFixture();
    }

    @AfterAll
    void stopEngine() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @BeforeEach
    void connect(TestInfo test) {
        prefix =
                "si/"
                        + test.getTestMethod().orElseThrow().getName()
                        + "-"
                        + TESTS.incrementAndGet()
                        + "/";
        BatonConfig config = BatonConfig.custom().leaseTtl(TTL).build();
        a = fixture.connectPartitionable(config);
        b = fixture.connect(config);
        ra = new BatonLockRegistry(a, prefix);
        rb = new BatonLockRegistry(b, prefix);
        pool = Executors.newCachedThreadPool();
    }

    @AfterEach
    void disconnect() {
        pool.shutdownNow();
        a.close();
        b.close();
    }

    /** Requests waiting in the engine's queue for {@code key}. */
    private int waiters(String key) {
        return b.inspect(prefix + key).map(LockSnapshot::waiters).orElse(0);
    }

    private static long token(BatonLock lock) {
        return lock.lease().orElseThrow().fencingToken();
    }

    @Test
    void aThreadReentersItsLockOverOneLeaseAndTheFinalUnlockReleasesIt() throws Exception {
        BatonLock lock = ra.obtain("k");
        BatonLock other = rb.obtain("k");

        lock.lock();
        long token = token(lock);
        assertThat(lock.tryLock()).isTrue();
        lock.lockInterruptibly();
        assertThat(lock.tryLock(1, SECONDS)).isTrue();
        assertThat(ra.executeLocked("k", () -> token(ra.obtain("k")))).isEqualTo(token);

        assertThat(token(lock)).as("one lease for all holds").isEqualTo(token);
        assertThat(ra.obtain("k")).as("the handle in use").isSameAs(lock);
        for (int hold = 4; hold > 1; hold--) {
            lock.unlock();
            assertThat(lock.isHeldByCurrentThread()).isTrue();
            assertThat(other.tryLock()).as("still held after an inner unlock").isFalse();
        }
        lock.unlock();

        assertThat(lock.isHeldByCurrentThread()).isFalse();
        assertThat(lock.lease()).isEmpty();
        assertThat(ra.keysInUse()).isZero();
        assertThat(other.tryLock()).isTrue();
        assertThat(token(other)).isGreaterThan(token);
        other.unlock();
    }

    @Test
    void onlyTheHoldingThreadMayUnlock() throws Exception {
        BatonLock lock = ra.obtain("k");
        assertThatThrownBy(lock::unlock)
                .as("never locked")
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("\"k\"");

        lock.lock();
        Future<Throwable> byOther = pool.submit(() -> catching(lock::unlock));
        assertThat(byOther.get(10, SECONDS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("You do not own the lock for key \"k\"");
        assertThat(pool.submit(() -> ra.obtain("k").tryLock()).get(10, SECONDS))
                .as("another thread of the same registry is excluded")
                .isFalse();
        assertThat(pool.submit(() -> ra.obtain("k").lease()).get(10, SECONDS)).isEmpty();
        assertThat(lock.isAcquiredInThisProcess()).isTrue();

        lock.unlock();
        assertThatThrownBy(lock::unlock).isInstanceOf(IllegalStateException.class);
        assertThat(ra.keysInUse()).isZero();
    }

    @Test
    void twoRegistriesOnTwoClientsExcludeEachOther() {
        BatonLock la = ra.obtain("k");
        BatonLock lb = rb.obtain("k");

        assertThat(la.tryLock()).isTrue();
        long first = token(la);
        assertThat(lb.tryLock()).isFalse();
        assertThat(rb.keysInUse()).as("a refused attempt leaves no state").isZero();
        la.unlock();

        assertThat(lb.tryLock()).isTrue();
        assertThat(token(lb)).isGreaterThan(first);
        assertThat(la.tryLock()).isFalse();
        lb.unlock();
        assertThat(b.inspect(lb.name())).isEmpty();
    }

    @Test
    void tryLockWithATimeoutTimesOutWhileHeldAndSucceedsOnceReleased() throws Exception {
        BatonLock la = ra.obtain("k");
        BatonLock lb = rb.obtain("k");
        la.lock();
        long first = token(la);

        long started = System.nanoTime();
        assertThat(lb.tryLock(1, SECONDS)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(waiters("k")).as("the timed-out request was withdrawn").isZero();
        assertThat(rb.keysInUse()).isZero();

        Future<Long> waiting =
                pool.submit(
                        () -> {
                            if (!lb.tryLock(30, SECONDS)) {
                                return -1L;
                            }
                            try {
                                return token(lb);
                            } finally {
                                lb.unlock();
                            }
                        });
        await().atMost(Duration.ofSeconds(10)).until(() -> waiters("k") == 1);
        la.unlock();
        assertThat(waiting.get(10, SECONDS)).isGreaterThan(first);
    }

    @Test
    void lockInterruptiblyGivesUpOnAnInterruptAndLeavesNothingBehind() throws Exception {
        BatonLock la = ra.obtain("k");
        BatonLock lb = rb.obtain("k");
        la.lock();

        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        AtomicInteger flagAfter = new AtomicInteger(-1);
        Thread waiter =
                new Thread(
                        () -> {
                            try {
                                lb.lockInterruptibly();
                                lb.unlock();
                                outcome.complete(null);
                            } catch (Throwable e) {
                                flagAfter.set(Thread.currentThread().isInterrupted() ? 1 : 0);
                                outcome.complete(e);
                            }
                        },
                        "interruptible-waiter");
        waiter.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> waiters("k") == 1);
        waiter.interrupt();

        assertThat(outcome.get(10, SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(flagAfter.get()).as("interrupt flag cleared, as Lock specifies").isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> waiters("k") == 0);
        assertThat(rb.keysInUse()).isZero();

        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> lb.tryLock(1, SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();

        la.unlock();
        assertThat(lb.tryLock()).isTrue();
        lb.unlock();
    }

    @Test
    void lockIgnoresAnInterruptAndKeepsWaiting() throws Exception {
        BatonLock la = ra.obtain("k");
        BatonLock lb = rb.obtain("k");
        la.lock();
        AtomicInteger sawInterrupt = new AtomicInteger(-1);
        CompletableFuture<Long> outcome = new CompletableFuture<>();
        Thread waiter =
                new Thread(
                        () -> {
                            try {
                                lb.lock();
                                sawInterrupt.set(Thread.interrupted() ? 1 : 0);
                                long token = token(lb);
                                lb.unlock();
                                outcome.complete(token);
                            } catch (Throwable e) {
                                outcome.completeExceptionally(e);
                            }
                        },
                        "uninterruptible-waiter");
        waiter.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> waiters("k") == 1);
        waiter.interrupt();
        assertThat(outcome).isNotDone();

        long first = token(la);
        la.unlock();
        assertThat(outcome.get(10, SECONDS)).isGreaterThan(first);
        assertThat(sawInterrupt.get()).as("the interrupt flag is set again").isOne();
    }

    @Test
    void executeLockedRunsUnderTheLockAndTimesOutWhileAnotherHolds() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        ra.executeLocked(
                "k",
                () -> {
                    assertThat(ra.obtain("k").isHeldByCurrentThread()).isTrue();
                    assertThat(rb.obtain("k").tryLock()).isFalse();
                    runs.incrementAndGet();
                });
        assertThat(runs).hasValue(1);
        assertThat(ra.executeLocked("k", Duration.ofSeconds(5), () -> 42)).isEqualTo(42);
        assertThat(ra.keysInUse()).isZero();

        BatonLock lb = rb.obtain("k");
        lb.lock();
        try {
            assertThatThrownBy(() -> ra.executeLocked("k", Duration.ofSeconds(1), runs::get))
                    .isInstanceOf(TimeoutException.class)
                    .hasMessageContaining("k");
        } finally {
            lb.unlock();
        }
        assertThatThrownBy(
                        () ->
                                ra.executeLocked(
                                        "k",
                                        () -> {
                                            throw new java.io.IOException("boom");
                                        }))
                .isInstanceOf(java.io.IOException.class);
        assertThat(ra.keysInUse()).as("released after the task threw").isZero();
        assertThat(rb.obtain("k").tryLock()).isTrue();
        rb.obtain("k").unlock();
    }

    @Test
    void manyThreadsInTwoRegistriesIncrementASharedCounterExactly() throws Exception {
        CounterChecker.Result result = CounterChecker.run(List.of(ra, rb), "counter", 3, 30);
        assertThat(result.counted()).isEqualTo(result.expected()).isEqualTo(180);
        assertThat(result.overlaps()).isZero();
        assertThat(ra.keysInUse()).isZero();
        assertThat(rb.keysInUse()).isZero();
    }

    @Test
    void aLeaseLostByClosingTheClientFreesTheLockAndTheLosersUnlockThrows() throws Exception {
        BatonLock la = ra.obtain("k");
        BatonLock lb = rb.obtain("k");
        la.lock();
        FencedLease lease = la.lease().orElseThrow();
        CompletableFuture<LeaseLoss> lost = lease.lost().toCompletableFuture();

        a.close(); // its holder never unlocked

        assertThat(lost.get(10, SECONDS).reason()).isEqualTo(LeaseLoss.Reason.CLIENT_CLOSED);
        assertThat(lb.tryLock(TTL.toMillis(), MILLISECONDS)).as("within the lease TTL").isTrue();
        assertThat(token(lb)).isGreaterThan(lease.fencingToken());

        assertThatThrownBy(la::tryLock)
                .as("the holder's re-entry is refused")
                .isInstanceOf(LockLostException.class);
        assertThatThrownBy(() -> ra.renewLock("k"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("lost");
        assertThatThrownBy(la::unlock)
                .isInstanceOf(ConcurrentModificationException.class)
                .isInstanceOfSatisfying(
                        LockLostException.class,
                        e -> {
                            assertThat(e.key()).isEqualTo("k");
                            assertThat(e.fencingToken()).isEqualTo(lease.fencingToken());
                            assertThat(e.loss().reason()).isEqualTo(LeaseLoss.Reason.CLIENT_CLOSED);
                            assertThat(e).hasMessageContaining("was lost while held");
                        });
        assertThat(la.isAcquiredInThisProcess()).isFalse();
        assertThat(ra.keysInUse()).isZero();
        lb.unlock();
    }

    @Test
    void aCutOffHolderKnowsItsLeaseIsLostBeforeTheOtherRegistryGetsTheLock() throws Exception {
        BatonLock la = ra.obtain("k");
        BatonLock lb = rb.obtain("k");
        la.lock();
        FencedLease lease = la.lease().orElseThrow();

        fixture.partition(a); // the engine stops hearing a; its session expires after the TTL
        try {
            assertThat(lb.tryLock(30, SECONDS)).isTrue();
            assertThat(lease.state())
                    .as("lost on the holder's side by the time the other is granted")
                    .isEqualTo(LeaseState.LOST);
            assertThat(lease.lost().toCompletableFuture().get(10, SECONDS).reason())
                    .isIn(LeaseLoss.Reason.DEADLINE_PASSED, LeaseLoss.Reason.SESSION_EXPIRED);
        } finally {
            fixture.heal(a);
        }
        assertThatThrownBy(la::unlock).isInstanceOf(LockLostException.class);
        assertThat(ra.keysInUse()).isZero();
        lb.unlock();
    }

    @Test
    void renewLockConfirmsAHeldLeaseAndRefusesOtherwise() throws Exception {
        assertThatThrownBy(() -> ra.renewLock("k"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not hold it");
        BatonLock la = ra.obtain("k");
        la.lock();
        try {
            ra.renewLock("k");
            ra.renewLock("k", Duration.ofSeconds(30));
            assertThat(ra.currentLease("k"))
                    .get()
                    .extracting(FencedLease::state)
                    .isEqualTo(LeaseState.HELD);
            assertThat(pool.submit(() -> catching(() -> ra.renewLock("k"))).get(10, SECONDS))
                    .isInstanceOf(IllegalStateException.class);
        } finally {
            la.unlock();
        }
    }

    @Test
    void theLeaderInitiatorFailsOverWhenTheLeadersClientDies() throws Exception {
        Candidate ca = new Candidate(ra);
        Candidate cb = new Candidate(rb);
        LockRegistryLeaderInitiator ia = initiator(ra, ca);
        LockRegistryLeaderInitiator ib = initiator(rb, cb);
        try {
            ia.start();
            ib.start();
            // The initiator marks itself leader just before it calls onGranted: wait for the call.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> ca.granted.get() + cb.granted.get() == 1);
            boolean aLeads = ca.granted.get() == 1;
            assertThat(aLeads ? ia.getContext().isLeader() : ib.getContext().isLeader()).isTrue();
            LockRegistryLeaderInitiator leader = aLeads ? ia : ib;
            LockRegistryLeaderInitiator follower = aLeads ? ib : ia;
            Candidate leading = aLeads ? ca : cb;
            Candidate following = aLeads ? cb : ca;
            assertThat(follower.getContext().isLeader()).isFalse();
            assertThat(leading.grantedToken.get()).isPositive();
            assertThat(following.granted).hasValue(0);

            (aLeads ? a : b).close(); // the leader's process dies without yielding

            await().atMost(TTL.plusSeconds(3)).until(() -> following.granted.get() == 1);
            assertThat(follower.getContext().isLeader()).isTrue();
            assertThat(following.grantedToken.get()).isGreaterThan(leading.grantedToken.get());
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(leading.revoked).hasValue(1));
            assertThat(leader.getContext().isLeader()).isFalse();
            assertThat(ca.granted.get() + cb.granted.get()).isEqualTo(2);
        } finally {
            ia.stop();
            ib.stop();
        }
    }

    private static LockRegistryLeaderInitiator initiator(
            BatonLockRegistry registry, Candidate candidate) {
        LockRegistryLeaderInitiator initiator =
                new LockRegistryLeaderInitiator(registry, candidate);
        initiator.setLeaderEventPublisher(new QuietPublisher());
        return initiator;
    }

    /** Counts grants and revocations; reads the fencing token of its leadership when granted. */
    static final class Candidate extends DefaultCandidate {
        final AtomicInteger granted = new AtomicInteger();
        final AtomicInteger revoked = new AtomicInteger();
        final AtomicLong grantedToken = new AtomicLong();
        private final BatonLockRegistry registry;

        Candidate(BatonLockRegistry registry) {
            super(registry.toString(), "leader");
            this.registry = registry;
        }

        @Override
        public void onGranted(Context ctx) {
            // Runs on the initiator's thread, which holds the lock: the lease is readable here.
            grantedToken.set(registry.currentLease(getRole()).orElseThrow().fencingToken());
            granted.incrementAndGet();
        }

        @Override
        public void onRevoked(Context ctx) {
            revoked.incrementAndGet();
        }
    }

    /** The initiator's events go nowhere (no application context in these tests). */
    static final class QuietPublisher implements LeaderEventPublisher {
        @Override
        public void publishOnGranted(Object source, Context context, String role) {}

        @Override
        public void publishOnRevoked(Object source, Context context, String role) {}

        @Override
        public void publishOnFailedToAcquire(Object source, Context context, String role) {}
    }

    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    static Throwable catching(Action action) {
        try {
            action.run();
            return null;
        } catch (Throwable e) {
            return e;
        }
    }
}
