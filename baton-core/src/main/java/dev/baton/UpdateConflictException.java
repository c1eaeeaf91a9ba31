package dev.baton;

/**
 * {@link KeyValueStore#update} lost every attempt to other writers. Carries the key and the number
 * of attempts; retry later, raise {@code maxAttempts}, or serialise writers with a mutex.
 */
public class UpdateConflictException extends BatonException {
    private static final long serialVersionUID = 1L;
    private final String key;
    private final int attempts;

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

    public String key() {
        return key;
    }

    public int attempts() {
        return attempts;
    }
}
