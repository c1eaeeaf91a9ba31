package dev.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.Versioned;
import dev.baton.WatchEvent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Ordering, overflow and isolation of one watch subscription's queue. */
class SubscriptionImplTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private static WatchEvent put(int i) {
        return WatchEvent.put(new Versioned("k", ("v" + i).getBytes(), i + 1));
    }

    private static int index(WatchEvent e) {
        return (int) e.value().orElseThrow().version() - 1;
    }

    @Test
    void deliversEveryEventInOrderOneAtATime() {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        AtomicBoolean concurrent = new AtomicBoolean();
        AtomicBoolean inside = new AtomicBoolean();
        SubscriptionImpl s =
                new SubscriptionImpl(
                        "",
                        e -> {
                            if (!inside.compareAndSet(false, true)) {
                                concurrent.set(true);
                            }
                            seen.add(index(e));
                            inside.set(false);
                        },
                        pool,
                        10_000,
                        () -> {});
        for (int i = 0; i < 1000; i++) {
            s.accept(put(i));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 1000);
        assertThat(seen).isSorted().doesNotHaveDuplicates();
        assertThat(concurrent).as("listener entered twice at once").isFalse();
        assertThat(s.dropped()).isZero();
    }

    @Test
    void overflowReplacesTheQueueWithOneResyncAndDeliveryResumes() throws Exception {
        CountDownLatch firstIn = new CountDownLatch(1);
        CountDownLatch unblock = new CountDownLatch(1);
        List<WatchEvent> seen = new CopyOnWriteArrayList<>();
        SubscriptionImpl s =
                new SubscriptionImpl(
                        "",
                        e -> {
                            firstIn.countDown();
                            try {
                                unblock.await();
                            } catch (InterruptedException ie) {
                                Thread.currentThread().interrupt();
                            }
                            seen.add(e);
                        },
                        pool,
                        4,
                        () -> {});
        s.accept(put(0)); // taken by the listener, which blocks
        assertThat(firstIn.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 6; i++) {
            s.accept(put(i)); // 1..4 fill the queue; 5 overflows it
        }
        assertThat(s.dropped()).isEqualTo(4);
        unblock.countDown();
        s.accept(put(7));
        // Events 1-4 were dropped for one RESYNC; 5 and 6 were queued after it, 7 after unblocking.
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 5);
        assertThat(seen)
                .extracting(WatchEvent::type)
                .containsExactly(
                        WatchEvent.Type.PUT,
                        WatchEvent.Type.RESYNC,
                        WatchEvent.Type.PUT,
                        WatchEvent.Type.PUT,
                        WatchEvent.Type.PUT);
        assertThat(
                        seen.stream()
                                .filter(e -> e.type() == WatchEvent.Type.PUT)
                                .map(SubscriptionImplTest::index))
                .containsExactly(0, 5, 6, 7);
        assertThat(s.dropped()).isEqualTo(4);
    }

    @Test
    void aBlockedListenerHoldsUpOnlyItsOwnSubscription() {
        CountDownLatch unblock = new CountDownLatch(1);
        List<WatchEvent> slowSeen = new CopyOnWriteArrayList<>();
        List<WatchEvent> fastSeen = new CopyOnWriteArrayList<>();
        SubscriptionImpl slow =
                new SubscriptionImpl(
                        "",
                        e -> {
                            try {
                                unblock.await();
                            } catch (InterruptedException ie) {
                                Thread.currentThread().interrupt();
                            }
                            slowSeen.add(e);
                        },
                        pool,
                        100,
                        () -> {});
        SubscriptionImpl fast = new SubscriptionImpl("", fastSeen::add, pool, 100, () -> {});
        for (int i = 0; i < 10; i++) {
            slow.accept(put(i));
            fast.accept(put(i));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> fastSeen.size() == 10);
        assertThat(slowSeen).isEmpty();
        unblock.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> slowSeen.size() == 10);
    }

    @Test
    void aThrowingListenerKeepsItsSubscription() {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        SubscriptionImpl s =
                new SubscriptionImpl(
                        "",
                        e -> {
                            seen.add(index(e));
                            if (index(e) == 0) {
                                throw new IllegalStateException("listener bug");
                            }
                        },
                        pool,
                        10,
                        () -> {});
        s.accept(put(0));
        s.accept(put(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
        assertThat(seen).containsExactly(0, 1);
    }

    @Test
    void closeStopsDeliveryAndRunsTheCloseActionOnce() {
        ArrayDeque<Runnable> manual = new ArrayDeque<>();
        List<WatchEvent> seen = new CopyOnWriteArrayList<>();
        int[] closed = {0};
        SubscriptionImpl s =
                new SubscriptionImpl("p", seen::add, manual::add, 10, () -> closed[0]++);
        s.accept(put(0));
        s.close();
        s.close();
        s.accept(put(1));
        while (!manual.isEmpty()) {
            manual.poll().run();
        }
        assertThat(seen).isEmpty();
        assertThat(closed[0]).isEqualTo(1);
        assertThat(s.prefix()).isEqualTo("p");
    }
}
