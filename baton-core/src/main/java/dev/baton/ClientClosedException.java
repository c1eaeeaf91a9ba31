package dev.baton;

/** An operation was attempted on a {@link Baton} client that has been closed. */
public class ClientClosedException extends BatonException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param clientId the closed client's id, named in the message
     */
    public ClientClosedException(String clientId) {
        super("Baton client " + clientId + " is closed");
    }
}
