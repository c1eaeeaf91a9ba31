package dev.baton.gateway;

/**
 * One open server-sent-event stream. {@link #send} writes and flushes before it returns, so an
 * event sent before an action is on the wire before that action; it returns false once the stream
 * is closed (the owner then forgets the sink).
 */
interface EventSink {
    boolean send(String event, String id, String json);

    /** Ends the stream (the client sees the connection close). */
    void close();
}
