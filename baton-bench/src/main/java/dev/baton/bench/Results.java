package dev.baton.bench;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The measurements of one run: per (scenario, backend, system, metric) one value per round, by
 * round number. The reported value is the median over rounds, its spread the minimum and maximum.
 *
 * <p>Outputs: {@code results.csv} with exactly the columns {@code
 * scenario,backend,system,metric,value,unit} (a metric measured in several rounds also gets {@code
 * <metric>_min} and {@code <metric>_max} rows; the seed of the round order is the row {@code
 * run,all,bench,round_order_seed,<seed>,seed}), {@code results.md} (a table per scenario and
 * backend) and {@code charts/<scenario>.<backend>.<metric>.svg} (bars at the median, whiskers over
 * the spread).
 *
 * <p>Thread-safety: filled by the harness's one driving thread only.
 */
public final class Results {
    /** The columns of results.csv, in order. */
    public static final String CSV_HEADER = "scenario,backend,system,metric,value,unit";

    private record Key(String scenario, String backend, String system, String metric) {}

    private static final class Series {
        final String unit;

        /** By round number. */
        final Map<Integer, Double> byRound = new TreeMap<>();

        Series(String unit) {
            this.unit = unit;
        }

        List<Double> values() {
            return new ArrayList<>(byRound.values());
        }

        double median() {
            return Stats.median(values());
        }

        double min() {
            return byRound.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        }

        double max() {
            return byRound.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        }
    }

    private final Map<Key, Series> series = new LinkedHashMap<>();
    private Long roundOrderSeed;

    /** Records the seed the round orders were drawn from (see {@code RoundOrder}). */
    public void roundOrderSeed(long seed) {
        this.roundOrderSeed = seed;
    }

    /** Where one system records the values of one round of one scenario. */
    public Round round(String scenario, String backend, String system, int round) {
        return new Round(scenario, backend, system, round);
    }

    /** The values of one round of one scenario on one system; see {@link #round}. */
    public final class Round {
        private final String scenario;
        private final String backend;
        private final String system;
        private final int round;

        private Round(String scenario, String backend, String system, int round) {
            this.scenario = scenario;
            this.backend = backend;
            this.system = system;
            this.round = round;
        }

        /**
         * Records {@code metric}'s value in this round.
         *
         * @throws IllegalStateException if this round already has a value for {@code metric}
         */
        public void add(String metric, String unit, double value) {
            Key key = new Key(scenario, backend, system, metric);
            Double previous =
                    series.computeIfAbsent(key, k -> new Series(unit)).byRound.put(round, value);
            if (previous != null) {
                throw new IllegalStateException(key + " already has a value for round " + round);
            }
        }
    }

    /** Whether nothing was measured. */
    public boolean isEmpty() {
        return series.isEmpty();
    }

    /** The median of a metric, or NaN if it was not measured. */
    public double median(String scenario, String backend, String system, String metric) {
        Series s = series.get(new Key(scenario, backend, system, metric));
        return s == null ? Double.NaN : s.median();
    }

    /** Writes results.csv, results.md and charts/ under {@code dir} (created if missing). */
    public void write(Path dir, String title) throws IOException {
        Files.createDirectories(dir.resolve("charts"));
        Files.writeString(dir.resolve("results.csv"), csv(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("results.md"), markdown(title), StandardCharsets.UTF_8);
        for (var group : groups().entrySet()) {
            String[] sb = group.getKey().split("\u0000");
            for (String metric : group.getValue()) {
                String file = sb[0] + "." + sb[1] + "." + metric + ".svg";
                Files.writeString(
                        dir.resolve("charts").resolve(file),
                        svg(sb[0], sb[1], metric),
                        StandardCharsets.UTF_8);
            }
        }
    }

    String csv() {
        StringBuilder out = new StringBuilder(CSV_HEADER).append('\n');
        series.forEach(
                (k, s) -> {
                    row(out, k, k.metric, s.median(), s.unit);
                    if (s.byRound.size() > 1) {
                        row(out, k, k.metric + "_min", s.min(), s.unit);
                        row(out, k, k.metric + "_max", s.max(), s.unit);
                    }
                });
        if (roundOrderSeed != null) {
            // Not through format(): a long seed does not survive a round trip through a double.
            out.append("run,all,bench,round_order_seed,").append(roundOrderSeed).append(",seed\n");
        }
        return out.toString();
    }

    private static void row(StringBuilder out, Key k, String metric, double v, String unit) {
        out.append(k.scenario)
                .append(',')
                .append(k.backend)
                .append(',')
                .append(k.system)
                .append(',')
                .append(metric)
                .append(',')
                .append(format(v))
                .append(',')
                .append(unit)
                .append('\n');
    }

    /** Scenario and backend (joined by NUL) to the metrics measured there, in order. */
    private Map<String, Set<String>> groups() {
        Map<String, Set<String>> groups = new LinkedHashMap<>();
        for (Key k : series.keySet()) {
            groups.computeIfAbsent(k.scenario + "\u0000" + k.backend, g -> new LinkedHashSet<>())
                    .add(k.metric);
        }
        return groups;
    }

    String markdown(String title) {
        StringBuilder out = new StringBuilder("# ").append(title).append("\n\n");
        out.append("Median over rounds, with the spread (min–max) in parentheses.");
        if (roundOrderSeed != null) {
            out.append(" Each round visits the systems in a shuffled order, seed ")
                    .append(roundOrderSeed)
                    .append(" (`--seed ")
                    .append(roundOrderSeed)
                    .append("` repeats it).");
        }
        out.append('\n');
        for (var group : groups().entrySet()) {
            String[] sb = group.getKey().split("\u0000");
            List<String> metrics = new ArrayList<>(group.getValue());
            out.append("\n## ").append(sb[0]).append(" (").append(sb[1]).append(")\n\n");
            out.append("| system |");
            for (String m : metrics) {
                out.append(' ')
                        .append(m)
                        .append(" (")
                        .append(unitOf(sb[0], sb[1], m))
                        .append(") |");
            }
            out.append("\n|---|");
            out.append("---:|".repeat(metrics.size())).append('\n');
            for (String system : systemsOf(sb[0], sb[1])) {
                out.append("| ").append(system).append(" |");
                for (String m : metrics) {
                    Series s = series.get(new Key(sb[0], sb[1], system, m));
                    out.append(' ').append(s == null ? "–" : cell(s)).append(" |");
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static String cell(Series s) {
        if (s.byRound.size() == 1) {
            return format(s.median());
        }
        return format(s.median()) + " (" + format(s.min()) + "–" + format(s.max()) + ")";
    }

    private String unitOf(String scenario, String backend, String metric) {
        for (var e : series.entrySet()) {
            Key k = e.getKey();
            if (k.scenario.equals(scenario)
                    && k.backend.equals(backend)
                    && k.metric.equals(metric)) {
                return e.getValue().unit;
            }
        }
        return "";
    }

    private List<String> systemsOf(String scenario, String backend) {
        Set<String> systems = new LinkedHashSet<>();
        for (Key k : series.keySet()) {
            if (k.scenario.equals(scenario) && k.backend.equals(backend)) {
                systems.add(k.system);
            }
        }
        return new ArrayList<>(systems);
    }

    /** Horizontal bars at the median with a whisker over min–max; plain SVG, no dependency. */
    String svg(String scenario, String backend, String metric) {
        List<String> systems = new ArrayList<>();
        List<Series> rows = new ArrayList<>();
        for (String system : systemsOf(scenario, backend)) {
            Series s = series.get(new Key(scenario, backend, system, metric));
            if (s != null) {
                systems.add(system);
                rows.add(s);
            }
        }
        double top = rows.stream().mapToDouble(Series::max).max().orElse(1);
        if (!(top > 0)) {
            top = 1;
        }
        int label = 180;
        int plot = 440;
        int bar = 22;
        int gap = 8;
        int head = 40;
        int width = label + plot + 120;
        int height = head + rows.size() * (bar + gap) + 10;
        StringBuilder out = new StringBuilder();
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        out.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        out.append("<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">")
                .append(escape(scenario + " (" + backend + "): " + metric))
                .append(" [")
                .append(escape(rows.isEmpty() ? "" : rows.get(0).unit))
                .append("]</text>\n");
        for (int i = 0; i < rows.size(); i++) {
            Series s = rows.get(i);
            int y = head + i * (bar + gap);
            double w = s.median() / top * plot;
            String fill = systems.get(i).equals("baton") ? "#1f6feb" : "#8c959f";
            out.append(
                    String.format(
                            java.util.Locale.ROOT,
                            "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
                            label - 8,
                            y + 15,
                            escape(systems.get(i))));
            out.append(
                    String.format(
                            java.util.Locale.ROOT,
                            "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n",
                            label,
                            y,
                            Math.max(0.5, w),
                            bar,
                            fill));
            if (s.byRound.size() > 1) {
                double x0 = label + s.min() / top * plot;
                double x1 = label + s.max() / top * plot;
                out.append(
                        String.format(
                                java.util.Locale.ROOT,
                                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"black\"/>\n",
                                x0,
                                x1,
                                y + bar / 2,
                                y + bar / 2));
            }
            out.append(
                    String.format(
                            java.util.Locale.ROOT,
                            "<text x=\"%.1f\" y=\"%d\">%s</text>\n",
                            label + Math.max(w, s.max() / top * plot) + 6,
                            y + 15,
                            escape(format(s.median()))));
        }
        out.append("</svg>\n");
        return out.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** At most three decimals, no exponent, no trailing zeros. */
    public static String format(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return String.valueOf(v);
        }
        return BigDecimal.valueOf(v)
                .setScale(3, RoundingMode.HALF_UP)
                .stripTrailingZeros()
                .toPlainString();
    }
}
