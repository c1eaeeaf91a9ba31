package dev.baton;

/**
 * Whether a client can reach its engine, as far as it knows: its last request or keep-alive either
 * failed ({@link #DISCONNECTED}) or was answered ({@link #CONNECTED}). Watches see each change as a
 * {@link WatchEvent.Type#DISCONNECTED} or {@link WatchEvent.Type#RECONNECTED} event.
 */
public enum ConnectionState {
    /** The engine answered the client's last request or keep-alive. */
    CONNECTED,
    /**
     * The client's last request or keep-alive failed; it keeps trying, and its leases run on their
     * local deadlines meanwhile.
     */
    DISCONNECTED
}
