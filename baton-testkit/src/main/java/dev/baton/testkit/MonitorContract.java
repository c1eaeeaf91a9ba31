package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.InvalidArgumentException;
import dev.baton.InvalidNameException;
import dev.baton.LeaseKind;
import dev.baton.LeaseState;
import dev.baton.LockInterruptedException;
import dev.baton.Monitor;
import dev.baton.MonitorCondition;
import dev.baton.MonitorCondition.Wakeup;
import dev.baton.MonitorLeaseException;
import dev.baton.internal.TwoStepControl;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The monitor: a fair exclusive entry, and condition variables whose {@code await} gives the
 * monitor up and joins the wait queue in one atomic engine step, whose {@code signal} moves the
 * longest waiter to the tail of the entry queue, and whose every wake-up is a new lease with a
 * higher token. The two-step control (release, then queue) is shown to lose a wake-up that the
 * atomic await does not.
 */
abstract class MonitorContract extends ContractBase {

    private static final Duration LONG = Duration.ofSeconds(60);

    /** Runs an await on a background thread; the future completes with its outcome. */
    CompletableFuture<Wakeup> awaitInBackground(
            MonitorCondition c, FencedLease lease, Duration timeout) {
        CompletableFuture<Wakeup> f = new CompletableFuture<>();
        background(
                "await-" + c.name(),
                () -> {
                    try {
                        f.complete(c.await(lease, timeout));
                    } catch (Throwable t) {
                        f.completeExceptionally(t);
                    }
                });
        return f;
    }

    void awaitConditionWaiters(String monitor, String condition, int count) {
        waitUntil("waiters of " + monitor + "/" + condition + " to be " + count)
                .until(() -> fixture().conditionEntries(monitor, condition).size() == count);
    }

    static Wakeup done(CompletableFuture<Wakeup> f) throws Exception {
        return f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void awaitGivesTheMonitorUpAndASignalWakesTheWaiterWithAHigherToken() throws Exception {
        String name = name("m");
        Monitor a = client().monitor(name);
        Monitor b = client().monitor(name);
        FencedLease first = a.enter(PATIENCE);
        assertThat(first.kind()).isEqualTo(LeaseKind.MONITOR);

        CompletableFuture<Wakeup> waiting = awaitInBackground(a.condition("ready"), first, LONG);
        awaitConditionWaiters(name, "ready", 1);
        FencedLease signaller = b.enter(PATIENCE); // only possible once the waiter gave it up
        assertThat(signaller.fencingToken()).isGreaterThan(first.fencingToken());
        assertThat(first.state()).isEqualTo(LeaseState.RELEASED);

        assertThat(b.condition("ready").signal(signaller)).isTrue();
        assertThat(fixture().conditionEntries(name, "ready")).isEmpty();
        assertThat(waiting).isNotDone(); // Mesa: the signaller keeps the monitor
        signaller.release();

        Wakeup woken = done(waiting);
        assertThat(woken.signalled()).isTrue();
        assertThat(woken.lease().isHeld()).isTrue();
        assertThat(woken.lease().fencingToken()).isGreaterThan(signaller.fencingToken());
        woken.lease().release();
        awaitEntries(LeaseKind.MONITOR, name, 0);
    }

    @Test
    void aSignalWithNoWaiterIsNotRememberedAndATimeoutReentersUnsignalled() {
        String name = name("m");
        Monitor m = client().monitor(name);
        MonitorCondition c = m.condition("ready");
        FencedLease lease = m.enter(PATIENCE);
        assertThat(c.signal(lease)).isFalse();
        assertThat(c.signalAll(lease)).isZero();

        Wakeup w = c.await(lease, Duration.ofSeconds(1));
        assertThat(w.signalled()).as("the earlier signal was not remembered").isFalse();
        assertThat(w.lease().isHeld()).isTrue();
        assertThat(w.lease().fencingToken()).isGreaterThan(lease.fencingToken());
        assertThat(lease.state()).isEqualTo(LeaseState.RELEASED);
        assertThat(fixture().conditionEntries(name, "ready")).isEmpty();

        // ZERO is a fair yield: out of the monitor and straight back to the tail of its queue.
        Wakeup yielded = c.await(w.lease(), Duration.ZERO);
        assertThat(yielded.signalled()).isFalse();
        assertThat(yielded.lease().fencingToken()).isGreaterThan(w.lease().fencingToken());
        yielded.lease().release();
        awaitEntries(LeaseKind.MONITOR, name, 0);
    }

    @Test
    void signalWakesTheLongestWaiterAndSignalAllWakesEveryOneInOrder() throws Exception {
        String name = name("m");
        List<Monitor> waiters = new ArrayList<>();
        List<CompletableFuture<Wakeup>> woken = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Monitor m = client().monitor(name);
            waiters.add(m);
            woken.add(awaitInBackground(m.condition("c"), m.enter(PATIENCE), LONG));
            awaitConditionWaiters(name, "c", i + 1);
        }
        Monitor s = client().monitor(name);
        FencedLease held = s.enter(PATIENCE);
        assertThat(s.condition("c").signal(held)).isTrue();
        held.release();
        Wakeup first = done(woken.get(0));
        assertThat(first.signalled()).isTrue();
        assertThat(woken.get(1)).as("only the longest waiter was woken").isNotDone();
        assertThat(woken.get(2)).isNotDone();
        assertThat(fixture().conditionEntries(name, "c")).hasSize(2);

        assertThat(waiters.get(0).condition("c").signalAll(first.lease())).isEqualTo(2);
        first.lease().release();
        // The two re-enter one after the other, in an order the engine may choose (see
        // BackendFixture#signalAllKeepsWaitOrder): whichever is granted first is released first,
        // so that the other, queued behind it, can be granted.
        CompletableFuture.anyOf(woken.get(1), woken.get(2))
                .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        int firstIn = woken.get(1).isDone() ? 1 : 2;
        Wakeup second = done(woken.get(firstIn));
        assertThat(woken.get(3 - firstIn)).as("the monitor is exclusive").isNotDone();
        second.lease().release();
        Wakeup third = done(woken.get(3 - firstIn));
        third.lease().release();
        assertThat(second.signalled()).isTrue();
        assertThat(third.signalled()).isTrue();
        // Both re-entered after the signaller, and in grant order.
        assertThat(second.lease().fencingToken()).isGreaterThan(first.lease().fencingToken());
        assertThat(third.lease().fencingToken()).isGreaterThan(second.lease().fencingToken());
        if (fixture().signalAllKeepsWaitOrder()) {
            assertThat(firstIn).as("the longer waiter re-enters first").isEqualTo(1);
        }
        awaitEntries(LeaseKind.MONITOR, name, 0);
        assertThat(fixture().conditionEntries(name, "c")).isEmpty();
    }

    @Test
    void aWokenWaiterGoesToTheTailBehindThoseAlreadyWaitingToEnter() throws Exception {
        String name = name("m");
        Monitor w = client().monitor(name);
        CompletableFuture<Wakeup> waiting =
                awaitInBackground(w.condition("c"), w.enter(PATIENCE), LONG);
        awaitConditionWaiters(name, "c", 1);

        Monitor s = client().monitor(name);
        FencedLease signaller = s.enter(PATIENCE);
        Monitor e = client().monitor(name);
        CompletableFuture<FencedLease> entrant = new CompletableFuture<>();
        background("entrant", () -> entrant.complete(e.enter(LONG)));
        awaitEntries(LeaseKind.MONITOR, name, 2); // the signaller, and the entrant waiting

        assertThat(s.condition("c").signal(signaller)).isTrue();
        awaitEntries(LeaseKind.MONITOR, name, 3); // the woken waiter, behind the entrant
        signaller.release();
        FencedLease entered = entrant.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(waiting).as("the woken waiter is behind the earlier entrant").isNotDone();
        entered.release();
        Wakeup woken = done(waiting);
        assertThat(woken.lease().fencingToken()).isGreaterThan(entered.fencingToken());
        woken.lease().release();
    }

    @Test
    void aLeaseThatIsNotTheMonitorsHeldLeaseIsRefusedAndChangesNothing() throws Exception {
        String name = name("m");
        Baton client = client();
        Monitor m = client.monitor(name);
        MonitorCondition c = m.condition("c");
        Monitor other = client.monitor(name("other"));

        CompletableFuture<Wakeup> waiting = awaitInBackground(c, m.enter(PATIENCE), LONG);
        awaitConditionWaiters(name, "c", 1);

        FencedLease mutexOfSameName = client.mutex(name).acquire(PATIENCE);
        assertThatThrownBy(() -> c.signal(mutexOfSameName))
                .isInstanceOf(MonitorLeaseException.class)
                .hasMessageContaining(name)
                .hasMessageContaining("MUTEX");
        assertThatThrownBy(() -> c.await(mutexOfSameName, LONG))
                .isInstanceOf(MonitorLeaseException.class);
        assertThat(mutexOfSameName.isHeld()).isTrue();
        mutexOfSameName.release();

        FencedLease foreign = other.enter(PATIENCE);
        assertThatThrownBy(() -> c.signal(foreign))
                .isInstanceOf(MonitorLeaseException.class)
                .hasMessageContaining("not a lease of this monitor");
        assertThat(foreign.isHeld()).isTrue();
        foreign.release();

        FencedLease released = m.enter(PATIENCE);
        released.release();
        MonitorLeaseException e = (MonitorLeaseException) catchThrowable(() -> c.signal(released));
        assertThat(e.state()).isEqualTo(LeaseState.RELEASED);
        assertThat(e.name()).isEqualTo(name);
        assertThat(e.lease()).contains(Long.toString(released.fencingToken()));
        assertThatThrownBy(() -> c.await(released, LONG))
                .isInstanceOf(MonitorLeaseException.class)
                .hasMessageContaining("RELEASED");
        assertThatThrownBy(() -> c.signalAll(null)).isInstanceOf(MonitorLeaseException.class);

        Monitor another = client().monitor(name);
        FencedLease fromAnotherClient = another.enter(PATIENCE);
        assertThatThrownBy(() -> c.signal(fromAnotherClient))
                .isInstanceOf(MonitorLeaseException.class)
                .hasMessageContaining("another client");
        // Nothing changed: the waiter still waits, and the real holder can still wake it.
        assertThat(fixture().conditionEntries(name, "c")).hasSize(1);
        assertThat(waiting).isNotDone();
        assertThat(another.condition("c").signal(fromAnotherClient)).isTrue();
        fromAnotherClient.release();
        done(waiting).lease().release();
    }

    @Test
    void theOldLeaseIsUnusableAfterAnAwait() {
        Monitor m = client().monitor(name("m"));
        MonitorCondition c = m.condition("c");
        FencedLease old = m.enter(PATIENCE);
        Wakeup w = c.await(old, Duration.ZERO);
        assertThatThrownBy(() -> c.signal(old)).isInstanceOf(MonitorLeaseException.class);
        assertThatThrownBy(() -> c.await(old, Duration.ZERO))
                .isInstanceOf(MonitorLeaseException.class);
        assertThat(old.release()).isFalse();
        assertThat(w.lease().isHeld()).isTrue();
        w.lease().release();
    }

    @Test
    void anInterruptedAwaitLeavesNothingInTheEngine() throws Exception {
        String name = name("m");
        Monitor m = client().monitor(name);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        FencedLease lease = m.enter(PATIENCE);
        Thread t =
                background(
                        "interrupted-await",
                        () -> {
                            try {
                                m.condition("c").await(lease, LONG);
                            } catch (Throwable e) {
                                outcome.set(e);
                            }
                        });
        awaitConditionWaiters(name, "c", 1);
        t.interrupt();
        t.join(PATIENCE.toMillis());
        assertThat(outcome.get()).isInstanceOf(LockInterruptedException.class);
        assertThat(lease.state()).isEqualTo(LeaseState.RELEASED);
        awaitConditionWaiters(name, "c", 0);
        awaitEntries(LeaseKind.MONITOR, name, 0);
    }

    @Test
    void anAwaitBegunWhileInterruptedLeavesNothingInTheEngine() throws Exception {
        // The interrupt is already there while the engine gives up the monitor and queues the
        // waiter: what the test above meets when its interrupt overtakes that step's answer (a
        // race it lost only on a loaded machine), made certain. The step's outcome must still be
        // waited for, or the monitor and the waiter would be left in an unknown state.
        String name = name("m");
        Monitor m = client().monitor(name);
        FencedLease lease = m.enter(PATIENCE);
        Throwable thrown;
        boolean stillInterrupted;
        Thread.currentThread().interrupt();
        try {
            thrown = catchThrowable(() -> m.condition("c").await(lease, LONG));
        } finally {
            stillInterrupted = Thread.interrupted(); // clears it for the rest of the test
        }
        assertThat(thrown).isInstanceOf(LockInterruptedException.class);
        assertThat(stillInterrupted).as("the caller's interrupt status is kept").isTrue();
        assertThat(lease.state()).isEqualTo(LeaseState.RELEASED);
        awaitConditionWaiters(name, "c", 0);
        awaitEntries(LeaseKind.MONITOR, name, 0);
    }

    @Test
    void aWaiterInterruptedAfterItsSignalLeavesNothingEither() throws Exception {
        String name = name("m");
        Monitor w = client().monitor(name);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        FencedLease lease = w.enter(PATIENCE);
        Thread t =
                background(
                        "interrupted-after-signal",
                        () -> {
                            try {
                                w.condition("c").await(lease, LONG);
                            } catch (Throwable e) {
                                outcome.set(e);
                            }
                        });
        awaitConditionWaiters(name, "c", 1);
        Monitor s = client().monitor(name);
        FencedLease signaller = s.enter(PATIENCE);
        assertThat(s.condition("c").signal(signaller)).isTrue();
        awaitEntries(LeaseKind.MONITOR, name, 2); // moved behind the signaller
        t.interrupt();
        t.join(PATIENCE.toMillis());
        assertThat(outcome.get()).isInstanceOf(LockInterruptedException.class);
        awaitEntries(LeaseKind.MONITOR, name, 1);
        signaller.release();
        awaitEntries(LeaseKind.MONITOR, name, 0);
    }

    @Test
    void aDeadWaiterLeavesTheQueueAndTheSignalGoesToTheLiveOne() throws Exception {
        String name = name("m");
        Baton doomed = partitionableClient();
        Monitor d = doomed.monitor(name);
        CompletableFuture<Wakeup> dead =
                awaitInBackground(d.condition("c"), d.enter(PATIENCE), LONG);
        awaitConditionWaiters(name, "c", 1);
        Monitor live = client().monitor(name);
        CompletableFuture<Wakeup> alive =
                awaitInBackground(live.condition("c"), live.enter(PATIENCE), LONG);
        awaitConditionWaiters(name, "c", 2);

        cutOff(doomed); // its session ends within the engine's bound; its waiter goes with it
        awaitConditionWaiters(name, "c", 1);
        Monitor s = client().monitor(name);
        FencedLease signaller = s.enter(PATIENCE);
        assertThat(s.condition("c").signal(signaller)).isTrue();
        signaller.release();
        Wakeup woken = done(alive);
        assertThat(woken.signalled()).isTrue();
        woken.lease().release();
        assertThat(!dead.isDone() || dead.isCompletedExceptionally())
                .as("the dead waiter was never woken")
                .isTrue();
    }

    /**
     * The lost wake-up that atomicity prevents. A holder finds the condition false and waits; in
     * the two-step control, another holder gets in between the release and the queueing, makes the
     * condition true and signals — to nobody — and the waiter then sleeps through a condition that
     * holds. The same interleaving cannot happen with the atomic await: the other holder can only
     * enter once the waiter is queued, so its signal finds it.
     */
    @Test
    void theTwoStepControlLosesAWakeUpThatTheAtomicAwaitDoesNot() {
        String name = name("m");
        Monitor w = client().monitor(name);
        Monitor s = client().monitor(name);
        AtomicBoolean ready = new AtomicBoolean();
        AtomicInteger signalsThatFoundAWaiter = new AtomicInteger();
        Runnable otherHolder =
                () -> {
                    FencedLease l = s.enter(PATIENCE);
                    ready.set(true);
                    if (s.condition("ready").signal(l)) {
                        signalsThatFoundAWaiter.incrementAndGet();
                    }
                    l.release();
                };

        // Broken: the other holder runs exactly in the gap between the two steps.
        MonitorCondition broken = TwoStepControl.twoStep(w.condition("ready"), otherHolder);
        FencedLease lease = w.enter(PATIENCE);
        assertThat(ready.get()).isFalse();
        Wakeup lost = broken.await(lease, Duration.ofSeconds(2));
        assertThat(ready.get()).as("the condition held while the waiter slept").isTrue();
        assertThat(lost.signalled()).as("the two-step wait slept through the signal").isFalse();
        assertThat(signalsThatFoundAWaiter.get()).isZero();
        lost.lease().release();

        // Atomic: the other holder only gets in once the waiter is queued.
        ready.set(false);
        FencedLease again = w.enter(PATIENCE);
        background("other-holder", otherHolder);
        Wakeup found = w.condition("ready").await(again, LONG);
        assertThat(found.signalled()).isTrue();
        assertThat(signalsThatFoundAWaiter.get()).isEqualTo(1);
        assertThat(ready.get()).isTrue();
        found.lease().release();
    }

    /**
     * The classic use: producers and consumers on several clients share a bounded buffer guarded by
     * the monitor, with conditions {@code not-full} and {@code not-empty}, in Mesa loops. Every
     * item is taken exactly once and the buffer never exceeds its capacity; holders never overlap.
     */
    @Test
    void aBoundedBufferAcrossClientsTakesEveryItemOnce() {
        String name = name("buffer");
        int capacity = 2;
        int perProducer = 15;
        ArrayDeque<Integer> buffer = new ArrayDeque<>();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxSize = new AtomicInteger();
        List<Integer> taken = new CopyOnWriteArrayList<>();
        List<Baton> clients = List.of(client(), client(), client(), client());
        concurrently(
                4,
                i -> {
                    Monitor m = clients.get(i).monitor(name);
                    MonitorCondition notFull = m.condition("not-full");
                    MonitorCondition notEmpty = m.condition("not-empty");
                    boolean producer = i < 2;
                    for (int n = 0; n < perProducer; n++) {
                        FencedLease lease = m.enter(PATIENCE);
                        assertThat(inside.incrementAndGet())
                                .as("one holder at a time")
                                .isEqualTo(1);
                        while (producer ? buffer.size() == capacity : buffer.isEmpty()) {
                            inside.decrementAndGet();
                            lease = (producer ? notFull : notEmpty).await(lease, LONG).lease();
                            assertThat(inside.incrementAndGet()).isEqualTo(1);
                        }
                        if (producer) {
                            buffer.add(i * 1000 + n);
                            maxSize.accumulateAndGet(buffer.size(), Math::max);
                            notEmpty.signal(lease);
                        } else {
                            taken.add(buffer.remove());
                            notFull.signal(lease);
                        }
                        inside.decrementAndGet();
                        lease.release();
                    }
                });
        List<Integer> expected = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            for (int n = 0; n < perProducer; n++) {
                expected.add(p * 1000 + n);
            }
        }
        List<Integer> sorted = new ArrayList<>(taken);
        Collections.sort(sorted);
        assertThat(sorted).isEqualTo(expected);
        assertThat(maxSize.get()).isLessThanOrEqualTo(capacity);
        assertThat(buffer).isEmpty();
        assertThat(fixture().conditionEntries(name, "not-full")).isEmpty();
        assertThat(fixture().conditionEntries(name, "not-empty")).isEmpty();
    }

    @Test
    void badInputIsRefusedWithTheRule() {
        Baton c = client();
        assertThatThrownBy(() -> c.monitor("bad name")).isInstanceOf(InvalidNameException.class);
        Monitor m = c.monitor(name("m"));
        assertThatThrownBy(() -> m.condition("a/b"))
                .isInstanceOf(InvalidNameException.class)
                .hasMessageContaining("one segment");
        assertThatThrownBy(() -> m.condition("x".repeat(65)))
                .isInstanceOf(InvalidNameException.class)
                .hasMessageContaining("64");
        assertThatThrownBy(() -> m.enter(Duration.ofSeconds(-1)))
                .isInstanceOf(InvalidArgumentException.class);
        FencedLease lease = m.enter(PATIENCE);
        assertThatThrownBy(() -> m.condition("c").await(lease, Duration.ofMillis(-1)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("timeout");
        assertThat(lease.isHeld()).as("a refused await changes nothing").isTrue();
        assertThat(m.tryEnter()).isEmpty();
        lease.release();
        assertThat(m.tryEnter()).hasValueSatisfying(l -> assertThat(l.release()).isTrue());
    }
}
