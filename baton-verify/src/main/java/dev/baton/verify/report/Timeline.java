package dev.baton.verify.report;

import dev.baton.verify.History;
import dev.baton.verify.HistoryEvent;
import dev.baton.verify.HistoryEvent.Op;
import dev.baton.verify.HistoryEvent.Type;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The timeline of {@link HtmlReport} as two inline SVGs: the lane labels (outside the horizontal
 * scroll, so they stay in view) and the plot. Built in one pass over the history; not thread-safe,
 * used by one thread for one report.
 *
 * <p>Size is bounded for long runs: the plot is at most {@link #MAX_PLOT_PX} wide, intervals of one
 * kind closer than {@link #MERGE_PX} on one lane are merged into one rectangle, and write ticks are
 * drawn once per half pixel as one path per lane and kind. DEADLINE events draw nothing.
 */
final class Timeline {
    /** Pixels per second unless the run is so short or so long that this is scaled. */
    static final double PX_PER_SECOND = 40;

    /** Short runs are stretched to at least this width, so that a few seconds stay legible. */
    static final double MIN_PLOT_PX = 1200;

    /** Long runs are squeezed to at most this width; browsers struggle well above 30000 px. */
    static final double MAX_PLOT_PX = 29_000;

    /** Intervals of one kind on one lane with a gap below this are drawn as one. */
    static final double MERGE_PX = 1.0;

    static final int LABEL_WIDTH = 76;
    static final int AXIS_TOP = 36;
    static final int AXIS_BOTTOM = 22;
    static final int LANE_PITCH = 30;
    static final int NEMESIS_ROW = 17;
    static final int MAX_NEMESIS_ROWS = 6;
    static final int PAD_LEFT = 10;
    static final int PAD_RIGHT = 50;
    static final int MAX_LINES_PER_VIOLATION = 200;

    private static final String[] FAULT_FILLS = {
        "#fde2a7", "#c9e4ff", "#d5f0cc", "#f6d1e6", "#e2dcf7", "#ffd8c2", "#d2eef0", "#eeeeee"
    };

    private final long origin;
    private final long end;
    private final double pxPerSecond;
    private final double plotWidth;

    private final Map<String, Lane> lanes = new HashMap<>();
    private final List<Band> bands = new ArrayList<>();
    // Open state while scanning: process -> lock -> time (acquire invoke) or grant event.
    private final Map<String, Map<String, Long>> acquiring = new HashMap<>();
    private final Map<String, Map<String, HistoryEvent>> holding = new HashMap<>();
    private final Map<String, HistoryEvent> pausedSince = new HashMap<>(); // by lane
    private final List<Band> openBands = new ArrayList<>();
    private final Map<String, Boolean> seenProcesses = new HashMap<>();
    private int nemesisRows = 1; // set once the scan is done

    private Timeline(History history) {
        List<HistoryEvent> events = history.events();
        origin = events.get(0).nanos();
        end = events.get(events.size() - 1).nanos();
        double seconds = Math.max(1e-3, (end - origin) / 1e9);
        double px = Math.max(PX_PER_SECOND, MIN_PLOT_PX / seconds);
        if (px * seconds > MAX_PLOT_PX) {
            px = MAX_PLOT_PX / seconds;
        }
        pxPerSecond = px;
        plotWidth = px * seconds;
        for (HistoryEvent e : events) {
            step(e);
        }
        finish();
    }

    /** The timeline of a non-empty history. */
    static Timeline of(History history) {
        return new Timeline(history);
    }

    long origin() {
        return origin;
    }

    double pxPerSecond() {
        return pxPerSecond;
    }

    /** The x coordinate of a time in the plot. */
    double x(long nanos) {
        double x = PAD_LEFT + (nanos - origin) / 1e9 * pxPerSecond;
        return Math.max(0, Math.min(x, PAD_LEFT + plotWidth + PAD_RIGHT));
    }

    private double svgWidth() {
        return PAD_LEFT + plotWidth + PAD_RIGHT;
    }

    // ---- the scan ----

    private Lane lane(String process) {
        return lanes.computeIfAbsent(Text.lane(process), Lane::new);
    }

    private void step(HistoryEvent e) {
        if (!Text.isClient(e.process())) {
            if (e.op() == Op.NEMESIS) {
                nemesis(e);
            }
            return;
        }
        Lane lane = lane(e.process());
        if (seenProcesses.put(e.process(), Boolean.TRUE) == null && e.process().contains("#")) {
            lane.incarnations.add(new Mark(x(e.nanos()), e.process()));
        }
        switch (e.op()) {
            case ACQUIRE -> acquire(e, lane);
            case RELEASE -> endHold(e.process(), e.name(), e.nanos(), "released");
            case LEASE_LOST -> {
                if (e.name() == null) {
                    endHolds(e.process(), e.nanos(), "lease lost");
                } else {
                    endHold(e.process(), e.name(), e.nanos(), "lease lost");
                }
                lane.lost.add(
                        new Mark(
                                x(e.nanos()),
                                e.process()
                                        + " lease lost"
                                        + (e.name() == null ? "" : " on '" + e.name() + "'")
                                        + " at "
                                        + at(e.nanos())
                                        + (e.detail() == null ? "" : ": " + e.detail())));
            }
            case KILL -> {
                if (e.type() == Type.OK || e.type() == Type.INFO) {
                    kill(e, lane);
                }
            }
            case PAUSE -> {
                if (e.type() != Type.FAIL) {
                    pausedSince.putIfAbsent(lane.name, e);
                }
            }
            case RESUME -> {
                if (e.type() != Type.FAIL) {
                    endPause(lane, e.nanos(), "resumed");
                }
            }
            case AWAIT -> {
                // A monitor wait gives the lease up and ends in a new grant.
                if (e.type() == Type.INVOKE) {
                    endHold(e.process(), e.name(), e.nanos(), "awaiting " + e.condition());
                    acquiring
                            .computeIfAbsent(e.process(), k -> new HashMap<>())
                            .putIfAbsent(e.name(), e.nanos());
                } else {
                    acquire(e, lane);
                }
            }
            case WRITE, PUT, TAKE -> {
                BitSet ticks =
                        switch (e.type()) {
                            case OK -> lane.writesAccepted;
                            case FAIL -> lane.writesRejected;
                            case INFO -> lane.writesUnknown;
                            case INVOKE -> null;
                        };
                if (ticks != null) {
                    ticks.set((int) Math.round(x(e.nanos()) * 2));
                }
            }
            case READ, DEADLINE, NEMESIS, SIGNAL -> {
                // Too frequent to draw, and the checker's verdict on them is drawn instead.
            }
        }
    }

    private void acquire(HistoryEvent e, Lane lane) {
        Map<String, Long> mine = acquiring.computeIfAbsent(e.process(), k -> new HashMap<>());
        if (e.type() == Type.INVOKE) {
            mine.putIfAbsent(e.name(), e.nanos());
            return;
        }
        Long since = mine.remove(e.name());
        if (since != null) {
            lane.waiting.add(new Seg(x(since), x(e.nanos()), null));
        }
        if (e.type() == Type.OK) {
            // A grant reported again (same process, same lock) extends the hold it is part of.
            holding.computeIfAbsent(e.process(), k -> new HashMap<>()).putIfAbsent(e.name(), e);
        }
    }

    private void endHold(String process, String lock, long nanos, String how) {
        Map<String, HistoryEvent> mine = holding.get(process);
        HistoryEvent grant = mine == null ? null : mine.remove(lock);
        if (grant != null) {
            lane(process)
                    .holding
                    .add(
                            new Seg(
                                    x(grant.nanos()),
                                    x(nanos),
                                    process
                                            + " held '"
                                            + lock
                                            + "'"
                                            + (grant.hasToken()
                                                    ? " (token " + grant.token() + ")"
                                                    : "")
                                            + " "
                                            + at(grant.nanos())
                                            + " to "
                                            + at(nanos)
                                            + ", "
                                            + how));
        }
    }

    private void endHolds(String process, long nanos, String how) {
        Map<String, HistoryEvent> mine = holding.get(process);
        if (mine != null) {
            for (String lock : new ArrayList<>(mine.keySet())) {
                endHold(process, lock, nanos, how);
            }
        }
    }

    private void kill(HistoryEvent e, Lane lane) {
        // The KILL names the client, maybe without the incarnation: end every incarnation's state.
        for (String process : new ArrayList<>(holding.keySet())) {
            if (Text.lane(process).equals(lane.name)) {
                endHolds(process, e.nanos(), "killed");
            }
        }
        for (Map.Entry<String, Map<String, Long>> entry : acquiring.entrySet()) {
            if (Text.lane(entry.getKey()).equals(lane.name)) {
                for (Long since : entry.getValue().values()) {
                    lane.waiting.add(new Seg(x(since), x(e.nanos()), null));
                }
                entry.getValue().clear();
            }
        }
        endPause(lane, e.nanos(), "killed");
        lane.kills.add(
                new Mark(
                        x(e.nanos()),
                        "kill -9 "
                                + e.process()
                                + " at "
                                + at(e.nanos())
                                + (e.type() == Type.INFO ? " (outcome unknown)" : "")
                                + (e.detail() == null ? "" : ": " + e.detail())));
    }

    private void endPause(Lane lane, long nanos, String how) {
        HistoryEvent pause = pausedSince.remove(lane.name);
        if (pause != null) {
            lane.paused.add(
                    new Seg(
                            x(pause.nanos()),
                            x(nanos),
                            pause.process()
                                    + " paused "
                                    + at(pause.nanos())
                                    + " to "
                                    + at(nanos)
                                    + ", "
                                    + how
                                    + (pause.detail() == null ? "" : ": " + pause.detail())));
        }
    }

    private void nemesis(HistoryEvent e) {
        String name = Text.faultName(e.detail());
        if (e.type() == Type.INVOKE) {
            Band b = new Band(e.nanos(), name, e.detail());
            bands.add(b);
            openBands.add(b);
            return;
        }
        // Pair the heal with the open fault of that name it most likely ends: same detail, else
        // same target (the second word), else the oldest.
        Band match = null;
        int score = -1;
        for (Band b : openBands) {
            if (!b.name.equals(name)) {
                continue;
            }
            int s =
                    String.valueOf(b.detail).equals(String.valueOf(e.detail()))
                            ? 2
                            : secondWord(b.detail).equals(secondWord(e.detail())) ? 1 : 0;
            if (s > score) {
                match = b;
                score = s;
            }
        }
        if (match != null) {
            openBands.remove(match);
            match.endNanos = e.nanos();
            match.heal = e.type() + (e.detail() == null ? "" : " " + e.detail());
        } else {
            // A heal without a start: show it as an instant, so it is not silently lost.
            Band b = new Band(e.nanos(), name, e.detail());
            b.endNanos = e.nanos();
            b.heal = e.type() + " without a matching start";
            bands.add(b);
        }
    }

    private static String secondWord(String detail) {
        if (detail == null) {
            return "";
        }
        String[] words = detail.strip().split("\\s+");
        return words.length > 1 ? words[1] : "";
    }

    private void finish() {
        for (String process : new ArrayList<>(holding.keySet())) {
            endHolds(process, end, "still held at the end");
        }
        for (Map.Entry<String, Map<String, Long>> entry : acquiring.entrySet()) {
            Lane lane = lane(entry.getKey());
            for (Long since : entry.getValue().values()) {
                lane.waiting.add(new Seg(x(since), x(end), null));
            }
        }
        for (Lane lane : lanes.values()) {
            endPause(lane, end, "still paused at the end");
        }
        for (Band b : openBands) {
            b.endNanos = end;
            b.heal = "not healed before the end";
        }
        assignRows();
    }

    private void assignRows() {
        bands.sort(Comparator.comparingLong(b -> b.startNanos));
        List<Double> rowEnds = new ArrayList<>();
        for (Band b : bands) {
            double x0 = x(b.startNanos);
            int row = -1;
            for (int r = 0; r < rowEnds.size(); r++) {
                if (rowEnds.get(r) + 2 <= x0) {
                    row = r;
                    break;
                }
            }
            if (row < 0 && rowEnds.size() < MAX_NEMESIS_ROWS) {
                rowEnds.add(Double.NEGATIVE_INFINITY);
                row = rowEnds.size() - 1;
            }
            if (row < 0) { // too many at once: overlap in the row that frees first
                row = 0;
                for (int r = 1; r < rowEnds.size(); r++) {
                    if (rowEnds.get(r) < rowEnds.get(row)) {
                        row = r;
                    }
                }
            }
            b.row = row;
            rowEnds.set(row, Math.max(rowEnds.get(row), bandX1(b)));
        }
        nemesisRows = Math.max(1, rowEnds.size());
    }

    private double bandX1(Band b) {
        return Math.max(x(b.endNanos), x(b.startNanos) + 3);
    }

    private String at(long nanos) {
        return Text.seconds(nanos, origin);
    }

    // ---- geometry and output ----

    private List<Lane> sortedLanes() {
        List<Lane> out = new ArrayList<>(lanes.values());
        out.sort((a, b) -> Text.NATURAL.compare(a.name, b.name));
        return out;
    }

    private int nemesisHeight() {
        return nemesisRows * NEMESIS_ROW + 8;
    }

    private int lanesTop() {
        return AXIS_TOP + nemesisHeight() + 4;
    }

    private int height() {
        return lanesTop() + lanes.size() * LANE_PITCH + AXIS_BOTTOM;
    }

    private int plotBottom() {
        return lanesTop() + lanes.size() * LANE_PITCH;
    }

    /** The lane names, fixed on the left of the plot. */
    String labelsSvg() {
        StringBuilder s = new StringBuilder(1024);
        s.append("<svg class=\"labels\" width=\"")
                .append(LABEL_WIDTH)
                .append("\" height=\"")
                .append(height())
                .append("\">");
        s.append("<text class=\"lbl\" x=\"")
                .append(LABEL_WIDTH - 8)
                .append("\" y=\"")
                .append(AXIS_TOP + nemesisHeight() / 2 + 4)
                .append("\">nemesis</text>");
        int y = lanesTop();
        for (Lane lane : sortedLanes()) {
            s.append("<text class=\"lbl\" x=\"")
                    .append(LABEL_WIDTH - 8)
                    .append("\" y=\"")
                    .append(y + LANE_PITCH / 2 + 4)
                    .append("\">")
                    .append(Text.escape(lane.name))
                    .append("</text>");
            y += LANE_PITCH;
        }
        return s.append("</svg>").toString();
    }

    /** The plot; violation markers carry the ids of {@link Text.Listed#anchor()}. */
    String plotSvg(List<Text.Listed> violations) {
        StringBuilder s = new StringBuilder(64 * 1024);
        s.append("<svg class=\"plot\" width=\"")
                .append(f1(svgWidth()))
                .append("\" height=\"")
                .append(height())
                .append("\">");
        s.append(
                "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\""
                        + " patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
                        + "<rect width=\"3\" height=\"6\" class=\"hatch\"/></pattern></defs>");
        axis(s);
        nemesisLane(s);
        int y = lanesTop();
        int i = 0;
        for (Lane lane : sortedLanes()) {
            lane(s, lane, y, i++ % 2 == 0);
            y += LANE_PITCH;
        }
        for (Text.Listed v : violations) {
            violation(s, v);
        }
        return s.append("</svg>").toString();
    }

    /** The x of a violation's first event, for links that scroll the timeline to it. */
    double firstX(Text.Listed v) {
        List<HistoryEvent> events = v.violation().events();
        return events.isEmpty() ? PAD_LEFT : x(events.get(0).nanos());
    }

    private void axis(StringBuilder s) {
        double seconds = (end - origin) / 1e9;
        double step = tickStep();
        s.append("<g class=\"axis\">");
        StringBuilder grid = new StringBuilder();
        for (long k = 0; k * step <= seconds + 1e-9; k++) {
            double t = k * step;
            String x = f1(PAD_LEFT + t * pxPerSecond);
            String label = tickLabel(t, step);
            grid.append('M').append(x).append(' ').append(AXIS_TOP - 18).append('V');
            grid.append(plotBottom() + 4);
            s.append("<text x=\"")
                    .append(x)
                    .append("\" y=\"")
                    .append(AXIS_TOP - 22)
                    .append("\">")
                    .append(label)
                    .append("</text><text x=\"")
                    .append(x)
                    .append("\" y=\"")
                    .append(plotBottom() + 16)
                    .append("\">")
                    .append(label)
                    .append("</text>");
        }
        s.append("<path class=\"grid\" d=\"").append(grid).append("\"/></g>");
    }

    /** The smallest "round" step that keeps tick labels at least 60 px apart. */
    private double tickStep() {
        double[] steps = {
            0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300,
            600, 900, 1800, 3600
        };
        for (double step : steps) {
            if (step * pxPerSecond >= 60) {
                return step;
            }
        }
        return 7200;
    }

    private static String tickLabel(double t, double step) {
        int decimals = step >= 1 ? 0 : step >= 0.1 ? 1 : step >= 0.01 ? 2 : 3;
        return String.format(Locale.ROOT, "%." + decimals + "f s", t);
    }

    private void nemesisLane(StringBuilder s) {
        int top = AXIS_TOP;
        s.append("<g class=\"nemesis\"><rect class=\"lanebg\" x=\"0\" y=\"")
                .append(top)
                .append("\" width=\"")
                .append(f1(svgWidth()))
                .append("\" height=\"")
                .append(nemesisHeight())
                .append("\"/>");
        Map<String, String> fills = new LinkedHashMap<>();
        // Per row, in start order, so that a label may use the room up to the next band.
        Map<Integer, List<Band>> byRow = new TreeMap<>();
        for (Band b : bands) {
            byRow.computeIfAbsent(b.row, r -> new ArrayList<>()).add(b);
        }
        for (List<Band> row : byRow.values()) {
            for (int k = 0; k < row.size(); k++) {
                Band b = row.get(k);
                String fill =
                        fills.computeIfAbsent(
                                b.name, n -> FAULT_FILLS[fills.size() % FAULT_FILLS.length]);
                double x0 = x(b.startNanos);
                double x1 = bandX1(b);
                double room = (k + 1 < row.size() ? x(row.get(k + 1).startNanos) : svgWidth()) - x0;
                int y = top + 4 + b.row * NEMESIS_ROW;
                s.append("<rect class=\"band\" x=\"")
                        .append(f1(x0))
                        .append("\" y=\"")
                        .append(y)
                        .append("\" width=\"")
                        .append(f1(x1 - x0))
                        .append("\" height=\"")
                        .append(NEMESIS_ROW - 3)
                        .append("\" fill=\"")
                        .append(fill)
                        .append("\" data-fault=\"")
                        .append(Text.escape(b.name))
                        .append("\"><title>")
                        .append(Text.escape(b.title(this)))
                        .append("</title></rect>");
                if (b.name.length() * 6.2 + 6 <= room) {
                    s.append("<text class=\"bandlbl\" x=\"")
                            .append(f1(x0 + 3))
                            .append("\" y=\"")
                            .append(y + NEMESIS_ROW - 7)
                            .append("\">")
                            .append(Text.escape(b.name))
                            .append("</text>");
                }
            }
        }
        s.append("</g>");
    }

    private void lane(StringBuilder s, Lane lane, int y, boolean shaded) {
        s.append("<g class=\"lane\" data-lane=\"").append(Text.escape(lane.name)).append("\">");
        if (shaded) {
            s.append("<rect class=\"lanebg\" x=\"0\" y=\"")
                    .append(y)
                    .append("\" width=\"")
                    .append(f1(svgWidth()))
                    .append("\" height=\"")
                    .append(LANE_PITCH)
                    .append("\"/>");
        }
        for (Seg seg : merge(lane.waiting)) {
            rect(s, "wait", seg, y + 10, 8, null);
        }
        for (Seg seg : merge(lane.holding)) {
            rect(s, "hold", seg, y + 6, 16, seg.title());
        }
        for (Seg seg : merge(lane.paused)) {
            rect(s, "pause", seg, y + 3, 22, seg.title());
        }
        ticks(s, "wok", lane.writesAccepted, y + 22, 5);
        ticks(s, "wrej", lane.writesRejected, y + 21, 8);
        ticks(s, "wunk", lane.writesUnknown, y + 22, 5);
        for (Mark m : lane.lost) {
            String x = f1(m.x);
            s.append("<path class=\"lost\" d=\"M")
                    .append(f1(m.x - 4))
                    .append(' ')
                    .append(y)
                    .append("h8l-4 6z\"><title>")
                    .append(Text.escape(m.title))
                    .append("</title></path>");
            s.append("<path class=\"lostline\" d=\"M")
                    .append(x)
                    .append(' ')
                    .append(y + 6)
                    .append("v16\"/>");
        }
        for (Mark m : lane.kills) {
            s.append("<path class=\"kill\" d=\"M")
                    .append(f1(m.x - 5))
                    .append(' ')
                    .append(y + 9)
                    .append("l10 10m0 -10l-10 10\"><title>")
                    .append(Text.escape(m.title))
                    .append("</title></path>");
        }
        for (Mark m : lane.incarnations) {
            String label = m.title.substring(m.title.indexOf('#'));
            s.append("<text class=\"incarnation\" x=\"")
                    .append(f1(m.x + 2))
                    .append("\" y=\"")
                    .append(y + 5)
                    .append("\"><title>")
                    .append(Text.escape(m.title))
                    .append(" starts</title>")
                    .append(Text.escape(label))
                    .append("</text>");
        }
        s.append("</g>");
    }

    private static void rect(StringBuilder s, String cls, Seg seg, int y, int h, String title) {
        s.append("<rect class=\"")
                .append(cls)
                .append("\" x=\"")
                .append(f1(seg.x0))
                .append("\" y=\"")
                .append(y)
                .append("\" width=\"")
                .append(f1(Math.max(1, seg.x1 - seg.x0)))
                .append("\" height=\"")
                .append(h)
                .append('"');
        if (title == null) {
            s.append("/>");
        } else {
            s.append("><title>").append(Text.escape(title)).append("</title></rect>");
        }
    }

    private static void ticks(StringBuilder s, String cls, BitSet halfPixels, int y, int h) {
        if (halfPixels.isEmpty()) {
            return;
        }
        s.append("<path class=\"").append(cls).append("\" d=\"");
        for (int i = halfPixels.nextSetBit(0); i >= 0; i = halfPixels.nextSetBit(i + 1)) {
            s.append('M').append(f1(i / 2.0)).append(' ').append(y).append('v').append(h);
        }
        s.append("\"/>");
    }

    private void violation(StringBuilder s, Text.Listed v) {
        String cls = v.counted() ? "counted" : "excused";
        String title =
                "#"
                        + v.number()
                        + " "
                        + v.violation().kind()
                        + (v.counted() ? "" : " (excused: " + v.excusedBecause() + ")")
                        + ": "
                        + v.violation().explanation();
        BitSet xs = new BitSet();
        for (HistoryEvent e : v.violation().events()) {
            xs.set((int) Math.round(x(e.nanos()) * 2));
        }
        // Many events (a lost update names every clashing write): lighter lines, less clutter.
        s.append("<g class=\"viol ")
                .append(cls)
                .append(xs.cardinality() > 3 ? " many" : "")
                .append("\" id=\"")
                .append(v.anchor())
                .append("\"><title>")
                .append(Text.escape(title))
                .append("</title>");
        StringBuilder d = new StringBuilder();
        int drawn = 0;
        for (int i = xs.nextSetBit(0);
                i >= 0 && drawn < MAX_LINES_PER_VIOLATION;
                i = xs.nextSetBit(i + 1), drawn++) {
            d.append('M').append(f1(i / 2.0)).append(' ').append(AXIS_TOP - 10);
            d.append('V').append(plotBottom());
        }
        // The visible line, a wide transparent one to make hovering easy, and heads on the axis.
        s.append("<path class=\"vline\" d=\"").append(d).append("\"/>");
        s.append("<path class=\"vhit\" d=\"").append(d).append("\"/>");
        s.append("<path class=\"vhead\" d=\"");
        drawn = 0;
        for (int i = xs.nextSetBit(0);
                i >= 0 && drawn < MAX_LINES_PER_VIOLATION;
                i = xs.nextSetBit(i + 1), drawn++) {
            s.append('M').append(f1(i / 2.0 - 4)).append(' ').append(AXIS_TOP - 11);
            s.append("h8l-4 7z");
        }
        s.append("\"/></g>");
    }

    /** Sorts and merges intervals whose gap is below {@link #MERGE_PX}. */
    private static List<Seg> merge(List<Seg> segs) {
        List<Seg> sorted = new ArrayList<>(segs);
        sorted.sort(Comparator.comparingDouble(seg -> seg.x0));
        List<Seg> out = new ArrayList<>();
        Seg current = null;
        for (Iterator<Seg> it = sorted.iterator(); it.hasNext(); ) {
            Seg next = it.next();
            if (current != null && next.x0 <= current.x1 + MERGE_PX) {
                current.x1 = Math.max(current.x1, next.x1);
                current.count += next.count;
            } else {
                current = next.copy();
                out.add(current);
            }
        }
        return out;
    }

    /** A coordinate with one decimal, without the cost of String.format. */
    static String f1(double v) {
        long tenths = Math.round(v * 10);
        String sign = tenths < 0 ? "-" : "";
        tenths = Math.abs(tenths);
        long whole = tenths / 10;
        long frac = tenths % 10;
        return frac == 0 ? sign + whole : sign + whole + "." + frac;
    }

    // ---- model ----

    /** One client's lane; its lists are filled by the scan, then merged when drawn. */
    private static final class Lane {
        final String name;
        final List<Seg> waiting = new ArrayList<>();
        final List<Seg> holding = new ArrayList<>();
        final List<Seg> paused = new ArrayList<>();
        final BitSet writesAccepted = new BitSet();
        final BitSet writesRejected = new BitSet();
        final BitSet writesUnknown = new BitSet();
        final List<Mark> lost = new ArrayList<>();
        final List<Mark> kills = new ArrayList<>();
        final List<Mark> incarnations = new ArrayList<>();

        Lane(String name) {
            this.name = name;
        }
    }

    /** An interval in plot coordinates; {@code count} intervals once merged. */
    private static final class Seg {
        final double x0;
        double x1;
        final String title;
        int count = 1;

        Seg(double x0, double x1, String title) {
            this.x0 = x0;
            this.x1 = Math.max(x0, x1);
            this.title = title;
        }

        Seg copy() {
            Seg c = new Seg(x0, x1, title);
            c.count = count;
            return c;
        }

        String title() {
            if (count == 1 || title == null) {
                return title;
            }
            // Merged: the first interval's own text would mislead about the rest.
            return count + " intervals merged at this zoom; the first: " + title;
        }
    }

    private record Mark(double x, String title) {}

    /** A nemesis fault from its start to its heal. */
    private static final class Band {
        final long startNanos;
        final String name;
        final String detail;
        long endNanos;
        String heal;
        int row;

        Band(long startNanos, String name, String detail) {
            this.startNanos = startNanos;
            this.name = name;
            this.detail = detail;
        }

        String title(Timeline t) {
            return (detail == null ? name : detail)
                    + ": "
                    + t.at(startNanos)
                    + " to "
                    + t.at(endNanos)
                    + (heal == null ? "" : " (" + heal + ")");
        }
    }
}
