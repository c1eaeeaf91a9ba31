package dev.baton;

/**
 * The thread waiting to acquire was interrupted. The request was withdrawn (and a grant that raced
 * with the interrupt was released) before this was thrown; the thread's interrupt flag is set
 * again.
 */
public class LockInterruptedException extends BatonException {
    private static final long serialVersionUID = 1L;
    private final String name;

    /**
     * Creates the exception.
     *
     * @param name the primitive the thread was waiting for
     */
    public LockInterruptedException(String name) {
        super("interrupted while waiting for \"" + name + "\"");
        this.name = name;
    }

    /**
     * The primitive the thread was waiting for.
     *
     * @return its name
     */
    public String name() {
        return name;
    }
}
