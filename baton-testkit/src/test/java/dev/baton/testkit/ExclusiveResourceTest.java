package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * Proves the checkers the contract suite relies on: each must reject a broken lock (a test that
 * must fail to prove a checker works), and accept a correct one.
 */
class ExclusiveResourceTest {

    /** A "lock" that excludes nobody. */
    private static final Runnable NO_OP = () -> {};

    @Test
    void overlapDetectorCatchesALockThatExcludesNobody() throws Exception {
        ExclusiveResource resource = new ExclusiveResource();
        int threads = 4;
        // All threads enter before any leaves: with a no-op lock they are inside together.
        CyclicBarrier allInside = new CyclicBarrier(threads);
        run(
                threads,
                () -> {
                    NO_OP.run();
                    resource.enter();
                    try {
                        allInside.await(10, TimeUnit.SECONDS);
                    } finally {
                        resource.exit();
                    }
                });
        assertThat(resource.violations()).isPositive();
        assertThat(resource.maxInside()).isEqualTo(threads);
    }

    @Test
    void plainCounterLosesAnUpdateUnderANoOpLockAndNotUnderARealOne() throws Exception {
        int[] counter = {0};
        // The interleaving a no-op lock allows: both read, then both write.
        CyclicBarrier bothRead = new CyclicBarrier(2);
        run(
                2,
                () -> {
                    NO_OP.run();
                    int read = counter[0];
                    bothRead.await(10, TimeUnit.SECONDS);
                    counter[0] = read + 1;
                });
        assertThat(counter[0]).as("one increment lost").isEqualTo(1);

        ReentrantLock lock = new ReentrantLock();
        ExclusiveResource resource = new ExclusiveResource();
        int[] guarded = {0};
        run(
                4,
                () -> {
                    for (int i = 0; i < 500; i++) {
                        lock.lock();
                        try {
                            resource.use(
                                    () -> {
                                        int read = guarded[0];
                                        Thread.yield();
                                        guarded[0] = read + 1;
                                    });
                        } finally {
                            lock.unlock();
                        }
                    }
                });
        assertThat(resource.violations()).isZero();
        assertThat(guarded[0]).isEqualTo(4 * 500);
    }

    @Test
    void capacityAllowsThatManyHoldersAndNoMore() {
        ExclusiveResource three = new ExclusiveResource(3);
        three.enter();
        three.enter();
        three.enter();
        assertThat(three.violations()).isZero();
        three.enter();
        assertThat(three.violations()).isPositive();
        assertThat(three.maxInside()).isEqualTo(4);
    }

    @Test
    void fencedRegisterRejectsAStaleToken() {
        FencedRegister register = new FencedRegister();
        assertThat(register.write(5, "a")).isTrue();
        assertThat(register.write(7, "b")).isTrue();
        assertThat(register.write(6, "a (stale)")).isFalse();
        assertThat(register.write(7, "b again")).isFalse();
        assertThat(register.rejected()).hasSize(2).first().asString().contains("a (stale)");
        assertThat(register.highest()).isEqualTo(7);
        assertThat(register.accepted()).isEqualTo(2);
    }

    private interface Body {
        void run() throws Exception;
    }

    private static void run(int n, Body body) throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < n; i++) {
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    body.run();
                                } catch (Throwable e) {
                                    failures.add(e);
                                }
                            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(failures).isEmpty();
    }
}
