package dev.baton.gateway;

import io.javalin.http.sse.SseClient;

/**
 * An {@link EventSink} over Javalin's SSE client. Javalin writes and flushes each event before
 * {@code sendEvent} returns; a write to a closed connection marks the client terminated.
 * Synchronized so that events from different threads never interleave on the wire.
 */
final class SseSink implements EventSink {
    private final SseClient client;

    SseSink(SseClient client) {
        this.client = client;
    }

    @Override
    public synchronized boolean send(String event, String id, String json) {
        if (client.terminated()) {
            return false;
        }
        if (id == null) {
            client.sendEvent(event, json);
        } else {
            client.sendEvent(event, json, id);
        }
        return !client.terminated();
    }

    @Override
    public synchronized void close() {
        client.close();
    }
}
