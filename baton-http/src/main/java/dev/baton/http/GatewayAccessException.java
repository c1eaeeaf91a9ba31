package dev.baton.http;

import dev.baton.BatonException;

/**
 * The gateway refused the client's bearer token: {@code 401} (no token, or one it does not know) or
 * {@code 403} (the token's rules do not allow this name). Thrown by {@code Baton.connect} for a 401
 * on the first request, and by any operation the token may not perform.
 */
public final class GatewayAccessException extends BatonException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public GatewayAccessException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** 401 (unknown or missing token) or 403 (not allowed for the name). */
    public int status() {
        return status;
    }
}
