package dev.baton;

import java.util.Optional;

/**
 * A change seen by a {@link Baton#watch watch}.
 *
 * @param type what happened
 * @param name the key or lock name ({@code ""} for {@link Type#RESYNC}, {@link Type#DISCONNECTED}
 *     and {@link Type#RECONNECTED})
 * @param value for {@link Type#PUT}: the new value and version
 * @param lock for {@link Type#LOCK}: the lock's state after the change, when known
 */
public record WatchEvent(
        Type type, String name, Optional<Versioned> value, Optional<LockSnapshot> lock) {

    /** What a {@link WatchEvent} reports. */
    public enum Type {
        /** A key was written. */
        PUT,
        /** A key was deleted. */
        DELETE,
        /** A lock's holders or waiters changed. */
        LOCK,
        /**
         * The subscription's queue overflowed and events were dropped: re-read the state you care
         * about. Events after this one are delivered normally.
         */
        RESYNC,
        /**
         * The client cannot reach the engine (a request or keep-alive failed): from now on events
         * may be missed and what was read may be stale. Not a loss of the subscription: it resumes
         * by itself, with {@link #RECONNECTED}. {@link Baton#connectionState()} tells the state at
         * any time.
         */
        DISCONNECTED,
        /**
         * The engine answers again after {@link #DISCONNECTED}. A {@link #RESYNC} follows at once:
         * events may have been missed meanwhile, so re-read the state you care about.
         */
        RECONNECTED
    }

    /**
     * A key was written; backends build events with these factories.
     *
     * @param v the key's new value and version
     * @return the event
     */
    public static WatchEvent put(Versioned v) {
        return new WatchEvent(Type.PUT, v.key(), Optional.of(v), Optional.empty());
    }

    /**
     * A key was deleted.
     *
     * @param key the deleted key
     * @return the event
     */
    public static WatchEvent delete(String key) {
        return new WatchEvent(Type.DELETE, key, Optional.empty(), Optional.empty());
    }

    /**
     * A lock's holders or waiters changed.
     *
     * @param name the lock's name
     * @param snapshot its state after the change, or null when the backend does not know it
     * @return the event
     */
    public static WatchEvent lock(String name, LockSnapshot snapshot) {
        return new WatchEvent(Type.LOCK, name, Optional.empty(), Optional.ofNullable(snapshot));
    }

    /**
     * Events were dropped or may have been missed: the listener should re-read its state.
     *
     * @return the event
     */
    public static WatchEvent resync() {
        return new WatchEvent(Type.RESYNC, "", Optional.empty(), Optional.empty());
    }

    /**
     * The client lost its engine.
     *
     * @return the event
     */
    public static WatchEvent disconnected() {
        return new WatchEvent(Type.DISCONNECTED, "", Optional.empty(), Optional.empty());
    }

    /**
     * The client reaches its engine again.
     *
     * @return the event
     */
    public static WatchEvent reconnected() {
        return new WatchEvent(Type.RECONNECTED, "", Optional.empty(), Optional.empty());
    }
}
