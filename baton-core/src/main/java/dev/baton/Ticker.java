package dev.baton;

/**
 * A monotonic time source in nanoseconds, injected so that lease deadlines can be tested without
 * waiting. Only differences between readings are meaningful.
 */
@FunctionalInterface
public interface Ticker {
    long read();

    /** {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }
}
