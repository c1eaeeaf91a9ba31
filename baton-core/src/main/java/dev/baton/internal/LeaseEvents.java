package dev.baton.internal;

import dev.baton.Lease;
import dev.baton.LeaseKind;
import dev.baton.LeaseListener;
import dev.baton.LeaseLoss;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one client's lease events to its {@link LeaseListener}. <b>Internal.</b>
 *
 * <p>Invariants: events are queued in the order the core made them (each call here happens after
 * the state change it reports, on the thread that made it) and run one at a time, in that order, as
 * a single task on the callback executor; so no listener call ever runs on an engine thread or on
 * the thread that caused it, and two calls never overlap. {@code queue} and {@code draining} are
 * guarded by {@code this}. With the default listener nothing is queued at all. If the executor
 * refuses the task (the client is closing), the caller's thread drains the queue.
 */
final class LeaseEvents {
    private static final Logger log = LoggerFactory.getLogger(LeaseEvents.class);

    private final LeaseListener listener;
    private final Executor executor;
    private final Queue<Runnable> queue = new ArrayDeque<>();
    private boolean draining;

    LeaseEvents(LeaseListener listener, Executor executor) {
        this.listener = listener;
        this.executor = executor;
    }

    private boolean off() {
        return listener == LeaseListener.NONE;
    }

    void granted(Lease lease, long waitedNanos) {
        if (!off()) {
            post(() -> listener.granted(lease, Duration.ofNanos(waitedNanos)));
        }
    }

    void refused(String name, LeaseKind kind, LeaseListener.Refusal refusal, long waitedNanos) {
        if (!off()) {
            post(() -> listener.refused(name, kind, refusal, Duration.ofNanos(waitedNanos)));
        }
    }

    void renewed(int leases, long roundTripNanos) {
        if (!off()) {
            post(() -> listener.renewed(leases, Duration.ofNanos(roundTripNanos)));
        }
    }

    void inDoubt(Lease lease) {
        if (!off()) {
            post(() -> listener.inDoubt(lease));
        }
    }

    void lost(Lease lease, LeaseLoss loss) {
        if (!off()) {
            post(() -> listener.lost(lease, loss));
        }
    }

    void released(Lease lease) {
        if (!off()) {
            post(() -> listener.released(lease));
        }
    }

    private void post(Runnable event) {
        synchronized (this) {
            queue.add(event);
            if (draining) {
                return;
            }
            draining = true;
        }
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException closing) {
            drain();
        }
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = queue.poll();
                if (next == null) {
                    draining = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                log.warn("a lease listener failed; the event is dropped", e);
            }
        }
    }
}
