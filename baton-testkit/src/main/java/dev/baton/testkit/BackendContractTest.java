package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.Candidacy;
import dev.baton.Election;
import dev.baton.FencedLease;
import dev.baton.InvalidArgumentException;
import dev.baton.InvalidNameException;
import dev.baton.KeyValueStore;
import dev.baton.LeaseInvalidException;
import dev.baton.LeaseKind;
import dev.baton.LeaseLoss;
import dev.baton.LeaseLostException;
import dev.baton.LeaseState;
import dev.baton.LockInterruptedException;
import dev.baton.LockSnapshot;
import dev.baton.LockTimeoutException;
import dev.baton.Mutex;
import dev.baton.ReadWriteLock;
import dev.baton.Semaphore;
import dev.baton.Subscription;
import dev.baton.UpdateResult;
import dev.baton.Versioned;
import dev.baton.WatchEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every backend meets (DESIGN.md, "What each backend must show"). A backend's test
 * extends this class and supplies the hooks: how to connect a client, how to cut one off from the
 * engine and reconnect it, and how to read the engine's raw queue entries for residue checks.
 *
 * <p>Each test uses names under its own unique prefix ({@link #name(String)}), so a subclass may
 * share one engine across tests; every client opened through {@link #client()} and {@link
 * #partitionableClient()} is healed and closed after the test. Waiting is by latches and
 * Awaitility, never by bare sleeps, and no assertion hinges on a timing margin under one second:
 * the loss-signal tests rely on the {@link #config() configured} safety margin of 1.5 s.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class BackendContractTest {

    /** Timeout for waits that should end at once on a healthy engine; generous for CI. */
    protected static final Duration PATIENCE = Duration.ofSeconds(30);

    private final List<Baton> clients = new CopyOnWriteArrayList<>();
    private final List<Baton> partitioned = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private String base;

    // ------------------------------------------------------------------ hooks

    /** A new client of the engine under test. */
    protected abstract Baton connect(BatonConfig config);

    /** A client the test can cut off with {@link #partition}. */
    protected abstract Baton connectPartitionable(BatonConfig config);

    /** Requests and renewals of {@code client} stop reaching the engine; nothing is closed. */
    protected abstract void partition(Baton client);

    /** Undoes {@link #partition}. */
    protected abstract void heal(Baton client);

    /**
     * Raw queue entries of {@code name} in the part of the engine where {@code kind} lives (for
     * READ and WRITE: the shared read-write queue), one string per entry, granted or waiting, for
     * residue checks. Empty when the engine has nothing for the name.
     */
    protected abstract List<String> engineEntries(LeaseKind kind, String name);

    /** Lease TTL 5 s, safety margin 1.5 s: the loss signal leads the engine's expiry by > 1 s. */
    protected BatonConfig config() {
        return BatonConfig.custom()
                .leaseTtl(Duration.ofSeconds(5))
                .safetyMargin(Duration.ofMillis(1500))
                .build();
    }

    /**
     * Whether the backend's watch reports every write. Override to return {@code false} for an
     * engine whose watch coalesces writes that follow each other closely (a ZooKeeper watch carries
     * no data, so the value is read after the event): the watch tests then check only what such a
     * watch promises — engine order, rising versions, and the latest value always delivered.
     */
    protected boolean watchDeliversEveryWrite() {
        return true;
    }

    // ------------------------------------------------------------------ fixtures

    @BeforeEach
    void uniqueNames(TestInfo info) {
        String method = info.getTestMethod().map(m -> m.getName()).orElse("test");
        base =
                "contract/"
                        + method
                        + "-"
                        + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    @AfterEach
    void closeClients() {
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Baton c : partitioned) {
            try {
                heal(c);
            } catch (RuntimeException e) {
                // best effort: the client is closed next anyway
            }
        }
        List<Baton> reversed = new ArrayList<>(clients);
        Collections.reverse(reversed);
        for (Baton c : reversed) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // closing is best effort in teardown; the test's assertions have run
            }
        }
        clients.clear();
        partitioned.clear();
        threads.clear();
    }

    /** A name unique to this test run: {@code contract/<test>-<random>/<suffix>}. */
    protected String name(String suffix) {
        return base + "/" + suffix;
    }

    /** A new client with {@link #config()}, closed after the test. */
    protected Baton client() {
        return client(config());
    }

    protected Baton client(BatonConfig config) {
        Baton c = connect(config);
        clients.add(c);
        return c;
    }

    /** A new partitionable client with {@link #config()}, healed and closed after the test. */
    protected Baton partitionableClient() {
        return partitionableClient(config());
    }

    protected Baton partitionableClient(BatonConfig config) {
        Baton c = connectPartitionable(config);
        clients.add(c);
        return c;
    }

    /** Cuts {@code c} off and remembers to heal it after the test. */
    protected void cutOff(Baton c) {
        partitioned.add(c);
        partition(c);
    }

    protected void reconnect(Baton c) {
        heal(c);
        partitioned.remove(c);
    }

    private Duration ttl() {
        return config().leaseTtl();
    }

    /** Runs {@code body} on {@code n} threads started together; rethrows the first failure. */
    protected void concurrently(int n, IndexedBody body) {
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    start.await();
                                    body.run(index);
                                } catch (Throwable e) {
                                    failure.compareAndSet(null, e);
                                }
                            },
                            "contract-worker-" + i);
            t.setDaemon(true);
            threads.add(t);
            started.add(t);
            t.start();
        }
        start.countDown();
        for (Thread t : started) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(90));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while joining workers", e);
            }
            assertThat(t.isAlive()).as("worker %s finished within 90 s", t.getName()).isFalse();
        }
        if (failure.get() != null) {
            throw new AssertionError("a worker failed: " + failure.get(), failure.get());
        }
    }

    /** A worker body that knows its index. */
    @FunctionalInterface
    protected interface IndexedBody {
        void run(int index) throws Exception;
    }

    private Thread background(String threadName, Runnable body) {
        Thread t = new Thread(body, threadName);
        t.setDaemon(true);
        threads.add(t);
        t.start();
        return t;
    }

    /** Awaitility with the suite's patience, polling every 10 ms from the start. */
    protected static ConditionFactory waitUntil() {
        return await().atMost(PATIENCE)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(10));
    }

    protected static ConditionFactory waitUntil(String what) {
        return await(what)
                .atMost(PATIENCE)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(10));
    }

    private static void awaitWaiters(Baton observer, String name, int waiters) {
        waitUntil("waiters of " + name + " to reach " + waiters)
                .until(
                        () ->
                                observer.inspect(name).map(LockSnapshot::waiters).orElse(0)
                                        == waiters);
    }

    private static List<String> holderIds(Baton observer, String name) {
        return observer.inspect(name)
                .map(s -> s.holders().stream().map(LockSnapshot.Holder::clientId).toList())
                .orElse(List.of());
    }

    private void awaitEntries(LeaseKind kind, String name, int count) {
        waitUntil("engine entries of " + kind + " " + name + " to be " + count)
                .until(() -> engineEntries(kind, name).size() == count);
    }

    // ------------------------------------------------------------------ mutual exclusion

    /**
     * 3 clients × 6 threads increment a plain, unsynchronised counter under the mutex; any lost
     * update or overlapping holder fails the test (ShedLock FuzzTester, Curator
     * FakeLimitedResource). Every holder also writes to a fenced register with its token: tokens
     * must rise grant by grant.
     */
    @Test
    void mutexExcludesAcrossClientsAndThreads() {
        String name = name("counter");
        int clientCount = 3;
        int threadsPerClient = 6;
        int cycles = 30;
        List<Mutex> mutexes = new ArrayList<>();
        for (int i = 0; i < clientCount; i++) {
            mutexes.add(client().mutex(name));
        }
        ExclusiveResource resource = new ExclusiveResource();
        FencedRegister register = new FencedRegister();
        int[] counter = {0}; // deliberately unsynchronised: only the mutex protects it

        concurrently(
                clientCount * threadsPerClient,
                i -> {
                    Mutex mutex = mutexes.get(i % clientCount);
                    for (int c = 0; c < cycles; c++) {
                        try (FencedLease lease = mutex.acquire(PATIENCE)) {
                            resource.enter();
                            try {
                                lease.ensureValid();
                                register.write(lease.fencingToken(), lease.holder());
                                int read = counter[0];
                                Thread.yield();
                                counter[0] = read + 1;
                            } finally {
                                resource.exit();
                            }
                        }
                    }
                });

        assertThat(resource.violations()).as("overlapping holders").isZero();
        assertThat(counter[0]).isEqualTo(clientCount * threadsPerClient * cycles);
        assertThat(register.rejected()).as("tokens out of grant order").isEmpty();
        assertThat(register.accepted()).isEqualTo(clientCount * threadsPerClient * cycles);
        awaitEntries(LeaseKind.MUTEX, name, 0);
    }

    @Test
    void tokensStrictlyIncreaseAcrossClientsAndAfterTheQueueEmpties() {
        String name = name("tokens");
        List<Baton> cs = List.of(client(), client(), client());
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < 12; i++) {
            Mutex m = cs.get(i % cs.size()).mutex(name);
            FencedLease lease = i % 2 == 0 ? m.acquire(PATIENCE) : m.tryAcquire().orElseThrow();
            assertThat(lease.fencingToken()).as("token of grant %d", i).isGreaterThan(previous);
            previous = lease.fencingToken();
            assertThat(lease.release()).isTrue();
            // The queue is empty between grants: tokens must not restart.
            awaitEntries(LeaseKind.MUTEX, name, 0);
        }
    }

    @Test
    void waitersAreGrantedInArrivalOrder() throws Exception {
        String name = name("fifo");
        List<Baton> cs = List.of(client(), client(), client());
        Baton observer = cs.get(0);
        FencedLease first = observer.mutex(name).acquire(PATIENCE);
        List<Integer> order = new CopyOnWriteArrayList<>();
        List<Long> tokens = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        int waiters = 6;
        for (int i = 0; i < waiters; i++) {
            int index = i;
            CompletableFuture<FencedLease> f =
                    cs.get(i % cs.size()).mutex(name).acquireAsync(PATIENCE);
            done.add(
                    f.thenAccept(
                            lease -> {
                                order.add(index);
                                tokens.add(lease.fencingToken());
                                lease.release();
                            }));
            awaitWaiters(observer, name, i + 1); // queued before the next one starts
        }
        first.release();
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new))
                .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(order).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(tokens).isSorted().doesNotHaveDuplicates();
        assertThat(tokens.get(0)).isGreaterThan(first.fencingToken());
    }

    // ------------------------------------------------------------------ giving up leaves nothing

    @Test
    void timeoutLeavesNoResidueAndNamesTheHolder() {
        String name = name("timeout");
        Baton a = client();
        Baton b = client();
        FencedLease held = a.mutex(name).acquire(PATIENCE);

        Throwable thrown = catchThrowable(() -> b.mutex(name).acquire(Duration.ofSeconds(1)));
        assertThat(thrown).isInstanceOf(LockTimeoutException.class);
        LockTimeoutException e = (LockTimeoutException) thrown;
        assertThat(e.name()).isEqualTo(name);
        assertThat(e.waited()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(e.seen()).isPresent();
        assertThat(e.seen().get().holders())
                .extracting(LockSnapshot.Holder::clientId)
                .containsExactly(a.clientId());
        assertThat(e.getMessage()).contains(a.clientId()).contains(name);

        awaitEntries(LeaseKind.MUTEX, name, 1); // only the holder's entry
        assertThat(b.inspect(name).orElseThrow().waiters()).isZero();
        held.release();
        awaitEntries(LeaseKind.MUTEX, name, 0);
        assertThat(b.inspect(name)).isEmpty();
    }

    @Test
    void zeroTimeoutAndTryAcquireOnAHeldLockReturnAtOnceAndLeaveNothing() {
        String name = name("try");
        Baton a = client();
        Baton b = client();
        FencedLease held = a.mutex(name).acquire(PATIENCE);

        long start = System.nanoTime();
        assertThat(b.mutex(name).tryAcquire()).isEmpty();
        assertThatThrownBy(() -> b.mutex(name).acquire(Duration.ZERO))
                .isInstanceOf(LockTimeoutException.class)
                .hasMessageContaining(name);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("neither call waits")
                .isLessThan(Duration.ofSeconds(2));
        assertThat(engineEntries(LeaseKind.MUTEX, name)).hasSize(1);
        assertThat(b.inspect(name).orElseThrow().waiters()).isZero();
        held.release();
        assertThat(b.mutex(name).tryAcquire()).get().satisfies(FencedLease::release);
        awaitEntries(LeaseKind.MUTEX, name, 0);
    }

    @Test
    void interruptedWaiterLeavesNoResidue() throws Exception {
        String name = name("interrupt");
        Baton a = client();
        Baton b = client();
        FencedLease held = a.mutex(name).acquire(PATIENCE);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        AtomicBoolean flagSet = new AtomicBoolean();
        Thread waiter =
                background(
                        "contract-interrupted-waiter",
                        () -> {
                            try {
                                b.mutex(name).acquire(PATIENCE).release();
                                outcome.set(new AssertionError("acquired a held lock"));
                            } catch (Throwable t) {
                                outcome.set(t);
                                flagSet.set(Thread.currentThread().isInterrupted());
                            }
                        });
        awaitWaiters(a, name, 1);
        waiter.interrupt();
        waiter.join(PATIENCE.toMillis());

        assertThat(outcome.get()).isInstanceOf(LockInterruptedException.class);
        assertThat(flagSet).as("interrupt flag re-set").isTrue();
        awaitEntries(LeaseKind.MUTEX, name, 1);
        assertThat(a.inspect(name).orElseThrow().waiters()).isZero();
        held.release();
        awaitEntries(LeaseKind.MUTEX, name, 0);
    }

    @Test
    void cancelledAsyncAcquireLeavesNoResidue() {
        String name = name("cancel");
        Baton a = client();
        Baton b = client();
        FencedLease held = a.mutex(name).acquire(PATIENCE);
        CompletableFuture<FencedLease> f = b.mutex(name).acquireAsync(PATIENCE);
        awaitWaiters(a, name, 1);

        assertThat(f.cancel(true)).isTrue();
        awaitEntries(LeaseKind.MUTEX, name, 1);
        waitUntil().until(() -> a.inspect(name).orElseThrow().waiters() == 0);
        held.release();
        awaitEntries(LeaseKind.MUTEX, name, 0);
        assertThat(a.mutex(name).tryAcquire()).get().satisfies(FencedLease::release);
    }

    /**
     * The engine grants a waiter whose caller cancels at that moment: the grant must be released.
     * Made deterministic by holding the waiter's callback executor shut, so that the cancel lands
     * after the engine's grant and before the hand-over to the caller.
     */
    @Test
    void grantRacingWithCancelIsReleased() throws Exception {
        String name = name("race");
        Baton a = client();
        GatedExecutor gate = new GatedExecutor();
        Baton b = client(config().toBuilder().callbackExecutor(gate).build());
        FencedLease held = a.mutex(name).acquire(PATIENCE);
        CompletableFuture<FencedLease> f = b.mutex(name).acquireAsync(PATIENCE);
        awaitWaiters(a, name, 1);

        held.release();
        // The engine granted b and its answer is waiting at the gate to be handed to the caller.
        waitUntil("grant handed over").until(() -> gate.queued() > 0);
        assertThat(holderIds(a, name)).containsExactly(b.clientId());
        assertThat(f.cancel(true)).isTrue();
        gate.open();

        awaitEntries(LeaseKind.MUTEX, name, 0);
        assertThat(a.mutex(name).tryAcquire())
                .as("lock free after the race")
                .get()
                .satisfies(FencedLease::release);
    }

    /** Releases and cancels racing freely; whichever wins, no grant may be left behind. */
    @Test
    void releasesRacingWithCancelsLeaveNothingBehind() throws Exception {
        String name = name("races");
        Baton a = client();
        Baton b = client();
        Baton c = client();
        for (int round = 0; round < 10; round++) {
            FencedLease held = a.mutex(name).acquire(PATIENCE);
            CompletableFuture<FencedLease> f = b.mutex(name).acquireAsync(PATIENCE);
            awaitWaiters(a, name, 1);
            CountDownLatch go = new CountDownLatch(1);
            Thread releaser =
                    background(
                            "contract-releaser",
                            () -> {
                                try {
                                    go.await();
                                    held.release();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            });
            go.countDown();
            if (!f.cancel(true)) {
                f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).release();
            }
            releaser.join(PATIENCE.toMillis());
            awaitEntries(LeaseKind.MUTEX, name, 0);
            Optional<FencedLease> free = c.mutex(name).tryAcquire();
            assertThat(free).as("round %d: lock free after the race", round).isPresent();
            free.get().release();
        }
    }

    /**
     * An executor that queues tasks until opened, then runs them (and later ones) on new threads.
     */
    private static final class GatedExecutor implements java.util.concurrent.Executor {
        private final List<Runnable> queue = new ArrayList<>();
        private boolean open;

        @Override
        public void execute(Runnable task) {
            synchronized (this) {
                if (!open) {
                    queue.add(task);
                    return;
                }
            }
            start(task);
        }

        synchronized int queued() {
            return queue.size();
        }

        void open() {
            List<Runnable> pending;
            synchronized (this) {
                open = true;
                pending = new ArrayList<>(queue);
                queue.clear();
            }
            pending.forEach(GatedExecutor::start);
        }

        private static void start(Runnable task) {
            Thread t = new Thread(task, "contract-gated-callback");
            t.setDaemon(true);
            t.start();
        }
    }

    // ------------------------------------------------------------------ the loss signal

    /**
     * A cut-off holder learns of its loss before the engine grants the lock to anyone else, on
     * Baton's callback executor; afterwards the lease is LOST for good and nothing of it remains.
     */
    @Test
    void lossSignalReachesTheHolderBeforeAnotherClientIsGranted() throws Exception {
        String name = name("loss");
        Baton a = partitionableClient();
        Baton b = client();
        FencedLease lease = a.mutex(name).acquire(PATIENCE);
        AtomicLong lostAt = new AtomicLong();
        AtomicReference<String> callbackThread = new AtomicReference<>();
        AtomicReference<LeaseLoss> loss = new AtomicReference<>();
        lease.lost()
                .thenAccept(
                        l -> {
                            lostAt.set(System.nanoTime());
                            callbackThread.set(Thread.currentThread().getName());
                            loss.set(l);
                        });

        cutOff(a);
        long cutAt = System.nanoTime();
        FencedLease next = b.mutex(name).acquire(ttl().plus(PATIENCE));
        long acquiredAt = System.nanoTime();

        assertThat(lostAt.get()).as("loss signalled").isNotZero();
        assertThat(lostAt.get() - acquiredAt)
                .as("loss signalled before the next grant")
                .isNegative();
        assertThat(callbackThread.get()).as("callback thread").startsWith("baton-worker-");
        assertThat(Duration.ofNanos(acquiredAt - cutAt))
                .as("next grant within TTL + 2 s")
                .isLessThanOrEqualTo(ttl().plusSeconds(2));
        assertThat(next.fencingToken()).isGreaterThan(lease.fencingToken());
        assertThat(lease.state()).isEqualTo(LeaseState.LOST);
        assertThat(loss.get().reason()).isNotEqualTo(LeaseLoss.Reason.CLIENT_CLOSED);
        assertThatThrownBy(lease::ensureValid).isInstanceOf(LeaseLostException.class);
        assertThat(lease.release()).as("releasing a lost lease is a no-op").isFalse();

        reconnect(a);
        awaitEntries(LeaseKind.MUTEX, name, 1); // only b's grant
        assertThat(holderIds(b, name)).containsExactly(b.clientId());
        assertThat(lease.state()).as("a lost lease stays lost").isEqualTo(LeaseState.LOST);
        next.release();
        awaitEntries(LeaseKind.MUTEX, name, 0);
    }

    @Test
    void crashedHolderFreesTheLockWithinItsTtl() {
        String name = name("crash");
        Baton a = partitionableClient();
        Baton b = client();
        a.mutex(name).acquire(PATIENCE);
        cutOff(a); // never healed during the test: the holder is gone for good
        long cutAt = System.nanoTime();
        FencedLease next = b.mutex(name).acquire(ttl().plus(PATIENCE));
        assertThat(Duration.ofNanos(System.nanoTime() - cutAt))
                .isLessThanOrEqualTo(ttl().plusSeconds(2));
        assertThat(holderIds(b, name)).containsExactly(b.clientId());
        next.release();
    }

    /**
     * A partition shorter than the lease deadline: the lease goes IN_DOUBT when a renewal fails,
     * and back to HELD once healed; nobody else is granted meanwhile. A longer TTL (9 s) leaves
     * seconds of room between the first failed renewal and the deadline.
     */
    @Test
    void shortPartitionMakesTheLeaseInDoubtThenHeldAgain() throws Exception {
        BatonConfig cfg =
                BatonConfig.custom()
                        .leaseTtl(Duration.ofSeconds(9))
                        .safetyMargin(Duration.ofMillis(1500))
                        .build();
        String name = name("doubt");
        Baton a = partitionableClient(cfg);
        Baton b = client();
        FencedLease lease = a.mutex(name).acquire(PATIENCE);
        CompletableFuture<FencedLease> waiting =
                b.mutex(name).acquireAsync(PATIENCE.plus(PATIENCE));
        awaitWaiters(b, name, 1);

        cutOff(a);
        waitUntil("lease IN_DOUBT")
                .atMost(cfg.leaseTtl())
                .until(
                        () -> {
                            LeaseState s = lease.state();
                            assertThat(s)
                                    .as("not lost during a short partition")
                                    .isNotEqualTo(LeaseState.LOST);
                            return s == LeaseState.IN_DOUBT;
                        });
        assertThatThrownBy(lease::ensureValid)
                .isExactlyInstanceOf(LeaseInvalidException.class)
                .extracting(e -> ((LeaseInvalidException) e).state())
                .isEqualTo(LeaseState.IN_DOUBT);
        reconnect(a);
        waitUntil("lease HELD again").until(() -> lease.state() == LeaseState.HELD);
        lease.ensureValid();

        assertThat(waiting).as("nobody else granted").isNotDone();
        assertThat(holderIds(b, name)).containsExactly(a.clientId());
        lease.release();
        FencedLease next = waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(next.fencingToken()).isGreaterThan(lease.fencingToken());
        next.release();
    }

    // ------------------------------------------------------------------ release

    @Test
    void releaseIsIdempotentAndNeverTouchesALaterGrant() {
        String name = name("release");
        Baton a = client();
        Baton b = client();
        FencedLease lease = a.mutex(name).acquire(PATIENCE);
        assertThat(lease.release()).isTrue();
        assertThat(lease.release()).isFalse();
        assertThat(lease.state()).isEqualTo(LeaseState.RELEASED);
        assertThatThrownBy(lease::ensureValid)
                .isExactlyInstanceOf(LeaseInvalidException.class)
                .hasMessageContaining(name);

        FencedLease later = b.mutex(name).acquire(PATIENCE);
        assertThat(lease.release()).isFalse();
        lease.close();
        assertThat(later.isHeld()).isTrue();
        assertThat(holderIds(a, name)).containsExactly(b.clientId());
        assertThat(a.mutex(name).tryAcquire()).isEmpty();
        later.release();
        awaitEntries(LeaseKind.MUTEX, name, 0);
    }

    @Test
    void closingAClientLosesItsLeasesAndFreesThem() throws Exception {
        String name = name("close");
        Baton a = client();
        Baton b = client();
        FencedLease lease = a.mutex(name).acquire(PATIENCE);
        CompletableFuture<FencedLease> waiting = b.mutex(name).acquireAsync(PATIENCE);
        awaitWaiters(b, name, 1);

        a.close();
        assertThat(lease.state()).isEqualTo(LeaseState.LOST);
        LeaseLoss loss =
                lease.lost().toCompletableFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(loss.reason()).isEqualTo(LeaseLoss.Reason.CLIENT_CLOSED);
        assertThat(lease.release()).isFalse();
        FencedLease next = waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(next.fencingToken()).isGreaterThan(lease.fencingToken());
        next.release();
        awaitEntries(LeaseKind.MUTEX, name, 0);
    }

    // ------------------------------------------------------------------ semaphore

    @Test
    void semaphoreIsNeverOversubscribed() throws Exception {
        String name = name("sem");
        int permits = 3;
        List<Baton> cs = List.of(client(), client(), client());

        // Phase 1: all permits can be held at once, by different clients, and no more.
        List<FencedLease> three = new ArrayList<>();
        for (Baton c : cs) {
            three.add(c.semaphore(name, permits).acquire(PATIENCE));
        }
        assertThat(cs.get(0).semaphore(name, permits).tryAcquire()).isEmpty();
        assertThat(cs.get(0).inspect(name).orElseThrow().holders()).hasSize(permits);
        three.forEach(FencedLease::release);

        // Phase 2: many threads in several clients never exceed the permits.
        ExclusiveResource resource = new ExclusiveResource(permits);
        concurrently(
                12,
                i -> {
                    Semaphore s = cs.get(i % cs.size()).semaphore(name, permits);
                    for (int c = 0; c < 15; c++) {
                        try (FencedLease lease = s.acquire(PATIENCE)) {
                            resource.use(
                                    () -> {
                                        lease.ensureValid();
                                        Thread.yield();
                                    });
                        }
                    }
                });
        assertThat(resource.violations()).as(resource.toString()).isZero();
        assertThat(resource.maxInside()).isLessThanOrEqualTo(permits);
        assertThat(resource.entries()).isEqualTo(12 * 15);
        awaitEntries(LeaseKind.SEMAPHORE, name, 0);
    }

    @Test
    void semaphoreGrantsMultiplePermitsAsOneLease() {
        String name = name("multi");
        Baton a = client();
        Baton b = client();
        FencedLease three = a.semaphore(name, 5).acquire(3, PATIENCE);
        assertThat(three.permits()).isEqualTo(3);
        assertThat(b.semaphore(name, 5).tryAcquire(3)).isEmpty();
        FencedLease two = b.semaphore(name, 5).tryAcquire(2).orElseThrow();
        assertThat(two.fencingToken()).isGreaterThan(three.fencingToken());
        assertThat(a.inspect(name).orElseThrow().holders())
                .extracting(LockSnapshot.Holder::permits)
                .containsExactlyInAnyOrder(3, 2);
        assertThat(a.semaphore(name, 5).tryAcquire()).isEmpty();
        three.release();
        assertThat(a.semaphore(name, 5).tryAcquire(3)).get().satisfies(FencedLease::release);
        two.release();
        awaitEntries(LeaseKind.SEMAPHORE, name, 0);
    }

    @Test
    void semaphoreIsFifoALargeRequestAtTheHeadBlocksLaterSmallOnes() throws Exception {
        String name = name("semfifo");
        Baton a = client();
        Baton b = client();
        Baton c = client();
        FencedLease three = a.semaphore(name, 4).acquire(3, PATIENCE);
        CompletableFuture<FencedLease> big = b.semaphore(name, 4).acquireAsync(4, PATIENCE);
        awaitWaiters(a, name, 1);
        CompletableFuture<FencedLease> small = c.semaphore(name, 4).acquireAsync(1, PATIENCE);
        awaitWaiters(a, name, 2);
        // One permit is free, but the small request queued behind the big one waits.
        assertThat(holderIds(a, name)).containsExactly(a.clientId());
        assertThat(c.semaphore(name, 4).tryAcquire()).isEmpty();

        three.release();
        FencedLease four = big.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(four.permits()).isEqualTo(4);
        assertThat(holderIds(a, name)).containsExactly(b.clientId());
        assertThat(small).isNotDone();
        four.release();
        small.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).release();
        awaitEntries(LeaseKind.SEMAPHORE, name, 0);
    }

    @Test
    void crashedSemaphoreHolderReturnsItsPermits() {
        String name = name("semcrash");
        Baton a = partitionableClient();
        Baton b = client();
        a.semaphore(name, 2).acquire(2, PATIENCE);
        assertThat(b.semaphore(name, 2).tryAcquire()).isEmpty();
        cutOff(a);
        long cutAt = System.nanoTime();
        FencedLease both = b.semaphore(name, 2).acquire(2, ttl().plus(PATIENCE));
        assertThat(Duration.ofNanos(System.nanoTime() - cutAt))
                .isLessThanOrEqualTo(ttl().plusSeconds(2));
        assertThat(both.permits()).isEqualTo(2);
        both.release();
    }

    // ------------------------------------------------------------------ read-write

    @Test
    void readersShareWritersExcludeAndAQueuedWriterBlocksLaterReaders() throws Exception {
        String name = name("rw");
        Baton a = client();
        Baton b = client();
        Baton c = client();
        List<FencedLease> readers = new ArrayList<>();
        for (Baton x : List.of(a, b, c)) {
            readers.add(x.readWriteLock(name).readLock().tryAcquire().orElseThrow());
        }
        assertThat(a.inspect(name).orElseThrow().holders()).hasSize(3);
        assertThat(a.readWriteLock(name).writeLock().tryAcquire()).isEmpty();

        CompletableFuture<FencedLease> writer =
                a.readWriteLock(name).writeLock().acquireAsync(PATIENCE);
        awaitWaiters(a, name, 1);
        // Writer preference: a reader arriving after the queued writer waits.
        assertThat(b.readWriteLock(name).readLock().tryAcquire()).isEmpty();
        CompletableFuture<FencedLease> lateReader =
                b.readWriteLock(name).readLock().acquireAsync(PATIENCE);
        awaitWaiters(a, name, 2);

        readers.forEach(FencedLease::release);
        FencedLease w = writer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(w.kind()).isEqualTo(LeaseKind.WRITE);
        assertThat(holderIds(a, name)).containsExactly(a.clientId());
        assertThat(lateReader).isNotDone();
        assertThat(c.readWriteLock(name).readLock().tryAcquire()).isEmpty();
        assertThat(c.readWriteLock(name).writeLock().tryAcquire()).isEmpty();
        w.release();
        FencedLease r = lateReader.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(r.kind()).isEqualTo(LeaseKind.READ);
        r.release();
        awaitEntries(LeaseKind.WRITE, name, 0);
        awaitEntries(LeaseKind.READ, name, 0);
    }

    @Test
    void readWriteLockExcludesUnderConcurrencyWithRisingWriteTokens() {
        String name = name("rwfuzz");
        List<ReadWriteLock> locks =
                List.of(client().readWriteLock(name), client().readWriteLock(name));
        AtomicInteger readersInside = new AtomicInteger();
        AtomicInteger writersInside = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        AtomicInteger maxReaders = new AtomicInteger();
        FencedRegister writes = new FencedRegister();
        concurrently(
                6,
                i -> {
                    ReadWriteLock rw = locks.get(i % locks.size());
                    for (int c = 0; c < 20; c++) {
                        boolean write = (i + c) % 3 == 0;
                        if (write) {
                            try (FencedLease lease = rw.writeLock().acquire(PATIENCE)) {
                                if (writersInside.incrementAndGet() != 1
                                        || readersInside.get() != 0) {
                                    violations.incrementAndGet();
                                }
                                writes.write(lease.fencingToken(), lease.holder());
                                Thread.yield();
                                if (readersInside.get() != 0) {
                                    violations.incrementAndGet();
                                }
                                writersInside.decrementAndGet();
                            }
                        } else {
                            try (FencedLease lease = rw.readLock().acquire(PATIENCE)) {
                                lease.ensureValid();
                                maxReaders.accumulateAndGet(
                                        readersInside.incrementAndGet(), Math::max);
                                if (writersInside.get() != 0) {
                                    violations.incrementAndGet();
                                }
                                Thread.yield();
                                readersInside.decrementAndGet();
                            }
                        }
                    }
                });
        assertThat(violations).hasValue(0);
        assertThat(maxReaders.get()).as("readers ran").isPositive();
        assertThat(writes.rejected()).as("write tokens out of order").isEmpty();
        assertThat(writes.accepted()).isEqualTo(40);
        awaitEntries(LeaseKind.WRITE, name, 0);
    }

    // ------------------------------------------------------------------ election

    /**
     * Three candidates in three clients: one leader at a time (an overlap detector inside the
     * task), {@code leader()} names it, the leader's task is interrupted when its client is cut
     * off, and the next candidate takes over; closing the next leader's client hands over again.
     */
    @Test
    void electionHasExactlyOneLeaderAndFailsOver() {
        String name = name("election");
        List<Baton> cs =
                List.of(partitionableClient(), partitionableClient(), partitionableClient());
        ExclusiveResource leading = new ExclusiveResource();
        List<String> leaders = new CopyOnWriteArrayList<>();
        List<String> interrupted = new CopyOnWriteArrayList<>();
        List<Candidacy> candidacies = new ArrayList<>();
        for (Baton c : cs) {
            Election e = c.election(name);
            candidacies.add(
                    e.join(
                            lease -> {
                                leading.enter();
                                try {
                                    leaders.add(lease.holder());
                                    new CountDownLatch(1).await(); // lead until interrupted
                                } catch (InterruptedException ie) {
                                    interrupted.add(lease.holder());
                                } finally {
                                    leading.exit();
                                }
                            }));
        }
        waitUntil().until(() -> leaders.size() == 1);
        int first = indexOfLeader(candidacies);
        Baton firstClient = cs.get(first);
        for (Baton c : cs) {
            assertThat(c.election(name).leader()).contains(firstClient.clientId());
        }
        assertThat(candidacies.stream().filter(Candidacy::isLeader).count()).isEqualTo(1);
        assertThat(candidacies.get(first).terms()).isEqualTo(1);
        assertThat(candidacies.get(first).leadership().orElseThrow().kind())
                .isEqualTo(LeaseKind.LEADERSHIP);

        cutOff(firstClient);
        waitUntil().atMost(ttl().plus(PATIENCE)).until(() -> leaders.size() == 2);
        assertThat(interrupted).containsExactly(firstClient.clientId());
        assertThat(leaders.get(1)).isNotEqualTo(firstClient.clientId());
        Baton secondClient =
                cs.stream()
                        .filter(c -> c.clientId().equals(leaders.get(1)))
                        .findFirst()
                        .orElseThrow();
        waitUntil()
                .until(
                        () ->
                                secondClient
                                        .election(name)
                                        .leader()
                                        .equals(Optional.of(leaders.get(1))));
        assertThat(candidacies.get(first).isLeader()).isFalse();

        secondClient.close();
        waitUntil().until(() -> leaders.size() == 3);
        assertThat(leaders.get(2)).isNotIn(firstClient.clientId(), secondClient.clientId());
        assertThat(leading.violations()).as("two leaders at once").isZero();
        int third =
                cs.indexOf(
                        cs.stream()
                                .filter(c -> c.clientId().equals(leaders.get(2)))
                                .findFirst()
                                .orElseThrow());
        assertThat(candidacies.get(third).terms()).isEqualTo(1);
        assertThat(cs.get(third).election(name).leader()).contains(leaders.get(2));
    }

    private static int indexOfLeader(List<Candidacy> candidacies) {
        for (int i = 0; i < candidacies.size(); i++) {
            if (candidacies.get(i).isLeader()) {
                return i;
            }
        }
        throw new AssertionError("no candidate leads");
    }

    // ------------------------------------------------------------------ key/value

    @Test
    void keyValueGetPutCompareAndSetDelete() {
        Baton a = client();
        Baton b = client();
        KeyValueStore kv = a.keyValue();
        String key = name("config/x");
        assertThat(kv.get(key)).isEmpty();

        Versioned v1 = kv.put(key, "one");
        assertThat(v1.version()).isPositive();
        assertThat(b.keyValue().get(key)).contains(v1);
        assertThat(b.keyValue().get(key).orElseThrow().asString()).isEqualTo("one");

        Versioned v2 = kv.compareAndSet(key, v1.version(), "two").orElseThrow();
        assertThat(v2.version()).isGreaterThan(v1.version());
        assertThat(b.keyValue().compareAndSet(key, v1.version(), "stale")).isEmpty();
        assertThat(b.keyValue().compareAndSet(key, Versioned.ABSENT, "create")).isEmpty();
        assertThat(kv.get(key).orElseThrow().asString()).isEqualTo("two");

        assertThat(kv.delete(key, v1.version())).isFalse();
        assertThat(kv.delete(key, v2.version())).isTrue();
        assertThat(kv.get(key)).isEmpty();
        assertThat(kv.delete(key)).isFalse();

        // Re-created: the version keeps rising, so a CAS holding an old version cannot succeed.
        Versioned v3 = b.keyValue().compareAndSet(key, Versioned.ABSENT, "three").orElseThrow();
        assertThat(v3.version()).isGreaterThan(v2.version());
        assertThat(kv.compareAndSet(key, v1.version(), "aba")).isEmpty();
        assertThat(kv.compareAndSet(key, v2.version(), "aba")).isEmpty();
        assertThat(kv.delete(key)).isTrue();
        Versioned v4 = kv.put(key, "four");
        assertThat(v4.version()).isGreaterThan(v3.version());

        kv.put(name("config/y"), "y");
        kv.put(name("config/y/z"), "z");
        kv.put(name("configx"), "not under config");
        assertThat(kv.keys(name("config")))
                .containsExactly(name("config/x"), name("config/y"), name("config/y/z"));
    }

    @Test
    void concurrentUpdatesGiveTheExactTotal() {
        String key = name("counter");
        List<Baton> cs = List.of(client(), client(), client());
        AtomicInteger retries = new AtomicInteger();
        int threadCount = 9;
        int perThread = 20;
        concurrently(
                threadCount,
                i -> {
                    KeyValueStore kv = cs.get(i % cs.size()).keyValue();
                    for (int c = 0; c < perThread; c++) {
                        UpdateResult r =
                                kv.updateString(
                                        key,
                                        old ->
                                                String.valueOf(
                                                        old == null
                                                                ? 1
                                                                : Integer.parseInt(old) + 1));
                        assertThat(r.retries()).isNotNegative();
                        retries.addAndGet(r.retries());
                    }
                });
        Versioned last = cs.get(0).keyValue().get(key).orElseThrow();
        assertThat(last.asString()).isEqualTo(String.valueOf(threadCount * perThread));
        assertThat(retries.get()).isNotNegative();
    }

    @Test
    void updateReportsTheRetriesThatContentionCost() {
        String key = name("contended");
        Baton a = client();
        Baton b = client();
        a.keyValue().put(key, "0");
        AtomicInteger calls = new AtomicInteger();
        UpdateResult r =
                a.keyValue()
                        .updateString(
                                key,
                                old -> {
                                    if (calls.incrementAndGet() == 1) {
                                        b.keyValue().put(key, "10"); // another writer gets in first
                                    }
                                    return String.valueOf(Integer.parseInt(old) + 1);
                                });
        assertThat(r.retries()).isEqualTo(1);
        assertThat(r.written().asString()).isEqualTo("11");
        assertThat(a.keyValue().get(key).orElseThrow()).isEqualTo(r.written());
    }

    @Test
    void exactlyOneOfConcurrentCompareAndSetsWins() {
        String key = name("cas");
        List<Baton> cs = List.of(client(), client(), client());
        int racers = 6;
        for (int round = 0; round < 10; round++) {
            long expected =
                    cs.get(0).keyValue().get(key).map(Versioned::version).orElse(Versioned.ABSENT);
            List<String> winners = new CopyOnWriteArrayList<>();
            int r = round;
            concurrently(
                    racers,
                    i -> {
                        String value = "round" + r + "-racer" + i;
                        if (cs.get(i % cs.size())
                                .keyValue()
                                .compareAndSet(key, expected, value)
                                .isPresent()) {
                            winners.add(value);
                        }
                    });
            assertThat(winners).as("round %d", round).hasSize(1);
            assertThat(cs.get(1).keyValue().get(key).orElseThrow().asString())
                    .isEqualTo(winners.get(0));
        }
    }

    // ------------------------------------------------------------------ watch

    @Test
    void watchDeliversPutsInVersionOrderOffEngineThreads() {
        String prefix = name("watched");
        Baton watcher = client();
        Baton writer = client();
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        List<String> threadNames = new CopyOnWriteArrayList<>();
        watcher.watch(
                prefix,
                e -> {
                    threadNames.add(Thread.currentThread().getName());
                    if (e.type() == WatchEvent.Type.PUT) {
                        events.add(e);
                    }
                });
        String key = prefix + "/k";
        for (int i = 0; i < 100; i++) {
            writer.keyValue().put(key, "v" + i);
        }
        if (watchDeliversEveryWrite()) {
            waitUntil().until(() -> events.size() == 100);
        } else {
            waitUntil()
                    .until(
                            () ->
                                    events.stream()
                                            .anyMatch(
                                                    e ->
                                                            e.value()
                                                                    .orElseThrow()
                                                                    .asString()
                                                                    .equals("v99")));
        }
        List<Long> versions = events.stream().map(e -> e.value().orElseThrow().version()).toList();
        assertThat(versions).isSorted().doesNotHaveDuplicates().hasSizeLessThanOrEqualTo(100);
        WatchEvent last = events.get(events.size() - 1);
        assertThat(last.value().orElseThrow().asString()).isEqualTo("v99");
        assertThat(last.value().orElseThrow()).isEqualTo(writer.keyValue().get(key).orElseThrow());
        assertThat(threadNames)
                .allMatch(n -> n.startsWith("baton-worker-"), "Baton's callback pool");
    }

    @Test
    void watchDeliversDeletesAndLockChanges() {
        String prefix = name("scope");
        Baton watcher = client();
        Baton actor = client();
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        watcher.watch(prefix, events::add);
        List<WatchEvent> elsewhere = new CopyOnWriteArrayList<>();
        watcher.watch(name("elsewhere"), elsewhere::add);

        String key = prefix + "/key";
        actor.keyValue().put(key, "v");
        actor.keyValue().delete(key);
        waitUntil().until(() -> events.stream().anyMatch(e -> e.type() == WatchEvent.Type.DELETE));
        List<WatchEvent> keyEvents =
                events.stream().filter(e -> e.type() != WatchEvent.Type.LOCK).toList();
        assertThat(keyEvents).extracting(WatchEvent::name).containsOnly(key);
        assertThat(keyEvents.get(keyEvents.size() - 1).type()).isEqualTo(WatchEvent.Type.DELETE);
        if (watchDeliversEveryWrite()) {
            assertThat(keyEvents)
                    .extracting(WatchEvent::type)
                    .containsExactly(WatchEvent.Type.PUT, WatchEvent.Type.DELETE);
        }

        String lockName = prefix + "/lock";
        FencedLease lease = actor.mutex(lockName).acquire(PATIENCE);
        waitUntil()
                .until(
                        () ->
                                events.stream()
                                        .anyMatch(
                                                e ->
                                                        e.type() == WatchEvent.Type.LOCK
                                                                && e.name().equals(lockName)
                                                                && e
                                                                        .lock()
                                                                        .map(LockSnapshot::holders)
                                                                        .orElse(List.of())
                                                                        .stream()
                                                                        .anyMatch(
                                                                                h ->
                                                                                        h.clientId()
                                                                                                .equals(
                                                                                                        actor
                                                                                                                .clientId()))));
        lease.release();
        waitUntil()
                .until(
                        () -> {
                            WatchEvent lastLock =
                                    events.stream()
                                            .filter(
                                                    e ->
                                                            e.type() == WatchEvent.Type.LOCK
                                                                    && e.name().equals(lockName))
                                            .reduce((x, y) -> y)
                                            .orElseThrow();
                            return lastLock.lock().map(s -> !s.isHeld()).orElse(true);
                        });
        assertThat(elsewhere).as("events outside the watched prefix").isEmpty();
        assertThat(events)
                .allMatch(
                        e ->
                                e.type() == WatchEvent.Type.RESYNC
                                        || e.name().startsWith(prefix + "/"));
    }

    @Test
    void aBlockedListenerDoesNotDelayAnotherSubscription() {
        String prefix = name("slow");
        Baton watcher = client();
        Baton writer = client();
        CountDownLatch unblock = new CountDownLatch(1);
        List<WatchEvent> slow = new CopyOnWriteArrayList<>();
        List<WatchEvent> fast = new CopyOnWriteArrayList<>();
        watcher.watch(
                prefix,
                e -> {
                    try {
                        unblock.await();
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                    }
                    slow.add(e);
                });
        watcher.watch(prefix, fast::add);
        for (int i = 0; i < 5; i++) {
            writer.keyValue().put(prefix + "/k" + i, "v");
        }
        waitUntil().until(() -> fast.size() == 5);
        assertThat(slow).isEmpty();
        unblock.countDown();
        waitUntil().until(() -> slow.size() == 5);
        assertThat(slow)
                .extracting(WatchEvent::name)
                .isEqualTo(fast.stream().map(WatchEvent::name).toList());
    }

    @Test
    void overflowOfASmallWatchQueueYieldsResyncThenDeliveryResumes() {
        String prefix = name("overflow");
        Baton watcher = client(config().toBuilder().watchQueueCapacity(4).build());
        Baton writer = client();
        CountDownLatch unblock = new CountDownLatch(1);
        CountDownLatch firstSeen = new CountDownLatch(1);
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        Subscription sub =
                watcher.watch(
                        prefix,
                        e -> {
                            firstSeen.countDown();
                            try {
                                unblock.await();
                            } catch (InterruptedException ie) {
                                Thread.currentThread().interrupt();
                            }
                            events.add(e);
                        });
        writer.keyValue().put(prefix + "/first", "blocks the listener");
        waitUntil().until(() -> firstSeen.getCount() == 0);
        for (int i = 0; i < 20; i++) {
            writer.keyValue().put(prefix + "/k", "v" + i);
        }
        waitUntil().until(() -> sub.dropped() > 0);
        unblock.countDown();
        waitUntil().until(() -> events.stream().anyMatch(e -> e.type() == WatchEvent.Type.RESYNC));

        writer.keyValue().put(prefix + "/after", "resumed");
        waitUntil().until(() -> events.stream().anyMatch(e -> e.name().equals(prefix + "/after")));
        assertThat(sub.dropped()).isPositive();
        assertThat(events.get(events.size() - 1).name()).isEqualTo(prefix + "/after");
        assertThat(events.get(events.size() - 1).value().orElseThrow().asString())
                .isEqualTo("resumed");
        // Fewer than all 21 puts before the RESYNC arrived: the overflow really dropped some.
        assertThat(events.stream().filter(e -> e.type() == WatchEvent.Type.PUT).count())
                .isLessThan(22);
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void badNamesAreRejectedWithTheRuleAndLeaveNothing() {
        Baton a = client();
        List<String> before = lockNames(a);
        List<String> keysBefore = a.keyValue().keys("");
        List<String> bad =
                List.of(
                        "",
                        "a//b",
                        "../x",
                        "/a",
                        "a/",
                        "a".repeat(201),
                        "a\u0001b",
                        "a b",
                        "x/./y");
        for (String n : bad) {
            assertRejected(n, () -> a.mutex(n));
            assertRejected(n, () -> a.semaphore(n, 2));
            assertRejected(n, () -> a.readWriteLock(n));
            assertRejected(n, () -> a.election(n));
            assertRejected(n, () -> a.keyValue().put(n, "v"));
            assertRejected(n, () -> a.keyValue().get(n));
            assertRejected(n, () -> a.keyValue().compareAndSet(n, 0, "v"));
            assertRejected(n, () -> a.keyValue().delete(n));
            assertRejected(n, () -> a.inspect(n));
            if (!n.isEmpty()) { // "" is the watch prefix for everything
                assertRejected(n, () -> a.watch(n, e -> {}));
            }
        }
        assertThatThrownBy(() -> a.mutex(null)).isInstanceOf(InvalidNameException.class);
        assertThat(lockNames(a)).isEqualTo(before);
        assertThat(a.keyValue().keys("")).isEqualTo(keysBefore);
    }

    @Test
    void badArgumentsAreRejectedWithTheRuleAndLeaveNothing() {
        Baton a = client();
        String name = name("args");
        Mutex m = a.mutex(name);
        assertThatThrownBy(() -> m.acquire(Duration.ofSeconds(-1)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("timeout")
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> m.acquireAsync(Duration.ofMillis(-5)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> m.acquire(null))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> a.semaphore(name, 0))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("permits")
                .hasMessageContaining("0");
        Semaphore s = a.semaphore(name, 3);
        assertThatThrownBy(() -> s.acquire(0, PATIENCE))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("permits")
                .hasMessageContaining("between 1 and 3");
        assertThatThrownBy(() -> s.acquire(4, PATIENCE))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("but was 4");
        assertThatThrownBy(() -> s.tryAcquire(-1)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> a.watch(name, null))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("listener");
        assertThatThrownBy(() -> a.keyValue().compareAndSet(name, -2, "v"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("expectedVersion");
        assertThatThrownBy(() -> a.keyValue().update(name, v -> v, 0))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("maxAttempts");
        assertThat(engineEntries(LeaseKind.MUTEX, name)).isEmpty();
        assertThat(engineEntries(LeaseKind.SEMAPHORE, name)).isEmpty();
        assertThat(a.inspect(name)).isEmpty();
        assertThat(a.keyValue().get(name)).isEmpty();
    }

    private List<String> lockNames(Baton c) {
        return c.locks("").stream().map(LockSnapshot::name).toList();
    }

    private static void assertRejected(String bad, Runnable call) {
        Throwable t = catchThrowable(call::run);
        assertThat(t)
                .as("call with name %s", printable(bad))
                .isInstanceOf(InvalidNameException.class);
        assertThat(((InvalidNameException) t).name()).isEqualTo(bad);
        assertThat(t.getMessage()).contains("[A-Za-z0-9._-]");
        if (bad.chars().noneMatch(Character::isISOControl)) {
            assertThat(t.getMessage()).contains("\"" + bad + "\"");
        }
    }

    private static String printable(String s) {
        return s.length() > 40
                ? s.substring(0, 40) + "…(" + s.length() + ")"
                : s.replace("\u0001", "\\u0001");
    }

    private static Throwable catchThrowable(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected an exception");
    }
}
