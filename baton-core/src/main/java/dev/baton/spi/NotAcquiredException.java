package dev.baton.spi;

import dev.baton.BatonException;

/** A try-once request found the primitive unavailable. Mapped to an empty result by the core. */
public final class NotAcquiredException extends BatonException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param name the primitive that was not available
     */
    public NotAcquiredException(String name) {
        super("\"" + name + "\" is not available now");
    }
}
