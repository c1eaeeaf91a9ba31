package dev.baton.gateway;

import java.util.concurrent.CompletableFuture;

/**
 * One open server-sent-event stream. {@link #send} hands an event over in order and returns false
 * once the stream is closed (the owner then forgets the sink). Streams the gateway opens are {@link
 * QueuedSink}s, whose {@code send} never waits for the network; {@link #flushed} says when what was
 * sent is on the wire.
 */
interface EventSink {
    boolean send(String event, String id, String json);

    /**
     * Completes with true once every event sent so far was written and flushed, false if the stream
     * closed first. A sink that writes in {@code send} is always flushed.
     */
    default CompletableFuture<Boolean> flushed() {
        return CompletableFuture.completedFuture(true);
    }

    /** Ends the stream after the events sent so far (the client sees the connection close). */
    void close();
}
