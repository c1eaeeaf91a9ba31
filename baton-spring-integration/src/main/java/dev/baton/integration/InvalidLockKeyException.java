package dev.baton.integration;

import dev.baton.InvalidNameException;

/**
 * A lock key cannot name a Baton mutex: it is not a {@link String}, or the registry's prefix plus
 * the key breaks Baton's naming rule ({@link dev.baton.Names}: segments of {@code [A-Za-z0-9._-]+}
 * joined by {@code '/'}, at most 200 characters, no {@code .} or {@code ..} segment). Keys are
 * rejected, never rewritten, so that the name seen in {@code baton locks} is the key itself and two
 * keys can never map to one lock. Nothing was sent to the engine.
 *
 * <p>An {@link IllegalArgumentException}, like the assertion failure Spring Integration's own
 * registries throw for a key that is not a String. For a name rule, the cause is Baton's {@link
 * InvalidNameException}.
 */
public final class InvalidLockKeyException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final transient Object key;

    InvalidLockKeyException(Object key, String problem, Throwable cause) {
        super("lock key " + describe(key) + " is invalid: " + problem, cause);
        this.key = key;
    }

    /** The rejected key, as given (may be {@code null}). */
    public Object key() {
        return key;
    }

    private static String describe(Object key) {
        if (key == null) {
            return "null";
        }
        if (key instanceof String s) {
            StringBuilder b = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                if (c < 0x20 || c == 0x7f) {
                    b.append(String.format("\\u%04x", (int) c));
                } else {
                    b.append(c);
                }
            }
            return b.append('"').toString();
        }
        return key.getClass().getName() + " " + key;
    }
}
