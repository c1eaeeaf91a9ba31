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
 * <p>Invariants: events are queued by the thread that made the change, while it holds whatever lock
 * orders that change (a lease's own lock, for its transitions), so the queue is in the order of the
 * changes; queueing never blocks and never runs a listener. The queue is drained one event at a
 * time, in order, by a single task on the client's own worker pool (never the user's callback
 * executor, so a slow listener cannot delay a {@link dev.baton.Lease#lost()} callback queued there;
 * never an engine thread; never the thread that caused the event), and two listener calls never
 * overlap. {@code queue} and {@code draining} are guarded by {@code this}. With the default
 * listener nothing is queued at all. Once the workers are shut down (the client closed), events are
 * dropped. The queue is unbounded: a listener slower than the client's lease traffic grows it.
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

    void confirmed(Lease lease) {
        if (!off()) {
            post(() -> listener.confirmed(lease));
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
        } catch (RejectedExecutionException closed) {
            // The client's workers are gone: it closed, and its events with it. Running the
            // listener here instead could put it on an engine thread, or inside a lease's lock.
            synchronized (this) {
                log.debug("client closed: {} lease events dropped", queue.size());
                queue.clear();
                draining = false;
            }
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
