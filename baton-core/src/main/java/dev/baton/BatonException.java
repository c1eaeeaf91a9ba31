package dev.baton;

/**
 * Root of every exception Baton throws. Unchecked: a caller that cannot act on a failure should not
 * have to declare it, and one that can catches the specific subtype.
 */
public class BatonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BatonException(String message) {
        super(message);
    }

    public BatonException(String message, Throwable cause) {
        super(message, cause);
    }
}
