package dev.baton;

/**
 * Root of every exception Baton throws. Unchecked: a caller that cannot act on a failure should not
 * have to declare it, and one that can catches the specific subtype.
 */
public class BatonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message says what failed
     */
    public BatonException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its cause.
     *
     * @param message says what failed
     * @param cause the underlying failure (the driver's exception, an I/O error)
     */
    public BatonException(String message, Throwable cause) {
        super(message, cause);
    }
}
