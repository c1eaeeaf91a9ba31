package dev.baton;

/** A connection URI is malformed or names a scheme no backend on the classpath serves. */
public class InvalidUriException extends InvalidArgumentException {
    private static final long serialVersionUID = 1L;
    private final String uri;

    public InvalidUriException(String uri, String problem) {
        super("connection URI \"" + uri + "\" is invalid: " + problem);
        this.uri = uri;
    }

    public String uri() {
        return uri;
    }
}
