package dev.baton.samples.scheduler;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The settlement journal as the instances wrote it ({@code start|end TOKEN PID}, one per line), and
 * what it must show: one run at a time, under ever newer leadership.
 *
 * <p>The rules, in journal order:
 *
 * <ul>
 *   <li>Every line belongs to the <em>latest</em> run (the run of the last {@code start}): an
 *       {@code end} closes exactly that run (same token, same pid, not yet closed). A line of an
 *       older run after a newer run began is two runs overlapping: the older one wrote after it was
 *       superseded.
 *   <li>A {@code start} while the latest run is open supersedes it, which is allowed only from
 *       newer leadership: that run is then <em>abandoned</em> (its instance was killed or lost its
 *       lease mid-run). A {@code start} of the same instance and token while its run is open is an
 *       overlap of one instance with itself.
 *   <li>Tokens of {@code start} lines never decrease, and rise whenever the instance changes (a new
 *       leader has a new lease).
 * </ul>
 *
 * Pure: no I/O, no clock.
 */
final class JournalCheck {
    private JournalCheck() {}

    enum Event {
        START,
        END
    }

    /** One journal line; {@code index} counts from 0. */
    record Line(int index, Event event, long token, long pid) {
        @Override
        public String toString() {
            return "line "
                    + (index + 1)
                    + " \""
                    + event.name().toLowerCase()
                    + " "
                    + token
                    + " "
                    + pid
                    + "\"";
        }
    }

    /** One run: its start line and, if it ended, its end line (else -1). */
    record Run(long token, long pid, int start, int end) {
        boolean open() {
            return end < 0;
        }
    }

    /**
     * What the check found.
     *
     * @param runs every run, in order of their start
     * @param abandoned the runs superseded while open (never ended)
     * @param leaders the pids that ran, in order, each listed again when leadership changed hands
     * @param violations what breaks the rules, one message each; empty if none
     */
    record Result(
            List<Run> runs, List<Run> abandoned, List<Long> leaders, List<String> violations) {
        Set<Long> abandonedPids() {
            Set<Long> pids = new LinkedHashSet<>();
            abandoned.forEach(r -> pids.add(r.pid()));
            return pids;
        }
    }

    /**
     * Parses the complete lines of {@code text}; a last line without its newline (being written
     * right now) is left out.
     *
     * @throws IllegalArgumentException for a complete line that is not {@code start|end TOKEN PID}
     */
    static List<Line> parse(String text) {
        List<Line> lines = new ArrayList<>();
        int from = 0;
        for (int nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
            lines.add(parseLine(lines.size(), text.substring(from, nl)));
            from = nl + 1;
        }
        return lines;
    }

    private static Line parseLine(int index, String text) {
        String[] f = text.split(" ");
        if (f.length != 3 || !(f[0].equals("start") || f[0].equals("end"))) {
            throw new IllegalArgumentException(
                    "line " + (index + 1) + " is not \"start|end TOKEN PID\": \"" + text + "\"");
        }
        try {
            return new Line(
                    index,
                    f[0].equals("start") ? Event.START : Event.END,
                    Long.parseLong(f[1]),
                    Long.parseLong(f[2]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "line "
                            + (index + 1)
                            + " has a token or pid that is no number: \""
                            + text
                            + "\"",
                    e);
        }
    }

    static Result check(List<Line> lines) {
        List<Run> runs = new ArrayList<>();
        List<Run> abandoned = new ArrayList<>();
        List<Long> leaders = new ArrayList<>();
        List<String> violations = new ArrayList<>();
        Run latest = null;
        for (Line line : lines) {
            if (line.event() == Event.END) {
                if (latest == null
                        || !latest.open()
                        || latest.token() != line.token()
                        || latest.pid() != line.pid()) {
                    violations.add(
                            line
                                    + " does not end the latest run"
                                    + (latest == null
                                            ? " (none began)"
                                            : " (" + describe(latest) + ")")
                                    + ": a run wrote after a newer one began, or ended twice");
                } else {
                    latest = new Run(latest.token(), latest.pid(), latest.start(), line.index());
                    runs.set(runs.size() - 1, latest);
                }
                continue;
            }
            if (latest != null) {
                if (line.token() < latest.token()) {
                    violations.add(
                            line
                                    + " has a smaller token than the run before it ("
                                    + describe(latest)
                                    + ")");
                } else if (line.pid() != latest.pid() && line.token() == latest.token()) {
                    violations.add(
                            line
                                    + " is a new instance with the same token as the run before it ("
                                    + describe(latest)
                                    + ")");
                } else if (latest.open()
                        && line.pid() == latest.pid()
                        && line.token() == latest.token()) {
                    violations.add(
                            line + " begins while its own run is open (" + describe(latest) + ")");
                }
                if (latest.open()) {
                    abandoned.add(latest);
                }
            }
            if (latest == null || latest.pid() != line.pid()) {
                leaders.add(line.pid());
            }
            latest = new Run(line.token(), line.pid(), line.index(), -1);
            runs.add(latest);
        }
        return new Result(
                List.copyOf(runs),
                List.copyOf(abandoned),
                List.copyOf(leaders),
                List.copyOf(violations));
    }

    private static String describe(Run run) {
        return "run of "
                + run.pid()
                + " with token "
                + run.token()
                + " from line "
                + (run.start() + 1)
                + (run.open() ? ", open" : ", ended at line " + (run.end() + 1));
    }
}
