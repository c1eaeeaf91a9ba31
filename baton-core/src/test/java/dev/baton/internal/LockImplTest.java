package dev.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FencedLease;
import dev.baton.LeaseLoss;
import dev.baton.LockTimeoutException;
import dev.baton.Mutex;
import dev.baton.WatchEvent;
import dev.baton.mem.MemEngine;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Regression tests for the caller-facing lock semantics, named after the symptom they pin. */
class LockImplTest {
    private static final String ENGINE = "lock-impl-test";
    private Baton holder;
    private Baton other;

    @AfterEach
    void close() {
        if (holder != null) {
            holder.close();
        }
        if (other != null) {
            other.close();
        }
        MemEngine.reset(ENGINE);
    }

    @Test
    void aWithdrawalStalledOnTheEngineCannotDelayTheLossSignal() throws Exception {
        // A timed-out waiter's withdrawal blocks (as a delete waiting on a stalled network would);
        // meanwhile the same client's held lease must still be declared lost by its deadline.
        StallingBackendProvider.gate = new CountDownLatch(1);
        try {
            BatonConfig config =
                    BatonConfig.custom()
                            .leaseTtl(Duration.ofSeconds(5))
                            .safetyMargin(Duration.ofMillis(1500))
                            .build();
            holder = Baton.connect("stall:" + ENGINE, config);
            other = Baton.connect("mem:" + ENGINE);
            FencedLease held = holder.mutex("held").acquire(Duration.ofSeconds(5));
            FencedLease blocking = other.mutex("busy").acquire(Duration.ofSeconds(5));
            CompletableFuture<Throwable> waiter =
                    CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    holder.mutex("busy").acquire(Duration.ofSeconds(1));
                                    return null;
                                } catch (RuntimeException e) {
                                    return e;
                                }
                            });
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> other.inspect("busy").orElseThrow().waiters() == 1);

            MemEngine.named(ENGINE).partition(holder.clientId());

            LeaseLoss loss = held.lost().toCompletableFuture().get(15, TimeUnit.SECONDS);
            assertThat(loss.reason()).isEqualTo(LeaseLoss.Reason.DEADLINE_PASSED);
            assertThat(StallingBackendProvider.gate.getCount()).isEqualTo(1); // still stalled
            StallingBackendProvider.gate.countDown();
            assertThat(waiter.get(10, TimeUnit.SECONDS)).isInstanceOf(LockTimeoutException.class);
            blocking.release();
        } finally {
            StallingBackendProvider.gate.countDown();
        }
    }

    @Test
    void acquireAsyncWithZeroTimeoutOnAHeldLockFailsAtOnceInsteadOfQueueing() throws Exception {
        holder = Baton.connect("mem:" + ENGINE);
        other = Baton.connect("mem:" + ENGINE);
        FencedLease held = holder.mutex("z").acquire(Duration.ofSeconds(5));

        CompletableFuture<FencedLease> f = other.mutex("z").acquireAsync(Duration.ZERO);

        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(LockTimeoutException.class)
                .hasMessageContaining(holder.clientId());
        assertThat(other.inspect("z").orElseThrow().waiters()).isZero();
        held.release();
    }

    @Test
    void completingTheAsyncFutureByHandWithdrawsTheRequest() {
        holder = Baton.connect("mem:" + ENGINE);
        other = Baton.connect("mem:" + ENGINE);
        FencedLease held = holder.mutex("w").acquire(Duration.ofSeconds(5));
        CompletableFuture<FencedLease> f = other.mutex("w").acquireAsync(Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> holder.inspect("w").orElseThrow().waiters() == 1);

        f.completeExceptionally(new IllegalStateException("caller lost interest"));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> holder.inspect("w").orElseThrow().waiters() == 0);
        held.release();
        assertThat(holder.inspect("w")).isEmpty();
    }

    @Test
    void aCallerRunsCallbackExecutorNeverRunsUserCodeOnTheEngineOrCallerThread() throws Exception {
        BatonConfig direct = BatonConfig.custom().callbackExecutor(Runnable::run).build();
        holder = Baton.connect("mem:" + ENGINE, direct);
        other = Baton.connect("mem:" + ENGINE);
        AtomicReference<String> listenerThread = new AtomicReference<>();
        CountDownLatch delivered = new CountDownLatch(1);
        holder.watch(
                "k",
                e -> {
                    if (e.type() == WatchEvent.Type.PUT) {
                        listenerThread.set(Thread.currentThread().getName());
                        delivered.countDown();
                    }
                });
        AtomicReference<String> lossThread = new AtomicReference<>();
        CountDownLatch lost = new CountDownLatch(1);
        Mutex m = holder.mutex("m");
        FencedLease lease = m.acquire(Duration.ofSeconds(5));
        lease.lost()
                .thenRun(
                        () -> {
                            lossThread.set(Thread.currentThread().getName());
                            lost.countDown();
                        });

        other.keyValue().put("k", "v");
        MemEngine.named(ENGINE).expire(holder.clientId());

        assertThat(delivered.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(lost.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(listenerThread.get()).startsWith("baton-worker-");
        assertThat(lossThread.get()).startsWith("baton-worker-");
        assertThat(lease.lost().toCompletableFuture().get().reason())
                .isEqualTo(LeaseLoss.Reason.SESSION_EXPIRED);
    }
}
