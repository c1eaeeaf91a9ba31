package dev.baton;

/**
 * A caller passed a value that breaks a documented rule (a negative timeout, zero permits, a bad
 * configuration value). The message names the input, the rule and the value seen. Nothing was sent
 * to the engine and no state was left behind.
 */
public class InvalidArgumentException extends BatonException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the input, the rule and the value seen
     */
    public InvalidArgumentException(String message) {
        super(message);
    }

    /**
     * Builds the standard message: "{@code what} must be {@code rule}, but was {@code value}".
     *
     * @param what the input, e.g. {@code "leaseTtl"}
     * @param rule what it must be, e.g. {@code "between 1s and 10m"}
     * @param value the value given
     * @return the exception, for the caller to throw
     */
    public static InvalidArgumentException mustBe(String what, String rule, Object value) {
        return new InvalidArgumentException(what + " must be " + rule + ", but was " + value);
    }
}
