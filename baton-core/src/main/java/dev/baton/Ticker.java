package dev.baton;

/**
 * A monotonic time source in nanoseconds, injected so that lease deadlines can be tested without
 * waiting. Only differences between readings are meaningful.
 */
@FunctionalInterface
public interface Ticker {
    /**
     * Reads the time.
     *
     * @return nanoseconds since an arbitrary origin, never decreasing
     */
    long read();

    /**
     * The real clock.
     *
     * @return a ticker reading {@link System#nanoTime()}
     */
    static Ticker system() {
        return System::nanoTime;
    }
}
