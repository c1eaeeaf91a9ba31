package dev.baton.verify.netns;

import dev.baton.BatonException;

/**
 * A network-namespace ensemble could not be built, changed or torn down: an {@code ip}/{@code tc}
 * command failed (the message carries the command and its output), a member JVM did not come up
 * (the message names its log file), or the ensemble is closed.
 */
public final class NetnsException extends BatonException {
    private static final long serialVersionUID = 1L;

    public NetnsException(String message) {
        super(message);
    }

    public NetnsException(String message, Throwable cause) {
        super(message, cause);
    }
}
