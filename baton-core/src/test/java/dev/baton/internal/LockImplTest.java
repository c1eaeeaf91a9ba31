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
