package dev.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FakeTicker;
import dev.baton.LeaseInvalidException;
import dev.baton.LeaseKind;
import dev.baton.LeaseLoss;
import dev.baton.LeaseLostException;
import dev.baton.LeaseState;
import dev.baton.mem.MemEngine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lease state machine, driven by a fake ticker over the in-memory engine. The TTL is 10
 * minutes, so neither renewals nor the engine's session expiry happen during a test: only the fake
 * clock moves deadlines, and session signals are sent by the test through the client's {@link
 * dev.baton.spi.BackendContext}.
 */
class LeaseImplTest {
    private static final String ENGINE = "lease-impl-test";
    private static final Duration TTL = Duration.ofMinutes(10);
    private static final Duration MARGIN = Duration.ofMinutes(1);

    private final FakeTicker ticker = new FakeTicker();
    private final List<String> callbackThreads = new CopyOnWriteArrayList<>();
    private ExecutorService callbacks;
    private BatonImpl baton;

    @BeforeEach
    void connect() {
        callbacks =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "test-callbacks");
                            t.setDaemon(true);
                            return t;
                        });
        BatonConfig config =
                BatonConfig.custom()
                        .leaseTtl(TTL)
                        .safetyMargin(MARGIN)
                        .ticker(ticker)
                        .callbackExecutor(
                                task ->
                                        callbacks.execute(
                                                () -> {
                                                    callbackThreads.add(
                                                            Thread.currentThread().getName());
                                                    task.run();
                                                }))
                        .build();
        baton = (BatonImpl) Baton.connect("mem:" + ENGINE, config);
    }

    @AfterEach
    void close() throws InterruptedException {
        baton.close();
        MemEngine.reset(ENGINE);
        callbacks.shutdown();
        callbacks.awaitTermination(5, TimeUnit.SECONDS);
    }

    private LeaseImpl acquire(String name) {
        return (LeaseImpl) baton.mutex(name).acquire(Duration.ofSeconds(5));
    }

    @Test
    void heldGoesInDoubtAndBackToHeldWhenConfirmedInTime() {
        LeaseImpl lease = acquire("doubt");
        assertThat(lease.state()).isEqualTo(LeaseState.HELD);
        lease.ensureValid();

        baton.sessionSuspended();
        assertThat(lease.state()).isEqualTo(LeaseState.IN_DOUBT);
        assertThat(lease.isHeld()).isFalse();
        assertThatThrownBy(lease::ensureValid)
                .isExactlyInstanceOf(LeaseInvalidException.class)
                .hasMessageContaining("IN_DOUBT");

        ticker.advance(Duration.ofMinutes(2));
        baton.sessionConfirmed(ticker.read());
        assertThat(lease.state()).isEqualTo(LeaseState.HELD);
        lease.ensureValid();
    }

    @Test
    void confirmationMovesTheDeadlineForwardOnly() {
        LeaseImpl lease = acquire("forward");
        long first = lease.deadlineNanos();
        assertThat(first).isEqualTo(ticker.read() + TTL.toNanos() - MARGIN.toNanos());

        ticker.advance(Duration.ofMinutes(3));
        long sentAt = ticker.read();
        baton.sessionConfirmed(sentAt);
        assertThat(lease.deadlineNanos()).isEqualTo(sentAt + TTL.toNanos() - MARGIN.toNanos());

        baton.sessionConfirmed(sentAt - Duration.ofMinutes(2).toNanos()); // an older, late answer
        assertThat(lease.deadlineNanos()).isEqualTo(sentAt + TTL.toNanos() - MARGIN.toNanos());
    }

    @Test
    void passingTheDeadlineMakesTheLeaseLostForWhoeverLooksFirst() {
        LeaseImpl lease = acquire("deadline");
        ticker.advance(TTL.minus(MARGIN).minusNanos(1));
        assertThat(lease.state()).isEqualTo(LeaseState.HELD);

        ticker.advance(Duration.ofNanos(1));
        assertThatThrownBy(lease::ensureValid)
                .isInstanceOf(LeaseLostException.class)
                .satisfies(
                        e ->
                                assertThat(((LeaseLostException) e).loss().reason())
                                        .isEqualTo(LeaseLoss.Reason.DEADLINE_PASSED));
        assertThat(lease.state()).isEqualTo(LeaseState.LOST);
        assertThat(lease.release()).as("releasing a lost lease is a no-op").isFalse();
    }

    @Test
    void aConfirmationAfterTheDeadlineCannotReviveTheLease() {
        LeaseImpl lease = acquire("revive");
        baton.sessionSuspended();
        long sentBeforeDeadline = ticker.read();
        ticker.advance(TTL); // past the deadline, nobody looked yet
        baton.sessionConfirmed(sentBeforeDeadline + 1); // would extend it, but arrives too late
        assertThat(lease.state()).isEqualTo(LeaseState.LOST);
        baton.sessionConfirmed(ticker.read());
        assertThat(lease.state()).isEqualTo(LeaseState.LOST);
    }

    @Test
    void remainingCountsDownToTheDeadlineAndIsZeroOnceLostOrReleased() {
        LeaseImpl lease = acquire("remaining");
        Duration full = lease.remaining();
        assertThat(full).isPositive().isLessThanOrEqualTo(TTL);
        ticker.advance(Duration.ofMillis(100));
        assertThat(lease.remaining()).isEqualTo(full.minusMillis(100));
        ticker.advance(full); // past the deadline: remaining() notices, as state() does
        assertThat(lease.remaining()).isZero();
        assertThat(lease.state()).isEqualTo(LeaseState.LOST);

        LeaseImpl other = acquire("remaining-released");
        assertThat(other.release()).isTrue();
        assertThat(other.remaining()).isZero();
    }

    @Test
    void releaseIsIdempotentAndFinal() {
        LeaseImpl lease = acquire("release");
        assertThat(lease.release()).isTrue();
        assertThat(lease.release()).isFalse();
        lease.close();
        assertThat(lease.state()).isEqualTo(LeaseState.RELEASED);
        baton.sessionConfirmed(ticker.read());
        baton.sessionLost(LeaseLoss.Reason.SESSION_EXPIRED, "too late to matter");
        assertThat(lease.state()).as("released stays released").isEqualTo(LeaseState.RELEASED);
        assertThat(lease.lost().toCompletableFuture()).as("never lost once released").isNotDone();
        assertThat(MemEngine.named(ENGINE).entries(LeaseKind.MUTEX, "release")).isEmpty();
    }

    @Test
    void lostCompletesExactlyOnceOnTheCallbackExecutorAndFreesTheGrant() throws Exception {
        LeaseImpl lease = acquire("lost");
        AtomicInteger runs = new AtomicInteger();
        List<String> seenOn = new CopyOnWriteArrayList<>();
        lease.lost()
                .thenAccept(
                        l -> {
                            runs.incrementAndGet();
                            seenOn.add(Thread.currentThread().getName());
                        });

        baton.sessionLost(LeaseLoss.Reason.SESSION_EXPIRED, "first");
        lease.markLost(LeaseLoss.Reason.GRANT_GONE, "second");
        ticker.advance(TTL.multipliedBy(2));
        assertThat(lease.state()).isEqualTo(LeaseState.LOST);

        LeaseLoss loss = lease.lost().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(loss.reason()).isEqualTo(LeaseLoss.Reason.SESSION_EXPIRED);
        assertThat(loss.detail()).isEqualTo("first");
        await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() == 1);
        assertThat(seenOn).containsExactly("test-callbacks");
        assertThat(callbackThreads).contains("test-callbacks");
        // The core removes a lost lease's grant so the next waiter need not wait for expiry.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> MemEngine.named(ENGINE).entries(LeaseKind.MUTEX, "lost").isEmpty());
        assertThat(runs).hasValue(1);
        assertThat(baton.leases()).isEmpty();
    }

    @Test
    void closingTheClientMarksLeasesLostWithClientClosed() throws Exception {
        LeaseImpl lease = acquire("closing");
        baton.close();
        assertThat(lease.state()).isEqualTo(LeaseState.LOST);
        assertThat(lease.lost().toCompletableFuture().get(5, TimeUnit.SECONDS).reason())
                .isEqualTo(LeaseLoss.Reason.CLIENT_CLOSED);
        assertThat(MemEngine.named(ENGINE).entries(LeaseKind.MUTEX, "closing")).isEmpty();
    }
}
