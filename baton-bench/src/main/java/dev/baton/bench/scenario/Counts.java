package dev.baton.bench.scenario;

import dev.baton.bench.Results;
import java.util.Map;
import java.util.TreeMap;

/** Differences of per-command counts ({@code BenchEngine.CommandCount#byName()}) for the log. */
final class Counts {
    private Counts() {}

    /** {@code after - before} per name, leaving out names that did not change; nulls are empty. */
    static Map<String, Long> diff(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> b = before == null ? Map.of() : before;
        Map<String, Long> a = after == null ? Map.of() : after;
        Map<String, Long> d = new TreeMap<>();
        a.forEach(
                (name, n) -> {
                    long x = n - b.getOrDefault(name, 0L);
                    if (x != 0) {
                        d.put(name, x);
                    }
                });
        return d;
    }

    /** Each count divided by {@code ops}, formatted. */
    static Map<String, String> perOp(Map<String, Long> counts, long ops) {
        Map<String, String> out = new TreeMap<>();
        counts.forEach((name, n) -> out.put(name, Results.format((double) n / ops)));
        return out;
    }
}
