package dev.baton.verify;

import dev.baton.verify.HistoryEvent.Op;
import dev.baton.verify.HistoryEvent.Type;
import dev.baton.verify.Violation.Kind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The writes a history made to a fenced resource (the register's {@code WRITE}s, the buffer's
 * {@code PUT}s and {@code TAKE}s), each completion paired with its process' latest invoke of one of
 * those operations, and the fencing rule over them ({@link Kind#STALE_WRITE_ACCEPTED}, stated in
 * {@link Checker}). Immutable.
 *
 * @param accepted the {@code ok}s, in ok order
 * @param rejected the {@code fail}s (the store refused: fencing at work, or an empty buffer)
 * @param unknown writes whose outcome is unknown: each {@code info}, and each invoke never
 *     completed because its process died
 */
record FencedWrites(List<Write> accepted, List<Write> rejected, List<HistoryEvent> unknown) {

    /** One completed write: its invoke (the completion itself when none was logged) and outcome. */
    record Write(HistoryEvent invoke, HistoryEvent done) {}

    FencedWrites {
        accepted = List.copyOf(accepted);
        rejected = List.copyOf(rejected);
        unknown = List.copyOf(unknown);
    }

    /** Pairs the events of {@code ops} in {@code events} (in time order). */
    static FencedWrites of(List<HistoryEvent> events, Set<Op> ops) {
        List<Write> accepted = new ArrayList<>();
        List<Write> rejected = new ArrayList<>();
        List<HistoryEvent> unknown = new ArrayList<>();
        Map<String, HistoryEvent> pending = new LinkedHashMap<>();
        for (HistoryEvent e : events) {
            if (!ops.contains(e.op())) {
                continue;
            }
            if (e.type() == Type.INVOKE) {
                pending.put(e.process(), e);
                continue;
            }
            HistoryEvent invoke = pending.remove(e.process());
            Write w = new Write(invoke == null ? e : invoke, e);
            switch (e.type()) {
                case OK -> accepted.add(w);
                case FAIL -> rejected.add(w);
                case INFO -> unknown.add(e);
                case INVOKE -> throw new AssertionError("handled above");
            }
        }
        unknown.addAll(pending.values());
        return new FencedWrites(accepted, rejected, unknown);
    }

    /**
     * The rule: an accepted write whose token is lower than one the store certainly accepted before
     * it (that write's ok came before this one's invoke), and equal tokens accepted from two
     * processes. Writes without a token are not checked.
     */
    static List<Violation> staleAccepted(List<Write> accepted, long origin) {
        List<Violation> out = new ArrayList<>();
        List<Write> tokened = accepted.stream().filter(w -> w.done().hasToken()).toList();

        // Strictly lower than a write the store certainly accepted earlier. Sweep writes in
        // invoke order over the accepted writes in ok order, keeping the highest token seen.
        List<Write> byInvoke = new ArrayList<>(tokened);
        byInvoke.sort(Comparator.comparingLong(w -> w.invoke().nanos()));
        int next = 0;
        Write highest = null;
        for (Write w : byInvoke) {
            while (next < tokened.size() && tokened.get(next).done().nanos() < w.invoke().nanos()) {
                Write v = tokened.get(next++);
                if (highest == null || v.done().token() > highest.done().token()) {
                    highest = v;
                }
            }
            if (highest != null && w.done().token() < highest.done().token()) {
                out.add(
                        new Violation(
                                Kind.STALE_WRITE_ACCEPTED,
                                List.of(highest.done(), w.invoke(), w.done()),
                                String.format(
                                        Locale.ROOT,
                                        "store '%s' accepted %s's write with token %d (invoked"
                                                + " at %s) after it had accepted token %d from"
                                                + " %s (at %s)",
                                        w.done().name(),
                                        w.done().process(),
                                        w.done().token(),
                                        Checker.at(w.invoke().nanos(), origin),
                                        highest.done().token(),
                                        highest.done().process(),
                                        Checker.at(highest.done().nanos(), origin))));
            }
        }

        // Equal tokens from different processes: whichever the store took second is stale.
        Map<Long, Map<String, Write>> byToken = new TreeMap<>();
        for (Write w : tokened) {
            byToken.computeIfAbsent(w.done().token(), k -> new LinkedHashMap<>())
                    .putIfAbsent(w.done().process(), w);
        }
        for (Map.Entry<Long, Map<String, Write>> entry : byToken.entrySet()) {
            List<Write> firsts = new ArrayList<>(entry.getValue().values());
            for (int i = 1; i < firsts.size(); i++) {
                Write a = firsts.get(0);
                Write b = firsts.get(i);
                out.add(
                        new Violation(
                                Kind.STALE_WRITE_ACCEPTED,
                                List.of(a.done(), b.done()),
                                String.format(
                                        Locale.ROOT,
                                        "store '%s' accepted token %d from two holders, %s (at"
                                                + " %s) and %s (at %s)",
                                        b.done().name(),
                                        entry.getKey(),
                                        a.done().process(),
                                        Checker.at(a.done().nanos(), origin),
                                        b.done().process(),
                                        Checker.at(b.done().nanos(), origin))));
            }
        }
        return out;
    }
}
