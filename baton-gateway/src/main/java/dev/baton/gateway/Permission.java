package dev.baton.gateway;

import java.util.Locale;

/** What a bearer token may do under a name prefix ({@code --auth FILE}). */
public enum Permission {
    /** Read key/value entries and list locks. */
    READ,
    /** Acquire and release locks (and so create sessions to carry them). */
    ACQUIRE,
    /** Put and delete key/value entries. */
    WRITE,
    /** Subscribe to watch streams. */
    WATCH,
    /** Everything above, and every session (not only the token's own). */
    ADMIN;

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
