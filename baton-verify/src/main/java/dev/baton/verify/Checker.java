package dev.baton.verify;

import dev.baton.verify.HistoryEvent.Op;
import dev.baton.verify.HistoryEvent.Type;
import dev.baton.verify.Violation.Kind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a {@link History} of a {@code baton verify} run for the safety properties Baton promises.
 * Stateless and thread-safe; events are taken in time order ({@link History#events()}).
 *
 * <h2>Holding, as the checker sees it</h2>
 *
 * A process P <em>believes it holds</em> lock L from an {@code ACQUIRE ok} of L by P (or an {@code
 * AWAIT ok}: a monitor wait ends in a new grant) until the first of:
 *
 * <ul>
 *   <li>a {@code RELEASE} event of L by P of any type (from the {@code invoke} on, P no longer acts
 *       as the holder), or an {@code AWAIT invoke} (the wait gives the lease up);
 *   <li>a {@code LEASE_LOST} event by P for L, or with no name (a session-wide loss signal);
 *   <li>its local deadline: the {@code deadlineNanos} of the grant, moved forward by each later
 *       {@code DEADLINE} event by P for L that carries a later one (a renewal; deadlines never move
 *       back, so one logged out of order changes nothing); a {@code DEADLINE} event without a
 *       deadline means the deadline passed at that event. The deadline is passed at time t when
 *       {@code deadlineNanos <= t};
 *   <li>a {@code KILL} of P with type {@code ok} or {@code info} (a kill is in effect once the
 *       nemesis saw it done or could not tell; an {@code invoke} or {@code fail} changes nothing).
 * </ul>
 *
 * Loss and deadline events that carry a token apply only to the grant with that token: a signal
 * delivered late for an earlier lease does not end a later one.
 *
 * <p>Only {@code ACQUIRE ok} is a grant: an {@code ACQUIRE info} (outcome unknown) is not assumed
 * to hold. {@code PAUSE}, {@code RESUME} and {@code NEMESIS} events change nothing: a paused holder
 * still believes it holds, which is the point.
 *
 * <h2>The rules</h2>
 *
 * <ul>
 *   <li><b>{@link Kind#LOSS_SIGNAL_FIRST}</b>: an {@code ACQUIRE ok} of L by Q at time t while a
 *       process P ≠ Q believes it holds L (above) — P had not released, had no loss signal, its
 *       local deadline was {@code > t}, and it had not been killed. One violation per (P's grant,
 *       Q's grant) pair. A grant whose own deadline had passed when it was logged (its holder was
 *       paused while waiting, so it never believed) was made by the engine at an unknown time
 *       between Q's {@code ACQUIRE invoke} and ok: it counts only against holders P whose grant
 *       came before that invoke.
 *   <li><b>{@link Kind#TOKEN_INVERSION}</b>: an {@code ACQUIRE ok} of L whose token is not strictly
 *       greater than the highest token of the grants of L whose ok came before its {@code ACQUIRE
 *       invoke} (the engine assigns a token somewhere between the two, so only those were certainly
 *       assigned first). An equal token granted to the same process that got the highest one is the
 *       same grant reported again, not an inversion. Grants without a token are skipped (counted in
 *       the stats).
 *   <li><b>{@link Kind#STALE_WRITE_ACCEPTED}</b>: the fenced store accepts a token lower than the
 *       highest it has accepted, and an equal token only from the same holder. Each {@code WRITE}
 *       completion is paired with its process' latest {@code WRITE invoke} (or stands alone). A
 *       write W accepted ({@code WRITE ok}) with token T is flagged when some accepted write V had
 *       its {@code ok} strictly before W's {@code invoke} (so the store certainly accepted V first)
 *       and V's token is greater than T; and two accepted writes with equal tokens from different
 *       processes are flagged whatever their order (the later one, in any order, breaks the rule).
 *       Writes whose intervals overlap may have been applied in either order, so they are not
 *       compared by token — this makes the rule sound (no false alarm from logging delays) and, by
 *       the interval-order argument, complete for pairs the history can order. Writes without a
 *       token are not checked. {@code WRITE fail} (rejected) is counted, not flagged.
 *   <li><b>{@link Kind#LOST_UPDATE}</b>: the register starts at 0 and every acknowledged write
 *       ({@code WRITE ok} with a {@code value}) is one increment. Its final value is the {@code
 *       value} of a {@code READ ok} by process {@value #FINAL_READ} (the runner reads the store
 *       after every client stopped), else that of the acknowledged write with the latest {@code
 *       ok}. With N acknowledged increments and I writes of unknown outcome ({@code WRITE info}
 *       with a value, or a {@code WRITE invoke} never completed because its process died), the
 *       history is flagged when the final value is {@code < N} (acknowledged increments lost) or
 *       {@code > N + I} (increments from nowhere). The explanation names the acknowledged writes
 *       that read the same {@code expected} value, the usual way an update is lost.
 * </ul>
 *
 * <h2>Recovery</h2>
 *
 * For each {@code KILL} (ok or info) of a process P and each lock L that P held at that moment —
 * here meaning the engine may still hold P's grant: an {@code ACQUIRE ok} of L by P not followed by
 * a {@code RELEASE} by P, whatever loss signals or deadlines said — the recovery time is from the
 * kill to the next {@code ACQUIRE ok} of L by another process. The stats report the maximum and the
 * 99th percentile (nearest rank: the ⌈0.99·n⌉-th smallest) in milliseconds; holder kills never
 * followed by such a grant are counted apart ({@code holderKills - recoveries}).
 */
public final class Checker {

    /**
     * The process name of the read of the register after the run: a {@code READ ok} by it gives the
     * final value for {@link Kind#LOST_UPDATE}.
     */
    public static final String FINAL_READ = "final";

    private Checker() {}

    /** Checks {@code history} against every rule in the class javadoc. */
    public static CheckResult check(History history) {
        List<HistoryEvent> events = history.events();
        long origin = events.isEmpty() ? 0 : events.get(0).nanos();
        Run run = new Run(origin);
        for (HistoryEvent e : events) {
            run.step(e);
        }
        List<Violation> violations = new ArrayList<>();
        violations.addAll(run.lossSignalFirst);
        violations.addAll(run.tokenInversions);
        Writes writes = Writes.of(events);
        violations.addAll(writes.staleAccepted(origin));
        Violation lost = writes.lostUpdate();
        if (lost != null) {
            violations.add(lost);
        }

        List<Long> recoveries = new ArrayList<>(run.recoveryNanos);
        recoveries.sort(Comparator.naturalOrder());
        double max = recoveries.isEmpty() ? 0 : millis(recoveries.get(recoveries.size() - 1));
        double p99 =
                recoveries.isEmpty()
                        ? 0
                        : millis(recoveries.get((int) Math.ceil(0.99 * recoveries.size()) - 1));
        CheckResult.Stats stats =
                new CheckResult.Stats(
                        events.size(),
                        run.grants,
                        run.grantsWithoutToken,
                        writes.accepted.size(),
                        writes.rejected,
                        writes.indeterminateIncrements,
                        writes.acknowledgedIncrements(),
                        writes.finalValue(),
                        run.kills,
                        run.holderKills,
                        recoveries.size(),
                        max,
                        p99);
        return new CheckResult(violations, stats);
    }

    /** A process' current belief that it holds a lock. */
    private static final class Belief {
        final HistoryEvent grant;
        long deadlineNanos;

        Belief(HistoryEvent grant) {
            this.grant = grant;
            this.deadlineNanos = grant.deadlineNanos();
        }
    }

    /** The single pass over the history for grants, beliefs, tokens and recovery. */
    private static final class Run {
        final long origin;
        // lock -> process -> belief; LinkedHashMap so that violations come out in grant order.
        final Map<String, Map<String, Belief>> believers = new HashMap<>();
        // lock -> process -> its unreleased grant (engine-side view, for recovery).
        final Map<String, Map<String, HistoryEvent>> engineHolders = new HashMap<>();
        // lock -> the kills whose recovery awaits the next grant to another process.
        final Map<String, List<HistoryEvent>> pendingRecovery = new HashMap<>();
        final List<Violation> lossSignalFirst = new ArrayList<>();
        final List<Violation> tokenInversions = new ArrayList<>();
        final List<Long> recoveryNanos = new ArrayList<>();
        // process + NUL + lock -> time of its latest ACQUIRE invoke.
        final Map<String, Long> acquireInvokes = new HashMap<>();
        // lock -> grants with a token in ok order, and the running maximum of their tokens.
        final Map<String, List<HistoryEvent>> tokenedGrants = new HashMap<>();
        final Map<String, List<HistoryEvent>> highestSoFar = new HashMap<>();
        int grants;
        int grantsWithoutToken;
        int kills;
        int holderKills;

        Run(long origin) {
            this.origin = origin;
        }

        void step(HistoryEvent e) {
            switch (e.op()) {
                case ACQUIRE -> {
                    if (e.type() == Type.INVOKE) {
                        acquireInvokes.put(e.process() + "\u0000" + e.name(), e.nanos());
                    } else if (e.type() == Type.OK) {
                        grant(e);
                    }
                }
                case RELEASE -> {
                    forget(believers, e.name(), e.process());
                    forget(engineHolders, e.name(), e.process());
                }
                case AWAIT -> {
                    // A monitor wait gives the lease up from its invoke on and ends in a new
                    // grant: for these rules, a release followed by an acquire.
                    if (e.type() == Type.INVOKE) {
                        forget(believers, e.name(), e.process());
                        forget(engineHolders, e.name(), e.process());
                        acquireInvokes.put(e.process() + "\u0000" + e.name(), e.nanos());
                    } else if (e.type() == Type.OK) {
                        grant(e);
                    }
                }
                case LEASE_LOST -> {
                    if (e.name() == null) {
                        believers.values().forEach(m -> m.remove(e.process()));
                    } else {
                        Map<String, Belief> m = believers.get(e.name());
                        Belief b = m == null ? null : m.get(e.process());
                        if (b != null && sameLease(b, e)) {
                            m.remove(e.process());
                        }
                    }
                }
                case DEADLINE -> deadline(e);
                case KILL -> {
                    if (e.type() == Type.OK || e.type() == Type.INFO) {
                        kill(e);
                    }
                }
                case READ, WRITE, SIGNAL, PUT, TAKE, PAUSE, RESUME, NEMESIS -> {
                    // Writes are checked by Writes (the buffer's by BufferRules); pauses change no
                    // belief.
                }
            }
        }

        private void grant(HistoryEvent q) {
            grants++;
            String lock = q.name();
            long invoked = acquireInvokes.getOrDefault(q.process() + "\u0000" + lock, q.nanos());
            // A grant whose deadline had passed before its holder saw it (the holder was paused
            // while waiting) was never believed. The engine granted it somewhere between the
            // invoke and the ok, so it breaks the rule only against holders that already believed
            // at the invoke.
            boolean deadOnArrival = q.hasDeadline() && q.deadlineNanos() <= q.nanos();
            Map<String, Belief> current =
                    believers.computeIfAbsent(lock, k -> new LinkedHashMap<>());
            for (Map.Entry<String, Belief> entry : current.entrySet()) {
                Belief p = entry.getValue();
                boolean overlaps =
                        !entry.getKey().equals(q.process())
                                && p.deadlineNanos > q.nanos()
                                && (!deadOnArrival || p.grant.nanos() <= invoked);
                if (overlaps) {
                    lossSignalFirst.add(
                            new Violation(
                                    Kind.LOSS_SIGNAL_FIRST,
                                    List.of(p.grant, q),
                                    String.format(
                                            Locale.ROOT,
                                            "lock '%s' granted to %s (token %s) at %s while %s"
                                                    + " (token %s, granted at %s) still believed it"
                                                    + " held it: no release, no loss signal, no"
                                                    + " kill, local deadline %s",
                                            lock,
                                            q.process(),
                                            token(q),
                                            at(q.nanos()),
                                            p.grant.process(),
                                            token(p.grant),
                                            at(p.grant.nanos()),
                                            p.deadlineNanos == HistoryEvent.NO_DEADLINE
                                                    ? "unknown"
                                                    : at(p.deadlineNanos) + " not passed")));
                }
            }
            current.remove(q.process()); // re-insert last: iteration order = grant order
            current.put(q.process(), new Belief(q));

            if (!q.hasToken()) {
                grantsWithoutToken++;
            } else {
                // Tokens are assigned by the engine somewhere between invoke and ok, so only a
                // grant whose ok came before this one's invoke was certainly assigned first.
                HistoryEvent high = highestOkBefore(lock, invoked);
                if (high != null
                        && q.token() <= high.token()
                        && !(q.token() == high.token() && q.process().equals(high.process()))) {
                    tokenInversions.add(
                            new Violation(
                                    Kind.TOKEN_INVERSION,
                                    List.of(high, q),
                                    String.format(
                                            Locale.ROOT,
                                            "lock '%s' granted to %s at %s with token %d, not"
                                                    + " greater than token %d granted to %s at %s",
                                            lock,
                                            q.process(),
                                            at(q.nanos()),
                                            q.token(),
                                            high.token(),
                                            high.process(),
                                            at(high.nanos()))));
                }
                List<HistoryEvent> list =
                        tokenedGrants.computeIfAbsent(lock, k -> new ArrayList<>());
                List<HistoryEvent> max = highestSoFar.computeIfAbsent(lock, k -> new ArrayList<>());
                HistoryEvent prev = max.isEmpty() ? null : max.get(max.size() - 1);
                list.add(q);
                max.add(prev == null || q.token() > prev.token() ? q : prev);
            }

            List<HistoryEvent> waiting = pendingRecovery.get(lock);
            if (waiting != null) {
                waiting.removeIf(
                        kill -> {
                            if (kill.process().equals(q.process())) {
                                return false;
                            }
                            recoveryNanos.add(q.nanos() - kill.nanos());
                            return true;
                        });
            }
            engineHolders.computeIfAbsent(lock, k -> new HashMap<>()).put(q.process(), q);
        }

        /** The highest-token grant of {@code lock} whose ok came strictly before {@code t}. */
        private HistoryEvent highestOkBefore(String lock, long t) {
            List<HistoryEvent> list = tokenedGrants.get(lock);
            if (list == null || list.isEmpty()) {
                return null;
            }
            int lo = 0;
            int hi = list.size(); // first index with ok >= t
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (list.get(mid).nanos() < t) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo == 0 ? null : highestSoFar.get(lock).get(lo - 1);
        }

        /**
         * Whether a loss or deadline event concerns the lease behind this belief: events carry the
         * grant's token, and one delivered late for an earlier lease must not end a later one.
         */
        private static boolean sameLease(Belief b, HistoryEvent e) {
            return !e.hasToken() || !b.grant.hasToken() || e.token() == b.grant.token();
        }

        private void deadline(HistoryEvent e) {
            List<Belief> affected = new ArrayList<>();
            if (e.name() == null) {
                for (Map<String, Belief> m : believers.values()) {
                    Belief b = m.get(e.process());
                    if (b != null) {
                        affected.add(b);
                    }
                }
            } else {
                Map<String, Belief> m = believers.get(e.name());
                Belief b = m == null ? null : m.get(e.process());
                if (b != null) {
                    affected.add(b);
                }
            }
            // A renewal carries the new deadline; deadlines only move forward, so a renewal logged
            // out of order cannot move one back. Without a deadline, it passed now.
            for (Belief b : affected) {
                if (!sameLease(b, e)) {
                    continue;
                }
                b.deadlineNanos =
                        e.hasDeadline()
                                ? (b.deadlineNanos == HistoryEvent.NO_DEADLINE
                                        ? e.deadlineNanos()
                                        : Math.max(b.deadlineNanos, e.deadlineNanos()))
                                : Math.min(b.deadlineNanos, e.nanos());
            }
        }

        private void kill(HistoryEvent kill) {
            kills++;
            believers.values().forEach(m -> m.remove(kill.process()));
            for (Map.Entry<String, Map<String, HistoryEvent>> entry : engineHolders.entrySet()) {
                if (entry.getValue().remove(kill.process()) != null) {
                    holderKills++;
                    pendingRecovery
                            .computeIfAbsent(entry.getKey(), k -> new ArrayList<>())
                            .add(kill);
                }
            }
        }

        private String at(long nanos) {
            return Checker.at(nanos, origin);
        }

        private static <V> void forget(
                Map<String, Map<String, V>> byLock, String lock, String process) {
            Map<String, V> m = byLock.get(lock);
            if (m != null) {
                m.remove(process);
            }
        }
    }

    private static final class Writes {
        List<FencedWrites.Write> accepted = List.of(); // in ok order
        Long finalRead;
        int rejected;
        int indeterminateIncrements;

        static Writes of(List<HistoryEvent> events) {
            Writes w = new Writes();
            for (HistoryEvent e : events) {
                if (e.op() == Op.READ
                        && e.type() == Type.OK
                        && FINAL_READ.equals(e.process())
                        && e.value() != null) {
                    w.finalRead = e.value();
                }
            }
            FencedWrites writes = FencedWrites.of(events, Set.of(Op.WRITE));
            w.accepted = writes.accepted();
            w.rejected = writes.rejected().size();
            // A write whose outcome is unknown (an info, or an invoke never completed because its
            // process died) may or may not have been applied.
            w.indeterminateIncrements =
                    (int) writes.unknown().stream().filter(e -> e.value() != null).count();
            return w;
        }

        List<Violation> staleAccepted(long origin) {
            return FencedWrites.staleAccepted(accepted, origin);
        }

        List<FencedWrites.Write> increments() {
            return accepted.stream().filter(w -> w.done().value() != null).toList();
        }

        int acknowledgedIncrements() {
            return increments().size();
        }

        Long finalValue() {
            if (finalRead != null) {
                return finalRead;
            }
            List<FencedWrites.Write> inc = increments();
            return inc.isEmpty() ? null : inc.get(inc.size() - 1).done().value();
        }

        Violation lostUpdate() {
            List<FencedWrites.Write> inc = increments();
            if (inc.isEmpty()) {
                return null;
            }
            long n = inc.size();
            FencedWrites.Write last = inc.get(inc.size() - 1);
            long fin = finalValue();
            if (fin >= n && fin <= n + indeterminateIncrements) {
                return null;
            }
            // Acknowledged writes that read the same value: all but one of each group was lost.
            Map<Long, List<FencedWrites.Write>> byExpected = new TreeMap<>();
            for (FencedWrites.Write w : inc) {
                if (w.done().expected() != null) {
                    byExpected.computeIfAbsent(w.done().expected(), k -> new ArrayList<>()).add(w);
                }
            }
            List<HistoryEvent> involved = new ArrayList<>();
            List<String> clashes = new ArrayList<>();
            for (Map.Entry<Long, List<FencedWrites.Write>> entry : byExpected.entrySet()) {
                if (entry.getValue().size() > 1) {
                    entry.getValue().forEach(w -> involved.add(w.done()));
                    clashes.add(
                            String.join(
                                            ", ",
                                            entry.getValue().stream()
                                                    .map(w -> w.done().process())
                                                    .toList())
                                    + " all read "
                                    + entry.getKey());
                }
            }
            if (!involved.contains(last.done())) {
                involved.add(last.done());
            }
            involved.sort(Comparator.comparingLong(HistoryEvent::nanos));
            String what =
                    fin < n
                            ? (n - fin) + " acknowledged update(s) lost"
                            : (fin - n - indeterminateIncrements) + " increment(s) from nowhere";
            return new Violation(
                    Kind.LOST_UPDATE,
                    involved,
                    String.format(
                            Locale.ROOT,
                            "register '%s': %d acknowledged increment(s)%s but final value %d"
                                    + " (last acknowledged write by %s, token %s): %s%s",
                            last.done().name(),
                            n,
                            indeterminateIncrements == 0
                                    ? ""
                                    : " and " + indeterminateIncrements + " of unknown outcome",
                            fin,
                            last.done().process(),
                            token(last.done()),
                            what,
                            clashes.isEmpty() ? "" : "; " + String.join("; ", clashes)));
        }
    }

    static String token(HistoryEvent e) {
        return e.hasToken() ? Long.toString(e.token()) : "none";
    }

    /** A time relative to the first event, in milliseconds: "+12.345 ms". */
    static String at(long nanos, long origin) {
        return String.format(Locale.ROOT, "+%.3f ms", millis(nanos - origin));
    }

    static double millis(long nanos) {
        return nanos / 1_000_000.0;
    }
}
