package dev.baton.bench;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
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
 * <p>Baton against each peer: the <em>paired ratio</em> {@code <metric>_ratio_<peer>} is the median
 * over rounds of Baton's value divided by the peer's value in the same round. Both ran within
 * seconds of each other in that round, so the machine's drift between rounds, which on a small
 * machine is larger than most differences between systems, cancels out; a ratio of the two medians
 * would compare Baton in one round with the peer in another. Rounds that one of the two did not
 * complete, and rounds where the peer's value is 0, are left out.
 *
 * <p>Outputs: {@code results.csv} with exactly the columns {@code
 * scenario,backend,system,metric,value,unit} (a metric measured in several rounds also gets {@code
 * <metric>_min} and {@code <metric>_max} rows; paired ratios are rows of system {@code baton}, unit
 * {@code ratio}; the seed of the round order is the row {@code
 * run,all,bench,round_order_seed,<seed>,seed}), {@code results.md} (a table per scenario and
 * backend, and one of Baton's paired ratios) and {@code charts/<scenario>.<backend>.<metric>.svg}
 * (bars at the median, whiskers over the spread).
 *
 * <p>Thread-safety: filled by the harness's one driving thread only.
 */
public final class Results {
    /** The columns of results.csv, in order. */
    public static final String CSV_HEADER = "scenario,backend,system,metric,value,unit";

    /** The system whose paired ratios to every other system are reported. */
    static final String BATON = "baton";

    private record Key(String scenario, String backend, String system, String metric) {}

    /** A scenario on one backend: one table of results.md. */
    private record Group(String scenario, String backend) {}

    private static final class Series {
        final String unit;

        /** By round number: values of one round are paired across systems. */
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

    /**
     * Baton's paired ratio to {@code peer}: the median over the rounds both completed of Baton's
     * value divided by the peer's in the same round; NaN if there is no such round. Goals stated as
     * "Baton ≤ k × peer" are judged on this, not on the ratio of the two medians.
     */
    public double pairedRatio(String scenario, String backend, String metric, String peer) {
        Series r = ratio(new Key(scenario, backend, peer, metric));
        return r == null ? Double.NaN : r.median();
    }

    /**
     * The per-round ratios of Baton's value to the peer's for the peer's series {@code peer}, or
     * null if Baton has no value in any round the peer has (or the peer is Baton).
     */
    private Series ratio(Key peer) {
        Series b = series.get(new Key(peer.scenario, peer.backend, BATON, peer.metric));
        Series p = series.get(peer);
        if (peer.system.equals(BATON) || b == null || p == null) {
            return null;
        }
        Series ratios = new Series("ratio");
        p.byRound.forEach(
                (round, value) -> {
                    Double mine = b.byRound.get(round);
                    if (mine != null && value != 0 && !Double.isNaN(mine) && !Double.isNaN(value)) {
                        ratios.byRound.put(round, mine / value);
                    }
                });
        return ratios.byRound.isEmpty() ? null : ratios;
    }

    /** The metric name of Baton's paired ratio to {@code peer}. */
    static String ratioMetric(String metric, String peer) {
        return metric + "_ratio_" + peer;
    }

    /** Writes results.csv, results.md and charts/ under {@code dir} (created if missing). */
    public void write(Path dir, String title) throws IOException {
        Files.createDirectories(dir.resolve("charts"));
        Files.writeString(dir.resolve("results.csv"), csv(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("results.md"), markdown(title), StandardCharsets.UTF_8);
        for (var group : groups().entrySet()) {
            Group g = group.getKey();
            for (String metric : group.getValue()) {
                String file = g.scenario + "." + g.backend + "." + metric + ".svg";
                Files.writeString(
                        dir.resolve("charts").resolve(file),
                        svg(g.scenario, g.backend, metric),
                        StandardCharsets.UTF_8);
            }
        }
    }

    /** Per group: every system's rows, then Baton's paired ratios to each peer. */
    String csv() {
        StringBuilder out = new StringBuilder(CSV_HEADER).append('\n');
        for (var group : groups().entrySet()) {
            Group g = group.getKey();
            List<String> systems = systemsOf(g);
            for (String system : systems) {
                for (String metric : group.getValue()) {
                    Series s = series.get(new Key(g.scenario, g.backend, system, metric));
                    if (s != null) {
                        rows(out, g, system, metric, s);
                    }
                }
            }
            for (String metric : group.getValue()) {
                for (String peer : systems) {
                    Series r = ratio(new Key(g.scenario, g.backend, peer, metric));
                    if (r != null) {
                        rows(out, g, BATON, ratioMetric(metric, peer), r);
                    }
                }
            }
        }
        if (roundOrderSeed != null) {
            // Not through format(): a long seed does not survive a round trip through a double.
            out.append("run,all,bench,round_order_seed,").append(roundOrderSeed).append(",seed\n");
        }
        return out.toString();
    }

    /** The median row, and the min and max rows if measured in several rounds. */
    private static void rows(StringBuilder out, Group g, String system, String metric, Series s) {
        row(out, g, system, metric, s.median(), s.unit);
        if (s.byRound.size() > 1) {
            row(out, g, system, metric + "_min", s.min(), s.unit);
            row(out, g, system, metric + "_max", s.max(), s.unit);
        }
    }

    private static void row(
            StringBuilder out, Group g, String system, String metric, double v, String unit) {
        out.append(g.scenario)
                .append(',')
                .append(g.backend)
                .append(',')
                .append(system)
                .append(',')
                .append(metric)
                .append(',')
                .append(format(v))
                .append(',')
                .append(unit)
                .append('\n');
    }

    /** Each scenario and backend, in the order first measured, to its metrics, in order. */
    private Map<Group, Set<String>> groups() {
        Map<Group, Set<String>> groups = new LinkedHashMap<>();
        for (Key k : series.keySet()) {
            groups.computeIfAbsent(new Group(k.scenario, k.backend), g -> new LinkedHashSet<>())
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
            Group g = group.getKey();
            List<String> metrics = new ArrayList<>(group.getValue());
            List<String> systems = systemsOf(g);
            out.append("\n## ").append(g.scenario).append(" (").append(g.backend).append(")\n\n");
            header(out, "system", g, metrics, true);
            for (String system : systems) {
                out.append("| ").append(system).append(" |");
                for (String m : metrics) {
                    Series s = series.get(new Key(g.scenario, g.backend, system, m));
                    out.append(' ').append(s == null ? "–" : cell(s)).append(" |");
                }
                out.append('\n');
            }
            StringBuilder ratios = new StringBuilder();
            for (String peer : systems) {
                StringBuilder line = new StringBuilder("| ").append(peer).append(" |");
                boolean any = false;
                for (String m : metrics) {
                    Series r = ratio(new Key(g.scenario, g.backend, peer, m));
                    any |= r != null;
                    line.append(' ').append(r == null ? "–" : cell(r)).append(" |");
                }
                if (any) {
                    ratios.append(line).append('\n');
                }
            }
            if (ratios.length() > 0) {
                out.append("\nbaton ÷ peer, paired by round: the median of the per-round ratios")
                        .append(" (min–max)\n\n");
                header(out, "peer", g, metrics, false);
                out.append(ratios);
            }
        }
        return out.toString();
    }

    private void header(
            StringBuilder out, String first, Group g, List<String> metrics, boolean units) {
        out.append("| ").append(first).append(" |");
        for (String m : metrics) {
            out.append(' ').append(m);
            if (units) {
                out.append(" (").append(unitOf(g, m)).append(')');
            }
            out.append(" |");
        }
        out.append("\n|---|");
        out.append("---:|".repeat(metrics.size())).append('\n');
    }

    private static String cell(Series s) {
        if (s.byRound.size() == 1) {
            return format(s.median());
        }
        return format(s.median()) + " (" + format(s.min()) + "–" + format(s.max()) + ")";
    }

    private String unitOf(Group g, String metric) {
        for (var e : series.entrySet()) {
            Key k = e.getKey();
            if (k.scenario.equals(g.scenario)
                    && k.backend.equals(g.backend)
                    && k.metric.equals(metric)) {
                return e.getValue().unit;
            }
        }
        return "";
    }

    /**
     * The systems measured in a group, in the registry's order ({@link Systems#NAMES}, Baton first)
     * and the others after them as first measured: the rounds' shuffled order must not reorder the
     * tables.
     */
    private List<String> systemsOf(Group g) {
        Set<String> systems = new LinkedHashSet<>();
        for (Key k : series.keySet()) {
            if (k.scenario.equals(g.scenario) && k.backend.equals(g.backend)) {
                systems.add(k.system);
            }
        }
        List<String> sorted = new ArrayList<>(systems);
        sorted.sort(
                Comparator.comparingInt(
                        name -> {
                            int i = Systems.NAMES.indexOf(name);
                            return i < 0 ? Systems.NAMES.size() : i;
                        }));
        return sorted;
    }

    /** Horizontal bars at the median with a whisker over min–max; plain SVG, no dependency. */
    String svg(String scenario, String backend, String metric) {
        List<String> systems = new ArrayList<>();
        List<Series> rows = new ArrayList<>();
        for (String system : systemsOf(new Group(scenario, backend))) {
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
