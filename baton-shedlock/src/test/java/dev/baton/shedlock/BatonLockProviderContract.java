package dev.baton.shedlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FencedLease;
import dev.baton.LeaseLoss;
import dev.baton.LeaseLostException;
import dev.baton.LeaseState;
import dev.baton.LockSnapshot;
import dev.baton.testkit.BackendFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import net.javacrumbs.shedlock.core.ClockProvider;
import net.javacrumbs.shedlock.core.DefaultLockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockAssert;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockExtender;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.SimpleLock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * ShedLock's provider contract ({@code AbstractLockProviderIntegrationTest}, {@code
 * AbstractExtensibleLockProviderIntegrationTest}, {@code FuzzTester}), rewritten for {@link
 * BatonLockProvider}, plus what Baton adds: a crashed holder frees within the lease TTL, and the
 * task reads its lease and fencing token. A backend's test extends it once with a fixture.
 *
 * <p>Two nodes per test: {@code node1} with {@link #provider}, whose deadlines run on a {@link
 * ManualTimer} with expiry effects on the moving thread (so {@code lockAtMostFor} and {@code
 * lockAtLeastFor} are tested without sleeping), and {@code node2} with {@link #other}, a production
 * provider. The few real-time cases use durations of 2 s and only wait for what must eventually
 * happen (Awaitility), never for something not to happen within a margin.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BatonLockProviderContract {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final Duration LONG = Duration.ofMinutes(10);

    /** Lease TTL of the nodes that crash: frees in seconds; margin ≥ 1 s ahead of the engine. */
    private static final BatonConfig CRASHABLE =
            BatonConfig.custom()
                    .leaseTtl(Duration.ofSeconds(3))
                    .safetyMargin(Duration.ofSeconds(1))
                    .build();

    private BackendFixture fixture;
    private final List<Baton> clients = new ArrayList<>();
    private final List<BatonLockProvider> providers = new ArrayList<>();

    protected Baton node1;
    protected Baton node2;
    protected ManualTimer time;
    protected BatonLockProvider provider;
    protected BatonLockProvider other;
    protected String name;

    protected abstract BackendFixture startFixture();

    /** Locked sections per fuzz thread (a remote engine pays a round trip per attempt). */
    protected abstract int fuzzIterations();

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
    void connectNodes() {
        node1 = connect(fixture.config());
        node2 = connect(fixture.config());
        time = new ManualTimer();
        provider =
                track(
                        new BatonLockProvider(
                                node1, BatonLockProvider.DEFAULT_PREFIX, time, Runnable::run));
        other = track(new BatonLockProvider(node2));
        name = "job-" + SEQ.incrementAndGet();
    }

    @AfterEach
    void closeNodes() {
        List<FencedLease> left = BatonLockProvider.clearThread();
        providers.forEach(BatonLockProvider::close);
        providers.clear();
        clients.forEach(Baton::close);
        clients.clear();
        assertThat(left).as("locks the test thread took and never unlocked").isEmpty();
    }

    // ------------------------------------------------------------------ ShedLock's cases

    @Test
    void shouldCreateLock() {
        SimpleLock lock = lock(provider, config(name));
        assertLocked(name);
        FencedLease lease = BatonLockProvider.currentLease().orElseThrow();
        assertThatThrownBy(lease::release).isInstanceOf(UnsupportedOperationException.class);

        lock.unlock();
        assertUnlocked(name);
        assertThat(lease.state()).isEqualTo(LeaseState.RELEASED);
    }

    @Test
    void shouldNotReturnSecondLock() {
        SimpleLock lock = lock(provider, config(name));

        assertThat(provider.lock(config(name))).as("same provider").isEmpty();
        assertThat(track(new BatonLockProvider(node1)).lock(config(name)))
                .as("another provider on the same client")
                .isEmpty();
        assertThat(other.lock(config(name))).as("another node").isEmpty();
        lock.unlock();
    }

    @Test
    void shouldCreateTwoIndependentLocks() {
        SimpleLock one = lock(provider, config(name));
        SimpleLock two = lock(other, config(name + "-2"));

        one.unlock();
        two.unlock();
        assertUnlocked(name);
        assertUnlocked(name + "-2");
    }

    @Test
    void shouldLockTwiceInARow() {
        lock(provider, config(name)).unlock();
        lock(provider, config(name)).unlock();
    }

    @Test
    void shouldBeAbleToLockRightAfterUnlock() {
        for (int i = 0; i < 10; i++) {
            LockProvider holder = i % 2 == 0 ? provider : other;
            LockProvider rival = i % 2 == 0 ? other : provider;
            SimpleLock lock = lock(holder, config(name));
            assertThat(rival.lock(config(name))).isEmpty();
            lock.unlock();
        }
    }

    @Test
    void lockAtMostForTakesTheLockFromALiveHolderAndTellsIt() {
        SimpleLock lock = lock(provider, config(name, Duration.ofSeconds(10), Duration.ZERO));
        FencedLease lease = BatonLockProvider.currentLease().orElseThrow();
        AtomicReference<Optional<SimpleLock>> rivalDuringSignal = new AtomicReference<>();
        lease.lost().thenRun(() -> rivalDuringSignal.set(other.lock(config(name))));

        time.advance(Duration.ofMillis(9_999));
        assertThat(lease.state()).isEqualTo(LeaseState.HELD);
        assertThat(lease.remaining()).isLessThanOrEqualTo(Duration.ofMillis(1));
        assertThat(other.lock(config(name))).isEmpty();

        time.advance(Duration.ofMillis(1));
        assertThat(lease.state()).isEqualTo(LeaseState.LOST);
        assertThat(lease.remaining()).isZero();
        assertThat(lossOf(lease).reason()).isEqualTo(LeaseLoss.Reason.DEADLINE_PASSED);
        assertThat(lossOf(lease).detail()).contains("lockAtMostFor");
        assertThatThrownBy(lease::ensureValid).isInstanceOf(LeaseLostException.class);
        assertThat(rivalDuringSignal.get())
                .as("the name is still held while the holder is being told")
                .isEmpty();

        SimpleLock rival = awaitLock(other, config(name));
        lock.unlock(); // late: a no-op that must not free the new holder's lock
        assertLocked(name);
        assertThat(BatonLockProvider.currentLease()).isEmpty();
        rival.unlock();
    }

    /**
     * In real time, through ShedLock's executor, with the recipe for a task that wants to be
     * stopped: interrupt itself when told. The task is interrupted (and sees LOST) before the name
     * is freed, and the executor's late unlock is harmless.
     */
    @Test
    void lockAtMostForInRealTimeInterruptsATaskThatAsksForIt() throws Exception {
        long start = System.nanoTime();
        DefaultLockingTaskExecutor executor = new DefaultLockingTaskExecutor(other);
        CompletableFuture<LeaseState> seenByTask = new CompletableFuture<>();
        Thread task =
                new Thread(
                        () ->
                                executor.executeWithLock(
                                        (Runnable) () -> blockUntilTold(seenByTask),
                                        config(name, Duration.ofSeconds(2), Duration.ZERO)),
                        "shedlock-task");
        task.start();

        assertThat(seenByTask.get(30, TimeUnit.SECONDS)).isEqualTo(LeaseState.LOST);
        task.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(task.isAlive()).isFalse();
        SimpleLock rival = awaitLock(provider, config(name));
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        rival.unlock();
    }

    private static void blockUntilTold(CompletableFuture<LeaseState> seen) {
        FencedLease lease = BatonLockProvider.currentLease().orElseThrow();
        Thread me = Thread.currentThread();
        lease.lost().thenRun(me::interrupt);
        try {
            new CountDownLatch(1).await();
            seen.completeExceptionally(new AssertionError("returned without an interrupt"));
        } catch (InterruptedException e) {
            seen.complete(lease.state());
        }
    }

    @Test
    void lockAtLeastForKeepsTheNameAfterUnlock() {
        SimpleLock lock =
                lock(provider, config(name, Duration.ofSeconds(10), Duration.ofSeconds(4)));
        FencedLease lease = BatonLockProvider.currentLease().orElseThrow();
        time.advance(Duration.ofSeconds(1));
        lock.unlock();

        assertThat(BatonLockProvider.currentLease()).isEmpty();
        assertThat(lease.state()).isEqualTo(LeaseState.RELEASED);
        assertThat(other.lock(config(name))).as("grace period did not pass yet").isEmpty();
        assertThat(provider.lock(config(name))).isEmpty();
        time.advance(Duration.ofMillis(2_999));
        assertThat(other.lock(config(name))).isEmpty();

        time.advance(Duration.ofMillis(1));
        assertThat(time.pending()).isZero();
        awaitLock(other, config(name)).unlock();
    }

    @Test
    void lockAtLeastForInRealTime() {
        long start = System.nanoTime();
        lock(other, config(name, Duration.ofSeconds(4), Duration.ofSeconds(2))).unlock();

        assertThat(provider.lock(config(name))).isEmpty();
        SimpleLock next = awaitLock(provider, config(name));
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        next.unlock();
    }

    @Test
    void unlockAfterLockAtLeastForFreesAtOnce() {
        SimpleLock lock =
                lock(provider, config(name, Duration.ofSeconds(10), Duration.ofSeconds(4)));
        time.advance(Duration.ofSeconds(4));

        lock.unlock();
        lock(other, config(name)).unlock();
    }

    @Test
    void shouldBeAbleToExtendLock() {
        SimpleLock lock = lock(provider, config(name, Duration.ofSeconds(2), Duration.ZERO));
        long token = BatonLockProvider.currentLease().orElseThrow().fencingToken();

        Optional<SimpleLock> extended = lock.extend(Duration.ofSeconds(10), Duration.ZERO);
        assertThat(extended).isPresent();
        time.advance(Duration.ofSeconds(5));
        assertLocked(name);
        assertThat(other.lock(config(name))).isEmpty();
        FencedLease lease = BatonLockProvider.currentLease().orElseThrow();
        assertThat(lease.state()).isEqualTo(LeaseState.HELD);
        assertThat(lease.fencingToken()).as("same lease, same token").isEqualTo(token);

        extended.get().unlock();
        assertUnlocked(name);
    }

    @Test
    void shouldNotBeAbleToExtendUnlockedLock() {
        SimpleLock lock = lock(provider, config(name, Duration.ofSeconds(2), Duration.ZERO));
        lock.unlock();
        assertUnlocked(name);

        assertThatThrownBy(() -> lock.extend(Duration.ofSeconds(10), Duration.ZERO))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldNotBeAbleToExtendExpiredLock() {
        SimpleLock lock = lock(provider, config(name, Duration.ofMillis(1), Duration.ZERO));
        time.skip(Duration.ofMillis(2)); // the deadline task has not run: extend sees it itself

        assertThat(lock.extend(Duration.ofSeconds(10), Duration.ZERO)).isEmpty();
        assertUnlocked(name);
        assertThat(BatonLockProvider.currentLease().orElseThrow().state())
                .isEqualTo(LeaseState.LOST);
        assertThatThrownBy(lock::unlock).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldBeAbleToExtendAtLeast() {
        SimpleLock lock = lock(provider, config(name, Duration.ofSeconds(10), Duration.ZERO));
        time.advance(Duration.ofSeconds(5));

        SimpleLock extended = extend(lock, Duration.ofSeconds(10), Duration.ofSeconds(9));
        extended.unlock();
        assertLocked(name);
        time.advance(Duration.ofMillis(8_999));
        assertLocked(name);
        time.advance(Duration.ofMillis(1));
        assertUnlocked(name);
    }

    @Test
    void lockCanNotBeExtendedTwice() {
        SimpleLock lock = lock(provider, config(name, Duration.ofSeconds(10), Duration.ZERO));
        SimpleLock extended = extend(lock, Duration.ofSeconds(10), Duration.ofSeconds(9));

        assertThatThrownBy(() -> lock.extend(Duration.ofSeconds(10), Duration.ofSeconds(9)))
                .isInstanceOf(IllegalStateException.class);
        extended.unlock();
    }

    @Test
    void lockCanNotBeUnlockedAfterExtending() {
        SimpleLock lock = lock(provider, config(name, Duration.ofSeconds(10), Duration.ZERO));
        SimpleLock extended = extend(lock, Duration.ofSeconds(10), Duration.ofSeconds(9));

        assertThatThrownBy(lock::unlock).isInstanceOf(IllegalStateException.class);
        assertLocked(name);
        assertThat(BatonLockProvider.currentLease())
                .as("the extended lock is still current")
                .isPresent();
        extended.unlock();
    }

    @Test
    void extendWithLockAtLeastForAboveLockAtMostForIsRejectedAndKeepsTheHandle() {
        SimpleLock lock = lock(provider, config(name, Duration.ofSeconds(10), Duration.ZERO));

        assertThatThrownBy(() -> lock.extend(Duration.ofSeconds(1), Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class);
        lock.unlock();
        assertUnlocked(name);
    }

    @Test
    void fuzzTestShouldPass() throws InterruptedException {
        FuzzChecker.Result result =
                FuzzChecker.run(
                        List.of(other, track(new BatonLockProvider(node1))),
                        name,
                        8,
                        fuzzIterations());

        result.assertExclusive();
        assertThat(result.sections()).isEqualTo(7 * fuzzIterations() + fuzzIterations() / 5);
    }

    // ------------------------------------------------------------------ ShedLock's executor on top

    @Test
    void fencingTokenIsReadableInTheTaskAndRisesWithEveryLock() {
        List<DefaultLockingTaskExecutor> executors =
                List.of(
                        new DefaultLockingTaskExecutor(provider),
                        new DefaultLockingTaskExecutor(other));
        List<Long> tokens = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            executors
                    .get(i % 2)
                    .executeWithLock(
                            (Runnable)
                                    () -> {
                                        LockAssert.assertLocked();
                                        FencedLease lease =
                                                BatonLockProvider.currentLease().orElseThrow();
                                        lease.ensureValid();
                                        assertThat(lease.name())
                                                .isEqualTo(provider.batonName(name));
                                        tokens.add(lease.fencingToken());
                                    },
                            config(name));
        }

        assertThat(BatonLockProvider.currentLease()).isEmpty();
        for (int i = 1; i < tokens.size(); i++) {
            assertThat(tokens.get(i))
                    .as("token %d of %s", i, tokens)
                    .isGreaterThan(tokens.get(i - 1));
        }
    }

    @Test
    void lockExtenderExtendsTheActiveLock() {
        new DefaultLockingTaskExecutor(provider)
                .executeWithLock(
                        (Runnable)
                                () -> {
                                    LockExtender.extendActiveLock(
                                            Duration.ofSeconds(30), Duration.ZERO);
                                    time.advance(Duration.ofSeconds(20));
                                    assertThat(
                                                    BatonLockProvider.currentLease()
                                                            .orElseThrow()
                                                            .isHeld())
                                            .isTrue();
                                    assertThat(other.lock(config(name))).isEmpty();
                                },
                        config(name, Duration.ofSeconds(10), Duration.ZERO));

        assertUnlocked(name);
    }

    @Test
    void currentLeaseIsAStackPerThread() {
        assertThat(BatonLockProvider.currentLease()).isEmpty();
        SimpleLock outer = lock(provider, config(name));
        FencedLease outerLease = BatonLockProvider.currentLease().orElseThrow();
        SimpleLock inner = lock(other, config(name + "-inner"));

        assertThat(BatonLockProvider.currentLease().orElseThrow().name())
                .isEqualTo(other.batonName(name + "-inner"));
        CompletableFuture<Optional<FencedLease>> elsewhere =
                CompletableFuture.supplyAsync(BatonLockProvider::currentLease);
        assertThat(elsewhere.join()).as("another thread holds nothing").isEmpty();

        inner.unlock();
        assertThat(BatonLockProvider.currentLease()).containsSame(outerLease);
        CompletableFuture.runAsync(outer::unlock).join(); // unlocked on another thread
        assertThat(BatonLockProvider.currentLease()).isEmpty();
        assertUnlocked(name);
    }

    // ------------------------------------------------------------------ what Baton adds

    @Test
    void crashedHolderFreesWithinTheLeaseTtlNotLockAtMostFor() {
        Baton crashing = track(fixture.connectPartitionable(CRASHABLE));
        BatonLockProvider doomed = track(new BatonLockProvider(crashing));
        SimpleLock lock = lock(doomed, config(name, LONG, Duration.ZERO));
        FencedLease lease = BatonLockProvider.currentLease().orElseThrow();

        long crashedAt = System.nanoTime();
        fixture.partition(crashing); // as a kill -9: nothing is released, nothing more is heard
        SimpleLock taken = awaitLock(other, config(name), Duration.ofSeconds(30));
        Duration freedAfter = Duration.ofNanos(System.nanoTime() - crashedAt);

        assertThat(freedAfter).isLessThan(LONG.dividedBy(10));
        assertThat(lease.state())
                .as("the holder knew before the name was granted again")
                .isEqualTo(LeaseState.LOST);
        await().atMost(10, TimeUnit.SECONDS)
                .until(() -> lease.lost().toCompletableFuture().isDone());
        assertThat(lossOf(lease).reason()).isNotEqualTo(LeaseLoss.Reason.CLIENT_CLOSED);

        lock.unlock(); // a no-op now
        assertLocked(name);
        taken.unlock();
        fixture.heal(crashing);
    }

    /** Documented: unlike a database row, the lease kept for lockAtLeastFor dies with the node. */
    @Test
    void lockAtLeastForIsNotHonouredPastACrash() {
        Baton crashing = track(fixture.connectPartitionable(CRASHABLE));
        lock(track(new BatonLockProvider(crashing)), config(name, LONG, LONG)).unlock();
        assertThat(other.lock(config(name))).isEmpty();

        fixture.partition(crashing);
        awaitLock(other, config(name), Duration.ofSeconds(30)).unlock();
        fixture.heal(crashing);
    }

    @Test
    void closingTheHoldersClientFreesTheNameAndTellsTheTask() {
        Baton closing = track(fixture.connect(fixture.config()));
        SimpleLock lock =
                lock(track(new BatonLockProvider(closing)), config(name, LONG, Duration.ZERO));
        FencedLease lease = BatonLockProvider.currentLease().orElseThrow();

        closing.close();

        assertThat(lease.state()).isEqualTo(LeaseState.LOST);
        await().atMost(10, TimeUnit.SECONDS)
                .until(() -> lease.lost().toCompletableFuture().isDone());
        assertThat(lossOf(lease).reason()).isEqualTo(LeaseLoss.Reason.CLIENT_CLOSED);
        awaitLock(other, config(name)).unlock();
        lock.unlock();
    }

    @Test
    void namesBatonRejectsAreEscapedAndStillExclude() {
        String spaced = name + " nightly:report";
        String colon = name + ":nightly report";
        SimpleLock lock = lock(provider, config(spaced));

        assertThat(provider.batonName(spaced)).startsWith("shedlock/_esc/");
        assertThat(other.lock(config(spaced))).isEmpty();
        assertLockedAs(provider.batonName(spaced));
        lock(other, config(colon)).unlock(); // a different name, a different lock
        lock.unlock();
        lock(other, config(spaced)).unlock();
    }

    @Test
    void closingTheProviderSignalsRunningLocksAndReleasesKeptOnes() {
        SimpleLock running = lock(provider, config(name, LONG, Duration.ZERO));
        FencedLease lease = BatonLockProvider.currentLease().orElseThrow();
        lock(provider, config(name + "-kept", LONG, LONG)).unlock();
        assertThat(other.lock(config(name + "-kept"))).isEmpty();

        provider.close();

        assertThat(lease.state()).isEqualTo(LeaseState.LOST);
        assertThat(lossOf(lease).reason()).isEqualTo(LeaseLoss.Reason.CLIENT_CLOSED);
        lock(other, config(name)).unlock();
        lock(other, config(name + "-kept")).unlock();
        assertThatThrownBy(() -> provider.lock(config(name)))
                .isInstanceOf(IllegalStateException.class);
        running.unlock();
    }

    // ------------------------------------------------------------------ helpers

    private Baton connect(BatonConfig config) {
        return track(fixture.connect(config));
    }

    private Baton track(Baton client) {
        clients.add(client);
        return client;
    }

    private BatonLockProvider track(BatonLockProvider p) {
        providers.add(p);
        return p;
    }

    static LockConfiguration config(String name) {
        return config(name, Duration.ofMinutes(5), Duration.ZERO);
    }

    static LockConfiguration config(String name, Duration lockAtMostFor, Duration lockAtLeastFor) {
        return new LockConfiguration(ClockProvider.now(), name, lockAtMostFor, lockAtLeastFor);
    }

    private static SimpleLock lock(LockProvider p, LockConfiguration config) {
        Optional<SimpleLock> lock = p.lock(config);
        assertThat(lock).as("lock %s", config.getName()).isPresent();
        return lock.get();
    }

    private static SimpleLock extend(SimpleLock lock, Duration atMost, Duration atLeast) {
        Optional<SimpleLock> extended = lock.extend(atMost, atLeast);
        assertThat(extended).isPresent();
        return extended.get();
    }

    private static SimpleLock awaitLock(LockProvider p, LockConfiguration config) {
        return awaitLock(p, config, Duration.ofSeconds(15));
    }

    private static SimpleLock awaitLock(LockProvider p, LockConfiguration config, Duration atMost) {
        AtomicReference<SimpleLock> got = new AtomicReference<>();
        await().atMost(atMost)
                .pollInterval(Duration.ofMillis(50))
                .until(
                        () -> {
                            p.lock(config).ifPresent(got::set);
                            return got.get() != null;
                        });
        return got.get();
    }

    private static LeaseLoss lossOf(FencedLease lease) {
        LeaseLoss loss = lease.lost().toCompletableFuture().getNow(null);
        assertThat(loss).as("loss of %s", lease).isNotNull();
        return loss;
    }

    /** The engine (as another client sees it) has a holder for the ShedLock name. */
    private void assertLocked(String lockName) {
        assertLockedAs(provider.batonName(lockName));
    }

    private void assertLockedAs(String batonName) {
        assertThat(node2.inspect(batonName).map(LockSnapshot::isHeld))
                .as("%s held in the engine", batonName)
                .contains(true);
    }

    private void assertUnlocked(String lockName) {
        String batonName = provider.batonName(lockName);
        assertThat(node2.inspect(batonName).map(LockSnapshot::isHeld))
                .as("%s free in the engine", batonName)
                .isNotEqualTo(Optional.of(true));
    }
}
