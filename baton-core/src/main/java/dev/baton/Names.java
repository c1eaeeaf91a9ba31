package dev.baton;

import java.util.regex.Pattern;

/**
 * The naming rule shared by locks, keys and watch prefixes: segments of {@code [A-Za-z0-9._-]+}
 * joined by {@code '/'}, at most {@value #MAX_LENGTH} characters, no {@code .} or {@code ..}
 * segment. Names map one-to-one onto ZooKeeper paths and Redis keys, so the rule is strict.
 */
public final class Names {
    /** The longest name, in characters: keeps ZooKeeper paths and Redis keys short. */
    public static final int MAX_LENGTH = 200;

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");

    private Names() {}

    /**
     * Returns {@code name} if valid.
     *
     * @param name a lock name or key
     * @return {@code name}, unchanged
     * @throws InvalidNameException naming the input and the rule it breaks
     */
    public static String validate(String name) {
        if (name != null && isValid(name)) {
            return name; // every call of every lock operation: no allocation on this path
        }
        return validateFully(name);
    }

    /**
     * Whether {@code name} follows the rule, decided in one pass without allocating; exactly the
     * names {@link #validateFully} accepts (NamesTest compares the two).
     */
    static boolean isValid(String name) {
        int n = name.length();
        if (n == 0 || n > MAX_LENGTH) {
            return false;
        }
        int start = 0;
        for (int i = 0; i <= n; i++) {
            char c = i < n ? name.charAt(i) : '/';
            if (c == '/') {
                int len = i - start;
                if (len == 0) {
                    return false;
                }
                if (name.charAt(start) == '.'
                        && (len == 1 || (len == 2 && name.charAt(start + 1) == '.'))) {
                    return false; // "." or ".."
                }
                start = i + 1;
            } else if (!((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '_'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** The rule checked part by part, so that the exception says which part {@code name} breaks. */
    static String validateFully(String name) {
        if (name == null) {
            throw new InvalidNameException(null, "it is null");
        }
        if (name.isEmpty()) {
            throw new InvalidNameException(name, "it is empty");
        }
        if (name.length() > MAX_LENGTH) {
            throw new InvalidNameException(
                    name, "it has " + name.length() + " characters, more than " + MAX_LENGTH);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c)) {
                throw new InvalidNameException(name, "control character at index " + i);
            }
        }
        String[] segments = name.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            if (s.isEmpty()) {
                throw new InvalidNameException(name, "segment " + (i + 1) + " is empty");
            }
            if (s.equals(".") || s.equals("..")) {
                throw new InvalidNameException(name, "segment " + (i + 1) + " is \"" + s + "\"");
            }
            if (!SEGMENT.matcher(s).matches()) {
                throw new InvalidNameException(
                        name,
                        "segment "
                                + (i + 1)
                                + " \""
                                + s
                                + "\" has a character outside [A-Za-z0-9._-]");
            }
        }
        return name;
    }

    /**
     * Validates a watch prefix: empty (everything) or a valid name.
     *
     * @param prefix the prefix
     * @return {@code prefix}, unchanged
     * @throws InvalidNameException if it is neither empty nor a valid name
     */
    public static String validatePrefix(String prefix) {
        if (prefix != null && prefix.isEmpty()) {
            return prefix;
        }
        return validate(prefix);
    }

    /**
     * Whether {@code name} lies under {@code prefix} as a path: equal, or prefix + "/" + more.
     *
     * @param name a valid name
     * @param prefix a valid prefix ({@code ""} covers every name)
     * @return true if {@code name} is {@code prefix} or below it ({@code a/b} is under {@code a},
     *     {@code ab} is not)
     */
    public static boolean isUnder(String name, String prefix) {
        return prefix.isEmpty()
                || name.equals(prefix)
                || (name.startsWith(prefix) && name.charAt(prefix.length()) == '/');
    }
}
