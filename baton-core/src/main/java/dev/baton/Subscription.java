package dev.baton;

/** A running watch. Closing stops delivery (events already being delivered may finish). */
public interface Subscription extends AutoCloseable {
    /** The watched prefix. */
    String prefix();

    /** Events dropped by queue overflow so far (each overflow produced one RESYNC). */
    long dropped();

    @Override
    void close();
}
