package dev.baton.bench.scenario;

import dev.baton.bench.LockSystem;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The worker threads of one round: started as daemons, joined with a limit; and unit helpers. */
final class Workers {
    /** Worker threads still running this long after a round's cap mean a stuck system. */
    static final Duration JOIN_GRACE = Duration.ofSeconds(20);

    /** Contended waits are cut into slices so that workers notice the end of a round. */
    static final Duration WAIT_SLICE = Duration.ofSeconds(2);

    private Workers() {}

    /** Starts {@code body} on a new daemon thread named {@code name}. */
    static Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Joins every worker within {@code limit} (from now); interrupts them all and throws if one is
     * still running then.
     *
     * @param system whose workers these are, for the message; null for Baton-only scenarios
     */
    static void join(LockSystem system, List<Thread> workers, Duration limit)
            throws InterruptedException, StuckException {
        long deadline = System.nanoTime() + limit.toNanos();
        for (Thread t : workers) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                for (Thread w : workers) {
                    w.interrupt();
                }
                throw new StuckException(
                        (system == null ? "workers" : system.name() + "'s workers")
                                + " still running "
                                + limit.toSeconds()
                                + " s after the round began");
            }
        }
    }

    static double micros(long nanos) {
        return nanos / 1_000.0;
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
