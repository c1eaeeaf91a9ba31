package dev.baton.mem;

import dev.baton.BackendUnavailableException;

/**
 * A request of a session that the engine has expired: the client must treat every lease of that
 * session as lost (its grants are gone) and open a new session for further requests, as a ZooKeeper
 * client does when it reconnects and is told {@code Expired}. Never escapes {@link MemBackend}.
 */
final class SessionExpiredException extends BackendUnavailableException {
    private static final long serialVersionUID = 1L;

    SessionExpiredException(String message) {
        super(message);
    }
}
