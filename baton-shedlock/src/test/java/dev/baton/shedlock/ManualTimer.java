package dev.baton.shedlock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Timer} on a hand-moved clock: {@link #advance} moves time and runs, on the calling
 * thread and in deadline order, every task that has come due; {@link #skip} moves time without
 * running any, for the paths where a lock notices its own deadline.
 */
final class ManualTimer implements Timer {
    private final List<Task> tasks = new ArrayList<>();
    private long now = 1_000_000_000L;
    private long seq;

    private static final class Task {
        final long at;
        final long seq;
        final Runnable run;
        boolean cancelled;

        Task(long at, long seq, Runnable run) {
            this.at = at;
            this.seq = seq;
            this.run = run;
        }
    }

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized Runnable schedule(long atNanos, Runnable task) {
        Task t = new Task(atNanos, seq++, task);
        tasks.add(t);
        return () -> {
            synchronized (ManualTimer.this) {
                t.cancelled = true;
                tasks.remove(t);
            }
        };
    }

    /** Moves the clock by {@code d}, running due tasks (also those they schedule) in order. */
    void advance(Duration d) {
        long target;
        synchronized (this) {
            target = now + d.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = null;
                for (Task t : tasks) {
                    if (t.at - target <= 0
                            && (next == null
                                    || t.at < next.at
                                    || (t.at == next.at && t.seq < next.seq))) {
                        next = t;
                    }
                }
                if (next == null) {
                    now = target;
                    return;
                }
                tasks.remove(next);
                now = Math.max(now, next.at);
            }
            next.run.run(); // outside the lock, as a real timer thread would run it
        }
    }

    /** Moves the clock by {@code d} without running anything. */
    synchronized void skip(Duration d) {
        now += d.toNanos();
    }

    /** Tasks waiting to run. */
    synchronized int pending() {
        return tasks.size();
    }

    @Override
    public synchronized void close() {
        tasks.clear();
    }
}
