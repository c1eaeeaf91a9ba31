package dev.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.LeaseKind;
import dev.baton.LeaseState;
import dev.baton.LockTimeoutException;
import dev.baton.Monitor;
import dev.baton.MonitorCondition;
import dev.baton.MonitorCondition.Wakeup;
import dev.baton.MonitorLeaseException;
import dev.baton.mem.MemEngine;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The step-by-step await ({@link MonitorCondition#beginAwait}) and {@link Monitor#enterAsync}, as a
 * gateway drives them for its clients: the wake-up as a future, the time-up as a separate call,
 * cancellation leaving nothing in the engine.
 */
class BeginAwaitTest {
    private static final String ENGINE = "begin-await-test";
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private final Baton a = Baton.connect("mem:" + ENGINE);
    private final Baton b = Baton.connect("mem:" + ENGINE);

    @AfterEach
    void close() {
        a.close();
        b.close();
        MemEngine.reset(ENGINE);
    }

    private static MemEngine engine() {
        return MemEngine.named(ENGINE);
    }

    private static Wakeup done(CompletableFuture<Wakeup> f) throws Exception {
        return f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aSignalledWaiterWakesWithAHigherTokenAndTheTimeUpThenMovesNothing() throws Exception {
        Monitor m = a.monitor("m1");
        FencedLease first = m.enter(PATIENCE);
        MonitorCondition.Waiting waiting = m.condition("c").beginAwait(first);
        // Step one is done when beginAwait returns: queued, and the monitor is free.
        assertThat(engine().conditionWaiters("m1", "c")).hasSize(1);
        assertThat(first.state()).isEqualTo(LeaseState.RELEASED);
        FencedLease signaller = b.monitor("m1").enter(PATIENCE);
        assertThat(b.monitor("m1").condition("c").signal(signaller)).isTrue();
        assertThat(waiting.wakeup()).isNotDone(); // Mesa: the signaller keeps the monitor
        signaller.release();

        Wakeup w = done(waiting.wakeup());
        assertThat(w.signalled()).isTrue();
        assertThat(w.lease().fencingToken()).isGreaterThan(signaller.fencingToken());
        assertThat(waiting.timeUp()).as("a time-up after the wake-up moves nothing").isFalse();
        w.lease().release();
        assertThat(engine().entries(LeaseKind.MONITOR, "m1")).isEmpty();
    }

    @Test
    void theTimeUpMovesAnUnsignalledWaiterAndItsWakeupSaysSo() throws Exception {
        Monitor m = a.monitor("m2");
        FencedLease lease = m.enter(PATIENCE);
        MonitorCondition.Waiting waiting = m.condition("c").beginAwait(lease);
        assertThat(waiting.wakeup()).isNotDone();

        assertThat(waiting.timeUp()).isTrue();
        assertThat(waiting.timeUp()).as("only the first call asks").isFalse();
        Wakeup w = done(waiting.wakeup());
        assertThat(w.signalled()).isFalse();
        assertThat(w.lease().fencingToken()).isGreaterThan(lease.fencingToken());
        assertThat(engine().conditionWaiters("m2", "c")).isEmpty();
        w.lease().release();
    }

    @Test
    void cancellingTheWakeupLeavesNothingInEitherQueue() {
        Monitor m = a.monitor("m3");
        MonitorCondition.Waiting inWaitQueue = m.condition("c").beginAwait(m.enter(PATIENCE));
        assertThat(inWaitQueue.wakeup().cancel(false)).isTrue();
        await().atMost(PATIENCE).until(() -> engine().conditionWaiters("m3", "c").isEmpty());

        // Once signalled it waits in the entry queue behind the holder: cancel withdraws it there.
        MonitorCondition.Waiting moved = m.condition("c").beginAwait(m.enter(PATIENCE));
        FencedLease holder = b.monitor("m3").enter(PATIENCE);
        assertThat(b.monitor("m3").condition("c").signal(holder)).isTrue();
        assertThat(engine().entries(LeaseKind.MONITOR, "m3")).hasSize(2);
        assertThat(moved.wakeup().cancel(false)).isTrue();
        await().atMost(PATIENCE).until(() -> engine().entries(LeaseKind.MONITOR, "m3").size() == 1);
        holder.release();
        assertThat(engine().entries(LeaseKind.MONITOR, "m3")).isEmpty();
    }

    @Test
    void aLeaseThatIsNotHeldIsRefusedAndChangesNothing() {
        Monitor m = a.monitor("m4");
        FencedLease released = m.enter(PATIENCE);
        released.release();
        assertThatThrownBy(() -> m.condition("c").beginAwait(released))
                .isInstanceOf(MonitorLeaseException.class)
                .hasMessageContaining("RELEASED");
        FencedLease mutex = a.mutex("m4").acquire(PATIENCE);
        assertThatThrownBy(() -> m.condition("c").beginAwait(mutex))
                .isInstanceOf(MonitorLeaseException.class);
        assertThat(mutex.isHeld()).isTrue();
        mutex.release();
        assertThat(engine().conditionWaiters("m4", "c")).isEmpty();
    }

    @Test
    void enterAsyncWaitsInTheQueueAndACancelWithdrawsIt() throws Exception {
        Monitor m = a.monitor("m5");
        FencedLease holder = b.monitor("m5").enter(PATIENCE);
        CompletableFuture<FencedLease> busy = m.enterAsync(Duration.ZERO);
        assertThatThrownBy(() -> busy.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(LockTimeoutException.class);

        CompletableFuture<FencedLease> waiting = m.enterAsync(PATIENCE);
        await().atMost(PATIENCE).until(() -> engine().entries(LeaseKind.MONITOR, "m5").size() == 2);
        assertThat(waiting.cancel(false)).isTrue();
        await().atMost(PATIENCE).until(() -> engine().entries(LeaseKind.MONITOR, "m5").size() == 1);

        CompletableFuture<FencedLease> next = m.enterAsync(PATIENCE);
        holder.release();
        FencedLease entered = next.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(entered.kind()).isEqualTo(LeaseKind.MONITOR);
        assertThat(entered.fencingToken()).isGreaterThan(holder.fencingToken());
        entered.release();
    }
}
