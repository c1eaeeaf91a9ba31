package dev.baton.shedlock;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The provider's time: a monotonic clock and delayed tasks for the {@code lockAtMostFor} and {@code
 * lockAtLeastFor} deadlines. Injected (package-private constructor of {@link BatonLockProvider}) so
 * that tests drive the deadlines with a manual clock instead of sleeping.
 *
 * <p>Tasks must be short and must not block: they only change a lock's state and hand any engine
 * call or user callback to the provider's worker executor.
 */
interface Timer extends AutoCloseable {

    /** Monotonic nanoseconds; only differences are meaningful. */
    long nanoTime();

    /**
     * Runs {@code task} once {@link #nanoTime()} has reached {@code atNanos} (at once if it has),
     * on the timer's thread.
     *
     * @return an action that cancels the task if it has not started; idempotent
     */
    Runnable schedule(long atNanos, Runnable task);

    /** Drops pending tasks and stops the timer's thread. */
    @Override
    void close();

    /** {@link System#nanoTime()} and one daemon thread, {@code baton-shedlock-timer}. */
    static Timer system() {
        return new SystemTimer();
    }

    /** The production timer. */
    final class SystemTimer implements Timer {
        private final ScheduledThreadPoolExecutor executor;

        SystemTimer() {
            executor =
                    new ScheduledThreadPoolExecutor(
                            1,
                            r -> {
                                Thread t = new Thread(r, "baton-shedlock-timer");
                                t.setDaemon(true);
                                return t;
                            });
            // An extended or unlocked lock cancels its deadline: do not keep the dead task queued
            // (a long lockAtMostFor would otherwise pin it for its whole delay).
            executor.setRemoveOnCancelPolicy(true);
            executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Runnable schedule(long atNanos, Runnable task) {
            long delay = Math.max(0, atNanos - System.nanoTime());
            ScheduledFuture<?> f = executor.schedule(task, delay, TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }
}
