package dev.baton.verify;

import dev.baton.InvalidArgumentException;
import dev.baton.verify.HistoryEvent.Op;
import dev.baton.verify.HistoryEvent.Type;
import dev.baton.verify.Violation.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The rules of the buffer workload of {@code baton verify} ({@code --workload buffer}): producers
 * and consumers share a bounded buffer kept in a fenced store, entering a monitor to use it and
 * waiting on its conditions {@code not-full} and {@code not-empty}. {@link Checker} checks the
 * monitor's grants (an {@code AWAIT ok} is a grant); these rules check the buffer and the waits.
 * Stateless and thread-safe.
 *
 * <ul>
 *   <li><b>{@link Kind#CAPACITY}</b>: a {@code PUT ok}, {@code TAKE ok} or buffer {@code READ ok}
 *       whose size ({@code value}) is above the capacity or below 0, and a {@code TAKE fail} with
 *       {@code value} 0: a take that found the buffer empty although its taker had just seen an
 *       item under the monitor.
 *   <li><b>{@link Kind#ITEM_DUPLICATED}</b>: an item put twice, taken twice, taken and still in the
 *       buffer at the end (the {@code READ ok} by {@value Checker#FINAL_READ}), or taken or left in
 *       the buffer without ever being put (not even by a put of unknown outcome).
 *   <li><b>{@link Kind#ITEM_LOST}</b>: an item whose put was acknowledged ({@code PUT ok}) that was
 *       neither taken ({@code TAKE ok}) nor left in the buffer at the end. A take whose outcome is
 *       unknown (its process died, or the store did not answer) names the item it saw at the head
 *       before taking, and that item counts as taken: if the take reached the store, the item is
 *       gone from the final buffer; if it did not, the item is still there. Without a final read
 *       this rule is not checked.
 *   <li><b>{@link Kind#STALE_WRITE_ACCEPTED}</b>: the fencing rule of {@link Checker} over the
 *       buffer's writes ({@code PUT} and {@code TAKE}).
 *   <li><b>{@link Kind#LOST_WAKEUP}</b>, below.
 * </ul>
 *
 * <h2>Lost wake-ups</h2>
 *
 * Every step under the monitor carries its holder's fencing token, and tokens order the holders
 * (each grant's token is above every earlier one). A waiter W that logged {@code AWAIT invoke} on
 * condition C with token Tw is <em>certainly in C's wait queue</em> at a {@code SIGNAL ok} S of C
 * with token Ts, logged at ts, when all of these hold:
 *
 * <ol>
 *   <li>Tw &lt; Ts: W gave the monitor up (and, with an atomic await, joined the queue in the same
 *       step) before S's holder was granted;
 *   <li>W's await completed with {@code ok} after ts and with a new token above Ts, or has not
 *       completed (no signal or time-up can have moved it before S, and it did not fail);
 *   <li>ts is before W's own timeout ran out (its invoke's time plus the timeout in its {@code
 *       value}), so the time-up cannot have moved it;
 *   <li>no signal of C with a token between Tw and Ts woke anybody, so none can have taken W;
 *   <li>no fault was in effect from {@link Bounds#settle()} before W's invoke until ts: no nemesis
 *       action, kill or pause of any process, so W's session cannot have ended and the engine did
 *       not lose its state.
 * </ol>
 *
 * Then:
 *
 * <ul>
 *   <li>a signal that found no waiter ({@code value} 0) while some W was certainly in the queue
 *       lost W's wake-up; and
 *   <li>a signal that found a waiter while W was certainly in the queue and no waiter older than W
 *       (lower Tw) may still have been in it (each either completed before ts or re-entered with a
 *       token below Ts) woke W itself; W is flagged if it is still waiting {@link
 *       Bounds#wakeBound()} after ts: it has not logged its {@code AWAIT ok}, no fault began in
 *       that time and the history goes on past it.
 * </ul>
 *
 * The bound covers what a woken waiter legitimately waits for: it goes to the tail of the monitor's
 * entry queue (Mesa semantics) and re-enters after the holders ahead of it, at most one per other
 * client, each holding the monitor for a few store requests. The run sets it to 2 × TTL + 5 s, far
 * above that on a loaded machine, and its awaits time out only 5 s later, so a lost wake-up that
 * only the timeout ends is seen. Both parts are sound (a history of a correct monitor is never
 * flagged) and conservative: a wait overlapping a fault, or a signal after another signal that
 * found a waiter, is not judged.
 */
public final class BufferRules {

    private BufferRules() {}

    /**
     * What the rules need to know about the run.
     *
     * @param capacity how many items the buffer may hold, at least 1
     * @param wakeBound how long a waiter a signal woke may take to re-enter the monitor
     * @param settle how long before a wait a fault still disqualifies it (its effects, such as a
     *     session that ends, may come later): the run uses TTL + 2 s
     */
    public record Bounds(int capacity, Duration wakeBound, Duration settle) {
        public Bounds {
            if (capacity < 1) {
                throw InvalidArgumentException.mustBe("buffer capacity", "at least 1", capacity);
            }
            if (wakeBound == null || wakeBound.isNegative() || wakeBound.isZero()) {
                throw InvalidArgumentException.mustBe("wake bound", "positive", wakeBound);
            }
            if (settle == null || settle.isNegative()) {
                throw InvalidArgumentException.mustBe("settle time", "non-negative", settle);
            }
        }
    }

    /**
     * Counts over the buffer workload.
     *
     * @param puts {@code PUT ok}
     * @param takes {@code TAKE ok}
     * @param maxSize the largest size a put, take or read reported
     * @param finalSize the buffer's size after the run, or -1 without a final read
     * @param awaits {@code AWAIT invoke}
     * @param signals {@code SIGNAL ok}
     * @param signalsFound signals that woke a waiter
     * @param wakeupsChecked (signal, waiter) pairs where the waiter was certainly in the queue
     */
    public record Stats(
            int puts,
            int takes,
            int maxSize,
            int finalSize,
            int awaits,
            int signals,
            int signalsFound,
            int wakeupsChecked) {}

    /** What {@link #check} found: violations grouped by kind, each group in time order. */
    public record Result(List<Violation> violations, Stats stats) {
        public Result {
            violations = List.copyOf(violations);
        }
    }

    /** One await: its invoke and its completion (null if it never completed). */
    private record Wait(HistoryEvent invoke, HistoryEvent done) {
        String condition() {
            return invoke.condition();
        }

        long token() {
            return invoke.token();
        }

        /** Whether the waiter certainly left the queue before the signal (re-entered or ended). */
        boolean leftBefore(HistoryEvent signal) {
            return done != null
                    && (done.nanos() < signal.nanos()
                            || (done.type() == Type.OK
                                    && done.hasToken()
                                    && done.token() < signal.token()));
        }
    }

    /** A time span in which a fault was in effect. */
    private record Span(long from, long to) {}

    /** Checks {@code history} against every rule in the class javadoc. */
    public static Result check(History history, Bounds bounds) {
        List<HistoryEvent> events = history.events();
        long origin = events.isEmpty() ? 0 : events.get(0).nanos();
        List<Violation> out = new ArrayList<>();
        int[] maxSize = {0};
        out.addAll(capacity(events, bounds.capacity(), maxSize, origin));
        Items items = Items.of(events);
        out.addAll(items.duplicated(origin));
        out.addAll(items.lost(origin));
        FencedWrites writes = FencedWrites.of(events, Set.of(Op.PUT, Op.TAKE));
        out.addAll(FencedWrites.staleAccepted(writes.accepted(), origin));
        Wakeups wakeups = new Wakeups(events, bounds, origin);
        out.addAll(wakeups.check());
        out.sort(java.util.Comparator.comparing(Violation::kind)); // stable: time order kept
        Stats stats =
                new Stats(
                        (int)
                                writes.accepted().stream()
                                        .filter(w -> w.done().op() == Op.PUT)
                                        .count(),
                        (int)
                                writes.accepted().stream()
                                        .filter(w -> w.done().op() == Op.TAKE)
                                        .count(),
                        maxSize[0],
                        items.finalItems == null ? -1 : items.finalItems.size(),
                        wakeups.waits.size(),
                        wakeups.signals.size(),
                        (int)
                                wakeups.signals.stream()
                                        .filter(s -> s.value() != null && s.value() > 0)
                                        .count(),
                        wakeups.checked);
        return new Result(out, stats);
    }

    private static List<Violation> capacity(
            List<HistoryEvent> events, int capacity, int[] maxSize, long origin) {
        List<Violation> out = new ArrayList<>();
        for (HistoryEvent e : events) {
            boolean sized =
                    (e.op() == Op.PUT || e.op() == Op.TAKE || e.op() == Op.READ)
                            && e.type() == Type.OK
                            && e.value() != null;
            if (sized) {
                maxSize[0] = (int) Math.max(maxSize[0], Math.min(Integer.MAX_VALUE, e.value()));
                if (e.value() > capacity || e.value() < 0) {
                    out.add(
                            new Violation(
                                    Kind.CAPACITY,
                                    List.of(e),
                                    String.format(
                                            Locale.ROOT,
                                            "buffer '%s' held %d items after %s's %s at %s"
                                                    + " (capacity %d)",
                                            e.name(),
                                            e.value(),
                                            e.process(),
                                            e.op(),
                                            Checker.at(e.nanos(), origin),
                                            capacity)));
                }
            } else if (e.op() == Op.TAKE
                    && e.type() == Type.FAIL
                    && e.value() != null
                    && e.value() == 0) {
                out.add(
                        new Violation(
                                Kind.CAPACITY,
                                List.of(e),
                                String.format(
                                        Locale.ROOT,
                                        "buffer '%s' was empty when %s (token %s) took from it at"
                                                + " %s: it would have held fewer than 0 items",
                                        e.name(),
                                        e.process(),
                                        Checker.token(e),
                                        Checker.at(e.nanos(), origin))));
            }
        }
        return out;
    }

    /** Which items were put, taken and left. */
    private static final class Items {
        final Map<String, List<HistoryEvent>> put = new LinkedHashMap<>(); // acknowledged
        final Set<String> maybePut = new HashSet<>(); // outcome unknown
        final Map<String, List<HistoryEvent>> taken = new LinkedHashMap<>(); // acknowledged
        final Map<String, HistoryEvent> maybeTaken = new HashMap<>(); // unknown, by head seen
        List<String> finalItems; // null without a final read
        HistoryEvent finalRead;

        static Items of(List<HistoryEvent> events) {
            Items it = new Items();
            FencedWrites puts = FencedWrites.of(events, Set.of(Op.PUT));
            for (FencedWrites.Write w : puts.accepted()) {
                if (w.done().item() != null) {
                    it.put.computeIfAbsent(w.done().item(), k -> new ArrayList<>()).add(w.done());
                }
            }
            puts.unknown().stream()
                    .filter(e -> e.item() != null)
                    .forEach(e -> it.maybePut.add(e.item()));
            FencedWrites takes = FencedWrites.of(events, Set.of(Op.TAKE));
            for (FencedWrites.Write w : takes.accepted()) {
                if (w.done().item() != null) {
                    it.taken.computeIfAbsent(w.done().item(), k -> new ArrayList<>()).add(w.done());
                }
            }
            takes.unknown().stream()
                    .filter(e -> e.item() != null)
                    .forEach(e -> it.maybeTaken.putIfAbsent(e.item(), e));
            for (HistoryEvent e : events) {
                if (e.op() == Op.READ
                        && e.type() == Type.OK
                        && Checker.FINAL_READ.equals(e.process())
                        && e.item() != null) {
                    it.finalRead = e;
                    it.finalItems =
                            e.item().isEmpty() ? List.of() : Arrays.asList(e.item().split(","));
                }
            }
            return it;
        }

        List<Violation> duplicated(long origin) {
            List<Violation> out = new ArrayList<>();
            put.forEach(
                    (item, list) -> {
                        if (list.size() > 1) {
                            out.add(
                                    dup(
                                            list,
                                            "item '" + item + "' was put " + list.size() + " times",
                                            origin));
                        }
                    });
            taken.forEach(
                    (item, list) -> {
                        if (list.size() > 1) {
                            out.add(
                                    dup(
                                            list,
                                            "item '"
                                                    + item
                                                    + "' was taken "
                                                    + list.size()
                                                    + " times",
                                            origin));
                        }
                        if (finalItems != null && finalItems.contains(item)) {
                            List<HistoryEvent> both = new ArrayList<>(list);
                            both.add(finalRead);
                            out.add(
                                    dup(
                                            both,
                                            "item '"
                                                    + item
                                                    + "' was taken and is still in the buffer",
                                            origin));
                        }
                        if (!put.containsKey(item) && !maybePut.contains(item)) {
                            out.add(
                                    dup(
                                            list,
                                            "item '" + item + "' was taken but never put",
                                            origin));
                        }
                    });
            if (finalItems != null) {
                Set<String> seen = new HashSet<>();
                for (String item : finalItems) {
                    if (!seen.add(item)) {
                        out.add(
                                dup(
                                        List.of(finalRead),
                                        "item '" + item + "' is in the final buffer twice",
                                        origin));
                    } else if (!put.containsKey(item) && !maybePut.contains(item)) {
                        out.add(
                                dup(
                                        List.of(finalRead),
                                        "item '"
                                                + item
                                                + "' is in the final buffer but was never put",
                                        origin));
                    }
                }
            }
            return out;
        }

        private static Violation dup(List<HistoryEvent> events, String what, long origin) {
            HistoryEvent first = events.get(0);
            return new Violation(
                    Kind.ITEM_DUPLICATED,
                    events,
                    String.format(
                            Locale.ROOT,
                            "buffer '%s': %s (first by %s at %s)",
                            first.name(),
                            what,
                            first.process(),
                            Checker.at(first.nanos(), origin)));
        }

        List<Violation> lost(long origin) {
            List<Violation> out = new ArrayList<>();
            if (finalItems == null) {
                return out;
            }
            Set<String> left = new HashSet<>(finalItems);
            put.forEach(
                    (item, list) -> {
                        if (!taken.containsKey(item)
                                && !left.contains(item)
                                && !maybeTaken.containsKey(item)) {
                            HistoryEvent p = list.get(0);
                            out.add(
                                    new Violation(
                                            Kind.ITEM_LOST,
                                            List.of(p, finalRead),
                                            String.format(
                                                    Locale.ROOT,
                                                    "buffer '%s': item '%s', put by %s (token %s)"
                                                            + " at %s, was never taken and is not"
                                                            + " in the final buffer [%s]",
                                                    p.name(),
                                                    item,
                                                    p.process(),
                                                    Checker.token(p),
                                                    Checker.at(p.nanos(), origin),
                                                    String.join(",", finalItems))));
                        }
                    });
            return out;
        }
    }

    /** The lost wake-up rule's single pass. */
    private static final class Wakeups {
        final List<Wait> waits = new ArrayList<>(); // in invoke order
        final List<HistoryEvent> signals = new ArrayList<>(); // SIGNAL ok, in time order
        final List<Span> faults = new ArrayList<>();
        final Bounds bounds;
        final long origin;
        final long lastNanos;
        int checked;

        Wakeups(List<HistoryEvent> events, Bounds bounds, long origin) {
            this.bounds = bounds;
            this.origin = origin;
            this.lastNanos = events.isEmpty() ? 0 : events.get(events.size() - 1).nanos();
            Map<String, Integer> open = new HashMap<>(); // process -> index of its open wait
            Long nemesisSince = null;
            Map<String, Long> pausedSince = new HashMap<>();
            for (HistoryEvent e : events) {
                switch (e.op()) {
                    case AWAIT -> {
                        if (e.type() == Type.INVOKE) {
                            open.put(e.process(), waits.size());
                            waits.add(new Wait(e, null));
                        } else {
                            Integer i = open.remove(e.process());
                            if (i != null) {
                                waits.set(i, new Wait(waits.get(i).invoke(), e));
                            }
                        }
                    }
                    case SIGNAL -> {
                        if (e.type() == Type.OK && e.hasToken() && e.value() != null) {
                            signals.add(e);
                        }
                    }
                    case NEMESIS -> {
                        if (e.type() == Type.INVOKE) {
                            nemesisSince = nemesisSince == null ? e.nanos() : nemesisSince;
                        } else if (nemesisSince != null) {
                            faults.add(new Span(nemesisSince, e.nanos()));
                            nemesisSince = null;
                        } else {
                            faults.add(new Span(e.nanos(), e.nanos()));
                        }
                    }
                    case KILL -> faults.add(new Span(e.nanos(), e.nanos()));
                    case PAUSE -> pausedSince.putIfAbsent(e.process(), e.nanos());
                    case RESUME -> {
                        Long since = pausedSince.remove(e.process());
                        faults.add(new Span(since == null ? e.nanos() : since, e.nanos()));
                    }
                    default -> {
                        // other steps are not about waiting
                    }
                }
            }
            if (nemesisSince != null) {
                faults.add(new Span(nemesisSince, Long.MAX_VALUE));
            }
            pausedSince.values().forEach(since -> faults.add(new Span(since, Long.MAX_VALUE)));
        }

        boolean disturbed(long from, long to) {
            return faults.stream().anyMatch(f -> f.from() <= to && f.to() >= from);
        }

        boolean certainlyQueued(Wait w, HistoryEvent s) {
            HistoryEvent inv = w.invoke();
            if (!inv.condition().equals(s.condition())
                    || !inv.name().equals(s.name())
                    || !inv.hasToken()
                    || inv.token() >= s.token()
                    || inv.nanos() >= s.nanos()
                    || inv.value() == null) {
                return false;
            }
            HistoryEvent done = w.done();
            if (done != null
                    && (done.type() != Type.OK
                            || done.nanos() <= s.nanos()
                            || !done.hasToken()
                            || done.token() < s.token())) {
                return false;
            }
            if (s.nanos() >= inv.nanos() + inv.value() * 1_000_000) {
                return false; // its own time-up may have moved it
            }
            boolean takenEarlier =
                    signals.stream()
                            .anyMatch(
                                    f ->
                                            f.condition().equals(s.condition())
                                                    && f.name().equals(s.name())
                                                    && f.value() > 0
                                                    && f.token() > inv.token()
                                                    && f.token() < s.token());
            return !takenEarlier && !disturbed(inv.nanos() - bounds.settle().toNanos(), s.nanos());
        }

        List<Violation> check() {
            List<Violation> out = new ArrayList<>();
            Set<Wait> flagged = new HashSet<>();
            for (HistoryEvent s : signals) {
                for (Wait w : waits) {
                    if (flagged.contains(w) || !certainlyQueued(w, s)) {
                        continue;
                    }
                    checked++;
                    if (s.value() == 0) {
                        flagged.add(w);
                        out.add(lostSignal(w, s));
                    } else if (isOldest(w, s) && oversleeps(w, s)) {
                        flagged.add(w);
                        out.add(overslept(w, s));
                    }
                }
            }
            out.sort(
                    java.util.Comparator.comparingLong(
                            v -> v.events().get(v.events().size() - 1).nanos()));
            return out;
        }

        /** No waiter older than {@code w} may still have been in the queue at {@code s}. */
        private boolean isOldest(Wait w, HistoryEvent s) {
            for (Wait o : waits) {
                if (o != w
                        && o.invoke().condition().equals(s.condition())
                        && o.invoke().name().equals(s.name())
                        && o.invoke().hasToken()
                        && o.token() < w.token()
                        && !o.leftBefore(s)) {
                    return false;
                }
            }
            return true;
        }

        private boolean oversleeps(Wait w, HistoryEvent s) {
            long limit = s.nanos() + bounds.wakeBound().toNanos();
            if (limit > lastNanos || disturbed(s.nanos(), limit)) {
                return false; // the history ends first, or a fault may have delayed it
            }
            return w.done() == null || w.done().nanos() > limit;
        }

        private Violation lostSignal(Wait w, HistoryEvent s) {
            return new Violation(
                    Kind.LOST_WAKEUP,
                    List.of(w.invoke(), s),
                    String.format(
                            Locale.ROOT,
                            "monitor '%s': %s's signal of '%s' (token %d) at %s found no waiter,"
                                    + " while %s had been waiting on it since %s (gave up token"
                                    + " %d): its wake-up was lost",
                            s.name(),
                            s.process(),
                            s.condition(),
                            s.token(),
                            Checker.at(s.nanos(), origin),
                            w.invoke().process(),
                            Checker.at(w.invoke().nanos(), origin),
                            w.token()));
        }

        private Violation overslept(Wait w, HistoryEvent s) {
            List<HistoryEvent> involved = new ArrayList<>(List.of(w.invoke(), s));
            if (w.done() != null) {
                involved.add(w.done());
            }
            return new Violation(
                    Kind.LOST_WAKEUP,
                    involved,
                    String.format(
                            Locale.ROOT,
                            "monitor '%s': %s's signal of '%s' (token %d) at %s found %s, the"
                                    + " oldest waiter (since %s), which was still waiting %s"
                                    + " later (bound %d ms)",
                            s.name(),
                            s.process(),
                            s.condition(),
                            s.token(),
                            Checker.at(s.nanos(), origin),
                            w.invoke().process(),
                            Checker.at(w.invoke().nanos(), origin),
                            w.done() == null
                                    ? "at the end of the history"
                                    : String.format(
                                            Locale.ROOT,
                                            "%.0f ms",
                                            Checker.millis(w.done().nanos() - s.nanos())),
                            bounds.wakeBound().toMillis()));
        }
    }
}
