package dev.baton;

/** An operation was attempted on a {@link Baton} client that has been closed. */
public class ClientClosedException extends BatonException {
    private static final long serialVersionUID = 1L;

    public ClientClosedException(String clientId) {
        super("Baton client " + clientId + " is closed");
    }
}
