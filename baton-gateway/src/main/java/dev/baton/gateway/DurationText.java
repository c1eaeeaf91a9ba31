package dev.baton.gateway;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in request bodies: {@code "500ms"}, {@code "5s"}, {@code "2m"}, {@code "1h"}, or
 * ISO-8601 ({@code "PT5S"}); the same forms the command line takes. Responses write durations in
 * the short form, so what a client reads back it can send again.
 */
final class DurationText {
    static final String RULE = "a duration such as 500ms, 5s, 2m or ISO-8601 PT5S";

    private static final Pattern SHORT = Pattern.compile("(\\d{1,12})(ms|s|m|h)");

    private DurationText() {}

    /** Parses {@code text} as the JSON field {@code field}, between {@code min} and {@code max}. */
    static Duration parse(String field, String text, Duration min, Duration max) {
        Duration d = null;
        Matcher m = SHORT.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d =
                    switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        default -> Duration.ofHours(n);
                    };
        } else if (text.trim().equals("0")) {
            d = Duration.ZERO;
        } else {
            try {
                d = Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                // d stays null: reported below with the rule
            }
        }
        if (d == null) {
            throw ApiException.badRequest(
                    "invalid-duration", field + " \"" + text + "\" must be " + RULE);
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw ApiException.badRequest(
                    "invalid-duration",
                    field
                            + " \""
                            + text
                            + "\" must be between "
                            + format(min)
                            + " and "
                            + format(max));
        }
        return d;
    }

    /** {@code 5s}, {@code 1500ms}: exact and short. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
