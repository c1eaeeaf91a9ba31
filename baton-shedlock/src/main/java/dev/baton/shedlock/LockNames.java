package dev.baton.shedlock;

import dev.baton.InvalidNameException;
import dev.baton.Names;
import java.nio.charset.StandardCharsets;

/**
 * How a ShedLock lock name becomes a Baton lock name: one deterministic, injective rule, so that
 * two different ShedLock names never share a Baton lock and every node computes the same name.
 *
 * <ol>
 *   <li><b>As is</b>: {@code prefix + name} when that is a valid Baton name ({@link Names}) and
 *       {@code name}'s first segment is not the marker {@value #ESCAPED}. {@code "reportJob"},
 *       {@code "com.example.Jobs.nightly"} and {@code "billing/daily"} keep their spelling.
 *   <li><b>Escaped</b> otherwise: {@code prefix + "_esc/" + escape(name)}, where {@code escape}
 *       keeps {@code [A-Za-z0-9-]} and writes every other UTF-8 byte as {@code _} and two
 *       upper-case hex digits: {@code "my task:1"} becomes {@code "shedlock/_esc/my_20task_3A1"}.
 *       The escaped form is one segment, never empty, never {@code "."} or {@code ".."}, and
 *       decodes back to the name, so the rule stays injective; the marker keeps it apart from every
 *       name taken as is.
 *   <li><b>Rejected</b> with {@link InvalidNameException} when even the escaped form is longer than
 *       {@value Names#MAX_LENGTH} characters.
 * </ol>
 */
final class LockNames {
    /** First segment of every escaped name; names that start with it are escaped too. */
    static final String ESCAPED = "_esc";

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private LockNames() {}

    /**
     * Checks a provider's prefix: empty, or a valid Baton name followed by {@code '/'}.
     *
     * @throws InvalidNameException otherwise
     */
    static String validatePrefix(String prefix) {
        if (prefix == null) {
            throw new InvalidNameException(null, "the prefix is null");
        }
        if (prefix.isEmpty()) {
            return prefix;
        }
        if (!prefix.endsWith("/")) {
            throw new InvalidNameException(
                    prefix, "a lock-name prefix must be empty or end with '/', like \"shedlock/\"");
        }
        Names.validate(prefix.substring(0, prefix.length() - 1));
        return prefix;
    }

    /**
     * The Baton name of ShedLock's {@code lockName} under {@code prefix} (already validated).
     *
     * @throws InvalidNameException if the name is null, empty, or too long even escaped
     */
    static String batonName(String prefix, String lockName) {
        if (lockName == null || lockName.isEmpty()) {
            throw new InvalidNameException(lockName, "a ShedLock lock name must not be empty");
        }
        if (!firstSegment(lockName).equals(ESCAPED) && isValid(prefix + lockName)) {
            return prefix + lockName;
        }
        String escaped = prefix + ESCAPED + "/" + escape(lockName);
        if (escaped.length() > Names.MAX_LENGTH) {
            throw new InvalidNameException(
                    lockName,
                    "ShedLock name escaped to \""
                            + escaped.substring(0, 40)
                            + "…\", "
                            + escaped.length()
                            + " characters: more than "
                            + Names.MAX_LENGTH
                            + "; choose a shorter name, or one that is a valid Baton name as is");
        }
        return Names.validate(escaped);
    }

    /** {@code [A-Za-z0-9-]} kept, every other UTF-8 byte as {@code _XX}. */
    static String escape(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder(bytes.length * 2);
        for (byte x : bytes) {
            int c = x & 0xff;
            if ((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '-') {
                b.append((char) c);
            } else {
                b.append('_').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return b.toString();
    }

    private static String firstSegment(String name) {
        int slash = name.indexOf('/');
        return slash < 0 ? name : name.substring(0, slash);
    }

    private static boolean isValid(String name) {
        try {
            Names.validate(name);
            return true;
        } catch (InvalidNameException e) {
            return false;
        }
    }
}
