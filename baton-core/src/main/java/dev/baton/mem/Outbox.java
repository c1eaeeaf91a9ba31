package dev.baton.mem;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work for clients that a {@link MemEngine} operation found under the engine lock (grants to hand
 * over), run after the lock is released, in order, by the thread that made the change: so nothing
 * that can reach a client's lease or user code runs under the lock.
 *
 * <p><b>Threads and lock.</b> One outbox per operation, confined to the thread running it: tasks
 * are added with the engine lock held, and {@link #run} is called without it. A task that throws is
 * logged and the others still run.
 */
final class Outbox {
    private static final Logger log = LoggerFactory.getLogger(MemEngine.class); // the engine's log

    private final List<Runnable> tasks = new ArrayList<>();

    /** Adds a task; the caller holds the engine lock. */
    void add(Runnable task) {
        tasks.add(task);
    }

    /** Runs the tasks in order; the caller does not hold the engine lock. */
    void run() {
        for (Runnable t : tasks) {
            try {
                t.run();
            } catch (RuntimeException e) {
                log.warn("mem engine: handing work to a client failed", e);
            }
        }
    }
}
