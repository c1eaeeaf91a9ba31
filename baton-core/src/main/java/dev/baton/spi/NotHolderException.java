package dev.baton.spi;

import dev.baton.BatonException;

/**
 * The engine does not hold the grant given to {@link Backend#await} or {@link Backend#signal} as
 * the current holder of its monitor (released, expired, or never this monitor's). Nothing was
 * changed. <b>Internal:</b> the core turns it into {@link dev.baton.MonitorLeaseException}.
 */
public class NotHolderException extends BatonException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which grant and monitor, and what the engine found instead
     */
    public NotHolderException(String message) {
        super(message);
    }
}
