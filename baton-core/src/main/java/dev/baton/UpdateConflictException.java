package dev.baton;

/**
 * {@link KeyValueStore#update} lost every attempt to other writers. Carries the key and the number
 * of attempts; retry later, raise {@code maxAttempts}, or serialise writers with a mutex.
 */
public class UpdateConflictException extends BatonException {
    private static final long serialVersionUID = 1L;
    private final String key;
    private final int attempts;

    /**
     * Creates the exception.
     *
     * @param key the key that could not be updated
     * @param attempts how many attempts were lost
     */
    public UpdateConflictException(String key, int attempts) {
        super(
                "update of \""
                        + key
                        + "\" gave up after "
                        + attempts
                        + " attempts lost to other writers");
        this.key = key;
        this.attempts = attempts;
    }

    /**
     * The key that could not be updated.
     *
     * @return the key
     */
    public String key() {
        return key;
    }

    /**
     * How many attempts were lost to other writers.
     *
     * @return the {@code maxAttempts} the update was given
     */
    public int attempts() {
        return attempts;
    }
}
