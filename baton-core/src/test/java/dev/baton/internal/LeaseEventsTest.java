package dev.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FakeTicker;
import dev.baton.FencedLease;
import dev.baton.Lease;
import dev.baton.LeaseKind;
import dev.baton.LeaseListener;
import dev.baton.LeaseLoss;
import dev.baton.LockTimeoutException;
import dev.baton.mem.MemEngine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lease-event SPI: every transition reaches the listener once, in order, never on the thread
 * that caused it; a failing listener does not stop later events.
 */
class LeaseEventsTest {
    private static final String ENGINE = "lease-events-test";

    private final FakeTicker ticker = new FakeTicker();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private BatonImpl baton;

    private final LeaseListener recorder =
            new LeaseListener() {
                @Override
                public void granted(Lease lease, Duration waited) {
                    record("granted " + lease.name());
                }

                @Override
                public void refused(String name, LeaseKind kind, Refusal refusal, Duration w) {
                    record("refused " + name + " " + kind + " " + refusal);
                }

                @Override
                public void renewed(int leases, Duration roundTrip) {
                    record("renewed " + leases);
                }

                @Override
                public void inDoubt(Lease lease) {
                    record("inDoubt " + lease.name());
                }

                @Override
                public void confirmed(Lease lease) {
                    record("confirmed " + lease.name());
                }

                @Override
                public void lost(Lease lease, LeaseLoss loss) {
                    record("lost " + lease.name() + " " + loss.reason());
                }

                @Override
                public void released(Lease lease) {
                    record("released " + lease.name());
                    if (lease.name().equals("boom")) {
                        throw new IllegalStateException("a listener's own bug");
                    }
                }
            };

    private void record(String event) {
        threads.add(Thread.currentThread());
        events.add(event);
    }

    private BatonImpl connect(LeaseListener listener) {
        return connect(BatonConfig.custom().leaseListener(listener));
    }

    private BatonImpl connect(BatonConfig.Builder config) {
        return (BatonImpl)
                Baton.connect(
                        "mem:" + ENGINE,
                        config.leaseTtl(Duration.ofMinutes(10)).ticker(ticker).build());
    }

    @AfterEach
    void close() {
        if (baton != null) {
            baton.close();
        }
        MemEngine.reset(ENGINE);
    }

    @Test
    void everyTransitionIsReportedOnceInOrderOffTheCallersThread() {
        baton = connect(recorder);
        FencedLease a = baton.mutex("a").acquire(Duration.ofSeconds(5));
        assertThat(baton.mutex("a").tryAcquire()).isEmpty();
        baton.sessionSuspended();
        baton.sessionConfirmed(ticker.read());
        a.release();
        FencedLease b = baton.mutex("b").acquire(Duration.ofSeconds(5));
        baton.grantLost(((LeaseImpl) b).grant(), LeaseLoss.Reason.GRANT_GONE, "test");

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () ->
                                assertThat(events)
                                        .containsExactly(
                                                "granted a",
                                                "refused a MUTEX BUSY",
                                                "inDoubt a",
                                                "confirmed a",
                                                "released a",
                                                "granted b",
                                                "lost b GRANT_GONE"));
        assertThat(threads).doesNotContain(Thread.currentThread());
    }

    @Test
    void aTimeoutAndAClosedClientAreReportedForWhatTheyAre() {
        baton = connect(recorder);
        Baton other = Baton.connect("mem:" + ENGINE);
        try (FencedLease held = other.mutex("t").acquire(Duration.ofSeconds(5))) {
            try {
                baton.mutex("t").acquire(Duration.ofMillis(50));
            } catch (LockTimeoutException expected) {
                // the event is what is under test
            }
        } finally {
            other.close();
        }
        baton.readWriteLock("c").writeLock().acquire(Duration.ofSeconds(5));
        baton.close();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () ->
                                assertThat(events)
                                        .containsExactly(
                                                "refused t MUTEX TIMEOUT",
                                                "granted c",
                                                "lost c CLIENT_CLOSED"));
    }

    @Test
    void aFailingListenerDoesNotStopLaterEvents() throws InterruptedException {
        baton = connect(recorder);
        baton.mutex("boom").acquire(Duration.ofSeconds(5)).release();
        baton.mutex("after").acquire(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () ->
                                assertThat(events)
                                        .containsExactly(
                                                "granted boom", "released boom", "granted after"));
    }

    @Test
    void aSlowListenerDelaysNoLossSignal() throws InterruptedException {
        CountDownLatch unblock = new CountDownLatch(1);
        // A serial callback executor, as an application may configure: the listener must not
        // occupy it, or the loss callback queued there would wait behind the blocked listener.
        java.util.concurrent.ExecutorService serial =
                java.util.concurrent.Executors.newSingleThreadExecutor();
        baton =
                connect(
                        BatonConfig.custom()
                                .callbackExecutor(serial)
                                .leaseListener(
                                        new LeaseListener() {
                                            @Override
                                            public void granted(Lease lease, Duration waited) {
                                                try {
                                                    unblock.await(30, TimeUnit.SECONDS);
                                                } catch (InterruptedException e) {
                                                    Thread.currentThread().interrupt();
                                                }
                                            }
                                        }));
        try {
            FencedLease lease = baton.mutex("slow").acquire(Duration.ofSeconds(5));
            CountDownLatch lostSeen = new CountDownLatch(1);
            lease.lost().thenRun(lostSeen::countDown);
            baton.grantLost(((LeaseImpl) lease).grant(), LeaseLoss.Reason.GRANT_GONE, "test");
            assertThat(lostSeen.await(10, TimeUnit.SECONDS))
                    .as("the loss future completes while the listener is still blocked")
                    .isTrue();
        } finally {
            unblock.countDown();
            serial.shutdown();
        }
    }

    @Test
    void aLeasesEventsArriveInTheOrderOfItsTransitionsUnderContention() throws Exception {
        java.util.Map<Lease, List<String>> perLease =
                new java.util.concurrent.ConcurrentHashMap<>();
        baton =
                connect(
                        new LeaseListener() {
                            @Override
                            public void granted(Lease lease, Duration waited) {
                                perLease.computeIfAbsent(lease, l -> new CopyOnWriteArrayList<>())
                                        .add("granted");
                            }

                            @Override
                            public void released(Lease lease) {
                                perLease.computeIfAbsent(lease, l -> new CopyOnWriteArrayList<>())
                                        .add("released");
                            }
                        });
        int threads = 8;
        int rounds = 1500;
        java.util.concurrent.ExecutorService pool =
                java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(
                        pool.submit(
                                () -> {
                                    for (int i = 0; i < rounds; i++) {
                                        baton.mutex("handoff")
                                                .acquire(Duration.ofSeconds(30))
                                                .release();
                                    }
                                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        await().atMost(Duration.ofSeconds(20))
                .until(
                        () ->
                                perLease.values().stream().mapToInt(List::size).sum()
                                        == 2 * threads * rounds);
        assertThat(perLease).hasSize(threads * rounds);
        perLease.values()
                .forEach(events -> assertThat(events).containsExactly("granted", "released"));
    }

    @Test
    void leasesListsWhatThisClientHolds() {
        baton = connect(LeaseListener.NONE);
        FencedLease a = baton.mutex("x").acquire(Duration.ofSeconds(5));
        FencedLease b = baton.semaphore("y", 3).acquire(Duration.ofSeconds(5));
        assertThat(baton.leases()).containsExactlyInAnyOrder(a, b);
        a.release();
        assertThat(baton.leases()).containsExactly(b);
    }
}
