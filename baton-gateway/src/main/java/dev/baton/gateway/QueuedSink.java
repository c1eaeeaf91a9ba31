package dev.baton.gateway;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * A stream whose writes happen off the caller's thread, in order, so that a client that reads
 * slowly, or not at all, delays only itself: the watch hub's delivery thread and the session timer
 * never wait for a network write.
 *
 * <p>Invariants: {@link #send} and {@link #close} only queue, under {@code this}; at most one drain
 * task runs at a time (the {@code draining} flag), on the writer pool, and it alone touches the
 * wire, so events reach the wire in the order they were sent. A queue that reaches {@code capacity}
 * means the client has fallen that far behind: the stream is closed and the rest dropped; a watch
 * client reconnects with {@code Last-Event-ID} and is replayed or told to resync.
 */
final class QueuedSink implements EventSink {
    private final EventSink wire;
    private final Executor writers;
    private final int capacity;

    // guarded by this
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    private boolean draining;
    private boolean closed; // no more sends accepted (close requested, overflow or a failed write)
    private CompletableFuture<Boolean> last = CompletableFuture.completedFuture(true);

    /** An event, or the close of the stream when {@code event} is null. */
    private record Item(String event, String id, String json, CompletableFuture<Boolean> written) {}

    QueuedSink(EventSink wire, Executor writers, int capacity) {
        this.wire = wire;
        this.writers = writers;
        this.capacity = capacity;
    }

    @Override
    public boolean send(String event, String id, String json) {
        Item item = new Item(event, id, json, new CompletableFuture<>());
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (queue.size() >= capacity) {
                overflow();
                return false;
            }
            enqueue(item);
        }
        return true;
    }

    @Override
    public synchronized CompletableFuture<Boolean> flushed() {
        return last;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            enqueue(new Item(null, null, null, new CompletableFuture<>()));
        }
    }

    private void enqueue(Item item) { // holding this
        queue.addLast(item);
        last = item.written();
        if (!draining) {
            draining = true;
            try {
                writers.execute(this::drain);
            } catch (RejectedExecutionException stopped) { // the gateway has closed
                draining = false;
                closed = true;
                queue.forEach(i -> i.written().complete(false));
                queue.clear();
            }
        }
    }

    /** Drops what is queued and closes the wire (on a writer thread: it may wait for a write). */
    private void overflow() { // holding this
        closed = true;
        Item item;
        while ((item = queue.pollFirst()) != null) {
            item.written().complete(false);
        }
        last = CompletableFuture.completedFuture(false);
        try {
            writers.execute(wire::close);
        } catch (RejectedExecutionException stopped) {
            // the gateway has closed, and Jetty with it
        }
    }

    /** The one writer: takes items in order until the queue is empty. */
    private void drain() {
        while (true) {
            Item item;
            synchronized (this) {
                item = queue.pollFirst();
                if (item == null) {
                    draining = false;
                    return;
                }
            }
            boolean ok;
            if (item.event() == null) {
                wire.close();
                ok = true;
            } else {
                ok = wire.send(item.event(), item.id(), item.json());
            }
            if (!ok) { // closed before anyone hears of the failure, so no send is accepted after
                synchronized (this) {
                    closed = true;
                    Item rest;
                    while ((rest = queue.pollFirst()) != null) {
                        rest.written().complete(false);
                    }
                    draining = false;
                }
                item.written().complete(false);
                return;
            }
            item.written().complete(true);
        }
    }
}
