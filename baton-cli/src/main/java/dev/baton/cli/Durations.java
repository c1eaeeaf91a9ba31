package dev.baton.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses command-line durations: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 0}, or
 * ISO-8601 ({@code PT5S}). Negative values are rejected here, so every duration option means "at
 * least zero"; options that need a positive value check that themselves.
 */
final class Durations implements ITypeConverter<Duration> {
    static final String RULE = "a non-negative duration such as 500ms, 5s, 2m, 1h or ISO-8601 PT5S";

    private static final Pattern SIMPLE = Pattern.compile("(-?\\d{1,12})(ms|s|m|h)?");

    @Override
    public Duration convert(String text) {
        return parse(text);
    }

    static Duration parse(String text) {
        String t = text == null ? "" : text.trim();
        Duration d;
        Matcher m = SIMPLE.matcher(t.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2);
            if (unit == null && n != 0) {
                throw new TypeConversionException("\"" + text + "\" has no unit; must be " + RULE);
            }
            d =
                    unit == null
                            ? Duration.ZERO
                            : switch (unit) {
                                case "ms" -> Duration.ofMillis(n);
                                case "s" -> Duration.ofSeconds(n);
                                case "m" -> Duration.ofMinutes(n);
                                default -> Duration.ofHours(n);
                            };
        } else {
            try {
                d = Duration.parse(t.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new TypeConversionException("\"" + text + "\" must be " + RULE);
            }
        }
        if (d.isNegative()) {
            throw new TypeConversionException("\"" + text + "\" is negative; must be " + RULE);
        }
        return d;
    }

    /** "1.5s", "250ms", "2m03s": short human form for messages and tables. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms < 60_000) {
            return ms % 1000 == 0
                    ? ms / 1000 + "s"
                    : String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        long s = d.toSeconds();
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}
