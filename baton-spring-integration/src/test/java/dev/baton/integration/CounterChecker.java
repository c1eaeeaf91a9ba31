package dev.baton.integration;

import dev.baton.testkit.ExclusiveResource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import org.springframework.integration.support.locks.LockRegistry;

/**
 * The mutual-exclusion checker: threads spread over several registries increment one shared,
 * non-atomic counter under the registries' lock for one key (read, yield, write), through {@code
 * lock()}, {@code tryLock(time)} and {@code executeLocked} in turn, and an {@link
 * ExclusiveResource} counts overlapping holders. A lock that excludes ends with the exact total and
 * no overlap; {@code BatonLockRegistryTest} shows that one that does not is caught.
 */
final class CounterChecker {
    private volatile int counter; // volatile for visibility only: the increment is not atomic
    private final ExclusiveResource resource = new ExclusiveResource();

    record Result(int expected, int counted, int overlaps) {
        boolean exact() {
            return counted == expected && overlaps == 0;
        }
    }

    /**
     * Runs {@code threadsPerRegistry} threads on each registry, {@code increments} each, all
     * released together by one start gate.
     */
    static Result run(
            List<? extends LockRegistry<?>> registries,
            String key,
            int threadsPerRegistry,
            int increments)
            throws Exception {
        CounterChecker checker = new CounterChecker();
        int threads = registries.size() * threadsPerRegistry;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> workers = new ArrayList<>();
            for (LockRegistry<?> registry : registries) {
                for (int t = 0; t < threadsPerRegistry; t++) {
                    workers.add(
                            pool.submit(
                                    () -> {
                                        ready.countDown();
                                        go.await();
                                        for (int i = 0; i < increments; i++) {
                                            checker.incrementOnce(registry, key, i);
                                        }
                                        return null;
                                    }));
                }
            }
            if (!ready.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("workers did not start");
            }
            go.countDown();
            for (Future<?> w : workers) {
                w.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return new Result(threads * increments, checker.counter, checker.resource.violations());
    }

    private void incrementOnce(LockRegistry<?> registry, String key, int i) throws Exception {
        switch (i % 3) {
            case 0 -> {
                Lock lock = registry.obtain(key);
                lock.lock();
                try {
                    increment();
                } finally {
                    lock.unlock();
                }
            }
            case 1 -> {
                Lock lock = registry.obtain(key);
                if (!lock.tryLock(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("not locked within 60 s");
                }
                try {
                    increment();
                } finally {
                    lock.unlock();
                }
            }
            default -> registry.executeLocked(key, this::increment);
        }
    }

    private void increment() {
        resource.enter();
        try {
            int seen = counter;
            Thread.yield(); // widen the window in which a second holder would lose an update
            counter = seen + 1;
        } finally {
            resource.exit();
        }
    }
}
