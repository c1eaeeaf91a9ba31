package dev.baton;

import java.util.Optional;

/**
 * A change seen by a {@link Baton#watch watch}.
 *
 * @param type what happened
 * @param name the key or lock name ({@code ""} for {@link Type#RESYNC})
 * @param value for {@link Type#PUT}: the new value and version
 * @param lock for {@link Type#LOCK}: the lock's state after the change, when known
 */
public record WatchEvent(
        Type type, String name, Optional<Versioned> value, Optional<LockSnapshot> lock) {

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
        RESYNC
    }

    public static WatchEvent put(Versioned v) {
        return new WatchEvent(Type.PUT, v.key(), Optional.of(v), Optional.empty());
    }

    public static WatchEvent delete(String key) {
        return new WatchEvent(Type.DELETE, key, Optional.empty(), Optional.empty());
    }

    public static WatchEvent lock(String name, LockSnapshot snapshot) {
        return new WatchEvent(Type.LOCK, name, Optional.empty(), Optional.ofNullable(snapshot));
    }

    public static WatchEvent resync() {
        return new WatchEvent(Type.RESYNC, "", Optional.empty(), Optional.empty());
    }
}
