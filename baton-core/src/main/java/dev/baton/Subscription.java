package dev.baton;

/** A running watch. Closing stops delivery (events already being delivered may finish). */
public interface Subscription extends AutoCloseable {
    /**
     * The watched prefix.
     *
     * @return the prefix given to {@link Baton#watch}, {@code ""} for everything
     */
    String prefix();

    /**
     * Events dropped by queue overflow so far (each overflow produced one RESYNC): a number that
     * keeps growing means the listener is too slow for the rate of changes.
     *
     * @return the count of dropped events since the subscription began
     */
    long dropped();

    /** Stops the watch; idempotent. */
    @Override
    void close();
}
