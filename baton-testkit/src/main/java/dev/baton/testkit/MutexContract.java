package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.LeaseInvalidException;
import dev.baton.LeaseKind;
import dev.baton.LeaseLoss;
import dev.baton.LeaseState;
import dev.baton.LockInterruptedException;
import dev.baton.LockSnapshot;
import dev.baton.LockTimeoutException;
import dev.baton.Mutex;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The mutex: mutual exclusion across clients and threads, fencing tokens that rise grant by grant,
 * FIFO waiters; giving up (timeout, zero timeout, interrupt, cancel, a grant racing a cancel)
 * leaves nothing in the engine; release is idempotent and never touches a later grant, and closing
 * a client frees its leases.
 */
abstract class MutexContract extends ContractBase {

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

    // ------------------------------------------------------------------ giving up

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
}
