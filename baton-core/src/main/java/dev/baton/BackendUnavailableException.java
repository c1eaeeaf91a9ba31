package dev.baton;

/**
 * The engine (ZooKeeper ensemble, Redis server) could not be reached or did not answer in time.
 * Carries the name of the primitive involved when there is one.
 */
public class BackendUnavailableException extends BatonException {
    private static final long serialVersionUID = 1L;

    public BackendUnavailableException(String message) {
        super(message);
    }

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
