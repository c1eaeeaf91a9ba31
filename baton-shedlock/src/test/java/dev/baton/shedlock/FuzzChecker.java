package dev.baton.shedlock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import net.javacrumbs.shedlock.core.ClockProvider;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.SimpleLock;

/**
 * ShedLock's {@code FuzzTester}, as a checker that reports instead of asserting: threads spread
 * over several providers (several nodes) race for two lock names; whoever gets one reads a plain,
 * unsynchronised counter, sleeps a millisecond, writes it back plus one, and unlocks. Under mutual
 * exclusion each job's counter equals its number of locked sections and no two threads are ever
 * inside at once; a lock that lets two in loses updates and is seen overlapping.
 */
final class FuzzChecker {
    private FuzzChecker() {}

    /** One lock name's shared state. */
    static final class Job {
        final String name;
        int counter; // deliberately plain: only the lock under test protects it
        final AtomicInteger sections = new AtomicInteger();
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger maxInside = new AtomicInteger();

        Job(String name) {
            this.name = name;
        }
    }

    /** What a run saw. */
    record Result(List<String> problems, int sections) {
        boolean exclusive() {
            return problems.isEmpty();
        }

        /** Throws an {@link AssertionError} naming every problem. */
        void assertExclusive() {
            if (!exclusive()) {
                throw new AssertionError(
                        "the lock did not exclude: " + String.join("; ", problems));
            }
        }
    }

    /**
     * Runs {@code threads} threads, thread {@code i} on {@code providers[i % n]} and job {@code i %
     * 2}, each until it has completed {@code iterations} locked sections (thread 0: a fifth of
     * them, as ShedLock's short task).
     */
    static Result run(
            List<? extends LockProvider> providers, String namePrefix, int threads, int iterations)
            throws InterruptedException {
        List<Job> jobs = List.of(new Job(namePrefix + "-1"), new Job(namePrefix + "-2"));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                LockProvider provider = providers.get(i % providers.size());
                Job job = jobs.get(i % 2);
                int n = i == 0 ? Math.max(1, iterations / 5) : iterations;
                futures.add(
                        pool.submit(
                                () -> {
                                    sections(provider, job, n);
                                    return null;
                                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("a fuzz thread failed", e);
        } finally {
            pool.shutdownNow();
        }
        List<String> problems = new ArrayList<>();
        int total = 0;
        for (Job job : jobs) {
            total += job.sections.get();
            if (job.counter != job.sections.get()) {
                problems.add(
                        job.name
                                + ": counter "
                                + job.counter
                                + " after "
                                + job.sections.get()
                                + " locked sections (lost updates)");
            }
            if (job.maxInside.get() > 1) {
                problems.add(job.name + ": " + job.maxInside.get() + " threads inside at once");
            }
        }
        return new Result(problems, total);
    }

    private static void sections(LockProvider provider, Job job, int n)
            throws InterruptedException {
        int done = 0;
        while (done < n) {
            LockConfiguration config =
                    new LockConfiguration(
                            ClockProvider.now(), job.name, Duration.ofMinutes(5), Duration.ZERO);
            Optional<SimpleLock> lock = provider.lock(config);
            if (lock.isEmpty()) {
                Thread.onSpinWait();
                continue;
            }
            try {
                job.maxInside.accumulateAndGet(job.inside.incrementAndGet(), Math::max);
                int read = job.counter;
                Thread.sleep(1); // widens the read-modify-write window, as FuzzTester does
                job.counter = read + 1;
                job.sections.incrementAndGet();
                job.inside.decrementAndGet();
            } finally {
                lock.get().unlock();
            }
            done++;
        }
    }
}
