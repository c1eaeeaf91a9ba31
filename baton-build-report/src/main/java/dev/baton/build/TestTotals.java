package dev.baton.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Prints one line totalling the tests of this build across modules, from the Surefire and Failsafe
 * XML reports written since the build started (older reports belong to earlier builds): Maven
 * prints a total per module only, and a reader of a long build should not have to add them up.
 */
public final class TestTotals {
    private static final Pattern SUITE = Pattern.compile("<testsuite\\b([^>]*)>");

    private TestTotals() {}

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);
        Instant since = args.length > 1 ? Instant.parse(args[1]) : Instant.EPOCH;
        long[] sum = new long[4]; // tests, failures, errors, skipped
        Map<String, Long> modules = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root, 6)) {
            for (Path report : files.filter(TestTotals::isReport).toList()) {
                if (Files.getLastModifiedTime(report).toInstant().isBefore(since)) {
                    continue;
                }
                long[] counts = counts(Files.readString(report));
                for (int i = 0; i < 4; i++) {
                    sum[i] += counts[i];
                }
                Path module = root.relativize(report.getParent().getParent().getParent());
                modules.merge(module.toString(), counts[0], Long::sum);
            }
        }
        System.out.printf(
                "Tests of this build: %d run, %d failures, %d errors, %d skipped, in %d module%s%n",
                sum[0], sum[1], sum[2], sum[3], modules.size(), modules.size() == 1 ? "" : "s");
    }

    private static boolean isReport(Path p) {
        String name = p.getFileName().toString();
        String dir = p.getParent() == null ? "" : p.getParent().getFileName().toString();
        return name.startsWith("TEST-")
                && name.endsWith(".xml")
                && List.of("surefire-reports", "failsafe-reports").contains(dir);
    }

    /** tests, failures, errors, skipped of the report's top-level suite. */
    static long[] counts(String xml) {
        Matcher m = SUITE.matcher(xml);
        long[] c = new long[4];
        if (m.find()) {
            String attrs = m.group(1);
            c[0] = attr(attrs, "tests");
            c[1] = attr(attrs, "failures");
            c[2] = attr(attrs, "errors");
            c[3] = attr(attrs, "skipped");
        }
        return c;
    }

    private static long attr(String attrs, String name) {
        Matcher m = Pattern.compile("\\b" + name + "=\"(\\d+)\"").matcher(attrs);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
