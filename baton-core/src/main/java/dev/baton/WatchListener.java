package dev.baton;

/**
 * Receives {@link WatchEvent}s on Baton's dispatcher: never on an engine thread, one event at a
 * time per subscription, in the engine's order. A slow listener delays only its own subscription;
 * when its bounded queue overflows it receives {@link WatchEvent.Type#RESYNC}. Exceptions are
 * logged and do not end the subscription.
 */
@FunctionalInterface
public interface WatchListener {
    /**
     * Handles one event. Return promptly: the subscription's next event waits for this one.
     *
     * @param event the change, or a connection event ({@code DISCONNECTED}, {@code RECONNECTED},
     *     {@code RESYNC})
     */
    void onEvent(WatchEvent event);
}
