package dev.baton;

/** A connection URI is malformed or names a scheme no backend on the classpath serves. */
public class InvalidUriException extends InvalidArgumentException {
    private static final long serialVersionUID = 1L;
    private final String uri;

    /**
     * Creates the exception.
     *
     * @param uri the rejected URI, quoted in the message
     * @param problem what is wrong with it, and where possible how to fix it
     */
    public InvalidUriException(String uri, String problem) {
        super("connection URI \"" + uri + "\" is invalid: " + problem);
        this.uri = uri;
    }

    /**
     * The rejected URI.
     *
     * @return the URI as given
     */
    public String uri() {
        return uri;
    }
}
