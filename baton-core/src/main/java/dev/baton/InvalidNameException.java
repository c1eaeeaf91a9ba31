package dev.baton;

/** A lock or key name breaks the naming rule; the message quotes the name and the rule. */
public class InvalidNameException extends InvalidArgumentException {
    private static final long serialVersionUID = 1L;
    private final String name;

    /**
     * Creates the exception; the message quotes the name (control characters escaped) and states
     * the rule.
     *
     * @param name the rejected name, may be null
     * @param problem which part of the rule it breaks, e.g. {@code "segment 2 is empty"}
     */
    public InvalidNameException(String name, String problem) {
        super(
                "name "
                        + quote(name)
                        + " is invalid: "
                        + problem
                        + " (a name is segments of [A-Za-z0-9._-]+ joined by '/', at most "
                        + Names.MAX_LENGTH
                        + " characters; '.' and '..' segments are not allowed)");
        this.name = name;
    }

    /**
     * The rejected name.
     *
     * @return the name as given (may be {@code null})
     */
    public String name() {
        return name;
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
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
}
