package dev.baton;

/**
 * The engine (ZooKeeper ensemble, Redis server) could not be reached or did not answer in time.
 * Carries the name of the primitive involved when there is one.
 */
public class BackendUnavailableException extends BatonException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the engine, what failed and, when there is one, the primitive
     */
    public BackendUnavailableException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its cause.
     *
     * @param message names the engine, what failed and, when there is one, the primitive
     * @param cause the underlying failure (the driver's exception, an I/O error)
     */
    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
