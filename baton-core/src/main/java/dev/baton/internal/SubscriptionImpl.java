package dev.baton.internal;

import dev.baton.Subscription;
import dev.baton.WatchEvent;
import dev.baton.WatchListener;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watch subscription: a bounded queue filled by the backend (engine order, one producer at a
 * time) and drained by at most one task at a time on the callback executor, so events reach the
 * listener in order, never on an engine thread, and a slow listener holds up only its own queue. On
 * overflow the queued events are dropped and replaced by one RESYNC. <b>Internal.</b>
 *
 * <p>Invariants: {@code queue}, {@code scheduled} and {@code closed} are guarded by {@code this};
 * {@code scheduled} is true exactly while a drain task is submitted or running.
 */
final class SubscriptionImpl implements Subscription, Consumer<WatchEvent> {
    private static final Logger log = LoggerFactory.getLogger(SubscriptionImpl.class);
    private static final int BATCH = 64;

    private final String prefix;
    private final WatchListener listener;
    private final Executor executor;
    private final int capacity;
    private final ArrayDeque<WatchEvent> queue = new ArrayDeque<>();
    private final Runnable onClose;
    private boolean scheduled;
    private boolean closed;
    private long dropped;
    private AutoCloseable engineHandle;

    SubscriptionImpl(
            String prefix,
            WatchListener listener,
            Executor executor,
            int capacity,
            Runnable onClose) {
        this.prefix = prefix;
        this.listener = listener;
        this.executor = executor;
        this.capacity = capacity;
        this.onClose = onClose;
    }

    /** Keeps the engine's handle; closes it at once if the subscription was closed meanwhile. */
    void attach(AutoCloseable handle) {
        boolean alreadyClosed;
        synchronized (this) {
            this.engineHandle = handle;
            alreadyClosed = closed;
        }
        if (alreadyClosed) {
            closeQuietly(handle);
        }
    }

    private void closeQuietly(AutoCloseable h) {
        try {
            h.close();
        } catch (Exception e) {
            log.debug("closing watch on \"{}\" failed", prefix, e);
        }
    }

    @Override
    public void accept(WatchEvent event) {
        boolean submit = false;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (queue.size() >= capacity) {
                dropped += queue.stream().filter(e -> e.type() != WatchEvent.Type.RESYNC).count();
                queue.clear();
                queue.add(WatchEvent.resync());
            }
            queue.add(event);
            if (!scheduled) {
                scheduled = true;
                submit = true;
            }
        }
        if (submit) {
            submitDrain();
        }
    }

    private void submitDrain() {
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                scheduled = false;
            }
        }
    }

    private void drain() {
        for (int i = 0; i < BATCH; i++) {
            WatchEvent next;
            synchronized (this) {
                next = closed ? null : queue.poll();
                if (next == null) {
                    scheduled = false;
                    return;
                }
            }
            try {
                listener.onEvent(next);
            } catch (RuntimeException | Error e) {
                log.warn("watch listener on \"{}\" threw on {}", prefix, next, e);
            }
        }
        // Yield the thread between batches so that one busy subscription cannot hog a small pool.
        submitDrain();
    }

    @Override
    public String prefix() {
        return prefix;
    }

    @Override
    public synchronized long dropped() {
        return dropped;
    }

    @Override
    public void close() {
        AutoCloseable h;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            h = engineHandle;
        }
        if (h != null) {
            closeQuietly(h);
        }
        onClose.run();
    }
}
