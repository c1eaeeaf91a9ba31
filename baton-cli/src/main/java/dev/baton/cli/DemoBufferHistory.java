package dev.baton.cli;

import dev.baton.cli.DemoProtocol.Event;
import dev.baton.cli.DemoProtocol.Message;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the producers and consumers of {@code baton demo buffer} reported, and the rules checked
 * over it (each has a test that it rejects a bad history):
 *
 * <ol>
 *   <li><b>Items</b> ({@link #items()}): every item produced was taken exactly once (an item taken
 *       by a consumer killed afterwards counts: its write reached the engine); none taken twice,
 *       none taken that was never produced.
 *   <li><b>The buffer</b> ({@link #buffer()}): replayed in version order, every write is what the
 *       previous state allows (a put appends, a take removes the oldest item), holds what the
 *       writer reported, never more than {@link DemoBuffer#CAPACITY} items nor fewer than 0,
 *       carries a fencing token above the previous write's, and no write was refused as stale or
 *       lost a compare-and-set; the engine's final value agrees with the replay.
 *   <li><b>Sleep</b> ({@link #sleep}): no waiter stayed asleep longer than a bound while the
 *       condition it waited for held, as of the buffer's last write.
 *   <li><b>Requests</b> ({@link #requests}): engine requests per produced item stay under a bound,
 *       so nobody polled.
 * </ol>
 *
 * <p>Pure bookkeeping, owned by the demo's main thread (no locking). Times are epoch microseconds
 * from the one machine's clock, which every process of the demo shares.
 */
final class DemoBufferHistory {
    /** Whether a write put an item or took one. */
    enum Op {
        PUT,
        TOOK
    }

    /** One write of the buffer, as its writer reported it. */
    record Write(
            String process,
            Op op,
            String item,
            List<String> buffer,
            long version,
            long token,
            long atMicros) {
        Write {
            buffer = List.copyOf(buffer);
        }
    }

    /**
     * One await: from the moment the waiter gave the monitor up to the moment it held it again (or
     * was killed, or stopped).
     *
     * @param end how it ended: "signal", "timeout", "killed", "stopped"; "open" while it lasts
     */
    record Wait(String process, String condition, long startMicros, long endMicros, String end) {}

    /** The longest time a waiter slept while its condition held, within one wait. */
    record Sleep(Wait during, long heldMicros) {}

    /** Rule 1's outcome. */
    record ItemsCheck(
            int produced,
            int taken,
            List<String> duplicated,
            List<String> lost,
            List<String> unknown) {
        boolean ok() {
            return duplicated.isEmpty() && lost.isEmpty() && unknown.isEmpty();
        }
    }

    /** Rule 2's outcome: the largest size seen, and each problem in words. */
    record BufferCheck(int writes, int maxSize, List<String> problems) {
        boolean ok() {
            return problems.isEmpty();
        }
    }

    /** Rule 3's outcome: the longest sleep while the condition held, and those over the bound. */
    record SleepCheck(Sleep longest, long boundMicros, List<Sleep> violations) {
        boolean ok() {
            return violations.isEmpty();
        }
    }

    /** Rule 4's outcome: requests per produced item, and each process's requests. */
    record RequestsCheck(long requests, int items, double bound, Map<String, Long> byProcess) {
        double perItem() {
            return items == 0 ? requests : (double) requests / items;
        }

        boolean ok() {
            return perItem() <= bound;
        }
    }

    private final List<Write> writes = new ArrayList<>();
    private final List<Wait> waits = new ArrayList<>();
    private final Map<String, Integer> openWaits = new HashMap<>(); // process -> index in waits
    private final Map<String, Long> requests = new LinkedHashMap<>();
    private int stale;
    private int conflicts;
    private DemoBuffer engineFinal;

    // ---- recording ----

    /**
     * Records what {@code process} reported, if it is part of the history: a write, the start or
     * end of a wait, a refused write, a request count. Other events (ready, holding, error, bye)
     * change nothing here.
     */
    void record(String process, Message m) {
        switch (m.event()) {
            case PUT, TOOK -> {
                String contents = m.text("buffer");
                write(
                        process,
                        m.event() == Event.PUT ? Op.PUT : Op.TOOK,
                        m.text("item"),
                        contents.isEmpty() ? List.of() : Arrays.asList(contents.split(" ")),
                        m.number("version"),
                        m.number("token"),
                        m.at());
                requests(process, m.number("requests"));
            }
            case WAIT -> {
                waitStarted(process, m.text("condition"), m.at());
                requests(process, m.number("requests"));
            }
            case WOKEN -> {
                end(process, m.at(), m.text("by"));
                requests(process, m.number("requests"));
            }
            case BATCH_DONE -> requests(process, m.number("requests"));
            case STOPPED -> {
                end(process, m.at(), "stopped");
                requests(process, m.number("requests"));
            }
            case STALE -> stale++;
            case CONFLICT -> conflicts++;
            default -> {
                // Not part of the history.
            }
        }
    }

    void write(
            String process,
            Op op,
            String item,
            List<String> buffer,
            long version,
            long token,
            long atMicros) {
        writes.add(new Write(process, op, item, buffer, version, token, atMicros));
    }

    void waitStarted(String process, String condition, long atMicros) {
        end(process, atMicros, "open"); // one wait at a time: a missed end is closed here
        openWaits.put(process, waits.size());
        waits.add(new Wait(process, condition, atMicros, Long.MAX_VALUE, "open"));
    }

    /** The process's open wait, if any, ended at {@code atMicros}: {@code how} says why. */
    void end(String process, long atMicros, String how) {
        Integer i = openWaits.remove(process);
        if (i != null) {
            Wait w = waits.get(i);
            waits.set(i, new Wait(w.process(), w.condition(), w.startMicros(), atMicros, how));
        }
    }

    /** The process's engine requests so far (its latest report wins; counts only grow). */
    void requests(String process, long count) {
        requests.merge(process, count, Math::max);
    }

    /** The buffer as the engine holds it at the end, read by the demo's own client. */
    void engineFinal(DemoBuffer buffer) {
        engineFinal = buffer;
    }

    // ---- reading ----

    List<Write> writes() {
        return List.copyOf(writes);
    }

    List<Wait> waits() {
        return List.copyOf(waits);
    }

    /** Whether {@code process} is waiting now, as last reported. */
    boolean waiting(String process, String condition) {
        Integer i = openWaits.get(process);
        return i != null && waits.get(i).condition().equals(condition);
    }

    long produced() {
        return writes.stream().filter(w -> w.op() == Op.PUT).count();
    }

    long taken() {
        return writes.stream().filter(w -> w.op() == Op.TOOK).count();
    }

    /** The items {@code process} put or took, in order. */
    List<String> itemsOf(String process) {
        return writes.stream().filter(w -> w.process().equals(process)).map(Write::item).toList();
    }

    // ---- the rules ----

    /** Rule 1: every produced item taken exactly once. */
    ItemsCheck items() {
        Set<String> produced = new LinkedHashSet<>();
        Set<String> duplicated = new LinkedHashSet<>();
        for (Write w : writes) {
            if (w.op() == Op.PUT && !produced.add(w.item())) {
                duplicated.add(w.item() + " produced twice");
            }
        }
        Set<String> taken = new HashSet<>();
        List<String> unknown = new ArrayList<>();
        int tookCount = 0;
        for (Write w : writes) {
            if (w.op() != Op.TOOK) {
                continue;
            }
            tookCount++;
            if (!taken.add(w.item())) {
                duplicated.add(w.item() + " taken twice");
            }
            if (!produced.contains(w.item())) {
                unknown.add(w.item());
            }
        }
        List<String> lost = produced.stream().filter(i -> !taken.contains(i)).toList();
        return new ItemsCheck(
                produced.size(), tookCount, List.copyOf(duplicated), lost, List.copyOf(unknown));
    }

    /** Rule 2: the writes replay, within capacity, fenced, and agree with the engine. */
    BufferCheck buffer() {
        List<String> problems = new ArrayList<>();
        List<Write> ordered =
                writes.stream().sorted(Comparator.comparingLong(Write::version)).toList();
        List<String> sim = new ArrayList<>();
        int maxSize = 0;
        long lastToken = Long.MIN_VALUE;
        long lastVersion = Long.MIN_VALUE;
        for (Write w : ordered) {
            String who =
                    w.process()
                            + "'s "
                            + w.op().name().toLowerCase(Locale.ROOT)
                            + " of "
                            + w.item();
            if (w.version() == lastVersion) {
                problems.add(who + " wrote version " + w.version() + " a second time");
            }
            lastVersion = w.version();
            if (w.token() <= lastToken) {
                problems.add(who + " wrote under token " + w.token() + ", not above " + lastToken);
            }
            lastToken = Math.max(lastToken, w.token());
            if (w.op() == Op.PUT) {
                sim.add(w.item());
            } else if (sim.isEmpty()) {
                problems.add(who + " took from an empty buffer (size -1)");
            } else if (!sim.get(0).equals(w.item())) {
                problems.add(who + " is not the oldest item, " + sim.get(0));
                sim.remove(w.item());
            } else {
                sim.remove(0);
            }
            if (w.buffer().size() > DemoBuffer.CAPACITY || sim.size() > DemoBuffer.CAPACITY) {
                problems.add(
                        who
                                + " left "
                                + Math.max(w.buffer().size(), sim.size())
                                + " items, over the capacity "
                                + DemoBuffer.CAPACITY);
            }
            if (!w.buffer().equals(sim)) {
                problems.add(who + " reported " + w.buffer() + ", but the replay has " + sim);
                sim = new ArrayList<>(w.buffer()); // resynchronise: report each divergence once
            }
            maxSize = Math.max(maxSize, w.buffer().size());
        }
        if (stale > 0) {
            problems.add(stale + " writes refused: the buffer had a newer token than the writer");
        }
        if (conflicts > 0) {
            problems.add(conflicts + " writes lost a compare-and-set inside the monitor");
        }
        if (engineFinal != null) {
            long puts = produced();
            long takes = taken();
            if (engineFinal.puts() != puts
                    || engineFinal.takes() != takes
                    || !engineFinal.items().equals(sim)) {
                problems.add(
                        "the engine's final buffer ("
                                + engineFinal.format()
                                + ") disagrees with the reports ("
                                + puts
                                + " puts, "
                                + takes
                                + " takes, items "
                                + sim
                                + ")");
            }
        }
        return new BufferCheck(writes.size(), maxSize, problems);
    }

    /**
     * Rule 3: for each wait, the longest stretch during which its condition held (as of the last
     * write), against {@code boundMicros}. A wait still open counts up to {@code nowMicros}.
     */
    SleepCheck sleep(long boundMicros, long nowMicros) {
        List<Write> ordered =
                writes.stream().sorted(Comparator.comparingLong(Write::version)).toList();
        Sleep longest = null;
        List<Sleep> violations = new ArrayList<>();
        for (Wait w : waits) {
            long end = w.endMicros() == Long.MAX_VALUE ? nowMicros : w.endMicros();
            Sleep s = new Sleep(w, heldDuring(ordered, w.condition(), w.startMicros(), end));
            if (longest == null || s.heldMicros() > longest.heldMicros()) {
                longest = s;
            }
            if (s.heldMicros() > boundMicros) {
                violations.add(s);
            }
        }
        return new SleepCheck(longest, boundMicros, violations);
    }

    /** The longest stretch within [start, end] during which {@code condition} held. */
    private static long heldDuring(List<Write> ordered, String condition, long start, long end) {
        int size = 0;
        for (Write w : ordered) {
            if (w.atMicros() <= start) {
                size = w.buffer().size();
            }
        }
        long longest = 0;
        long since = holds(condition, size) ? start : -1;
        for (Write w : ordered) {
            if (w.atMicros() <= start || w.atMicros() >= end) {
                continue;
            }
            boolean holds = holds(condition, w.buffer().size());
            if (holds && since < 0) {
                since = w.atMicros();
            } else if (!holds && since >= 0) {
                longest = Math.max(longest, w.atMicros() - since);
                since = -1;
            }
        }
        if (since >= 0) {
            longest = Math.max(longest, end - since);
        }
        return longest;
    }

    private static boolean holds(String condition, int size) {
        return switch (condition) {
            case DemoBufferNodeCommand.NOT_EMPTY -> size > 0;
            case DemoBufferNodeCommand.NOT_FULL -> size < DemoBuffer.CAPACITY;
            default -> throw new IllegalArgumentException("no condition " + condition);
        };
    }

    /** Rule 4: engine requests of every process per produced item, against {@code bound}. */
    RequestsCheck requests(double bound) {
        long total = requests.values().stream().mapToLong(Long::longValue).sum();
        return new RequestsCheck(
                total,
                (int) produced(),
                bound,
                Collections.unmodifiableMap(new LinkedHashMap<>(requests)));
    }
}
