package dev.baton;

/**
 * Whether a client can reach its engine, as far as it knows: its last request or keep-alive either
 * failed ({@link #DISCONNECTED}) or was answered ({@link #CONNECTED}). Watches see each change as a
 * {@link WatchEvent.Type#DISCONNECTED} or {@link WatchEvent.Type#RECONNECTED} event.
 */
public enum ConnectionState {
    CONNECTED,
    DISCONNECTED
}
