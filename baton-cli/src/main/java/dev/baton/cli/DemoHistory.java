package dev.baton.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What the demo's servers reported, and the checks run over it. Pure bookkeeping, owned by the
 * demo's main thread (no locking). Times are epoch microseconds from the one machine's clock, which
 * every process of the demo shares.
 */
final class DemoHistory {
    /** One run of the settlement job, as reported by the server that ran it. */
    record Settle(String server, long n, long token, long startMicros, long endMicros) {}

    /** One leadership term: from the grant to its reported end (or the kill, or the demo's end). */
    record Term(String server, long token, long startMicros, long endMicros) {
        boolean open() {
            return endMicros == Long.MAX_VALUE;
        }
    }

    /** One write of auction round (a): the version it read, the version it wrote, the bid. */
    record Write(String server, long readVersion, long writtenVersion, long bid) {}

    /**
     * Writes overwritten by a writer that never saw them.
     *
     * @param count lost writes
     * @param priceDrops lost writes replaced by a lower bid
     * @param examples the two highest bids replaced by lower ones, for humans
     */
    record LostUpdates(int count, int priceDrops, List<String> examples) {}

    private final List<Settle> settles = new ArrayList<>();
    private final List<Term> terms = new ArrayList<>();
    private int staleRefusals;

    void settle(String server, long n, long token, long startMicros, long endMicros) {
        settles.add(new Settle(server, n, token, startMicros, endMicros));
    }

    void termStarted(String server, long token, long startMicros) {
        endTerm(server, startMicros); // a server holds one term at a time
        terms.add(new Term(server, token, startMicros, Long.MAX_VALUE));
    }

    /** Ends the server's open term, if any, at {@code endMicros}. */
    void endTerm(String server, long endMicros) {
        for (int i = 0; i < terms.size(); i++) {
            Term t = terms.get(i);
            if (t.server().equals(server) && t.open()) {
                terms.set(i, new Term(server, t.token(), t.startMicros(), endMicros));
            }
        }
    }

    void staleTokenRefused() {
        staleRefusals++;
    }

    int staleRefusals() {
        return staleRefusals;
    }

    List<Settle> settles() {
        return List.copyOf(settles);
    }

    List<Term> terms() {
        return List.copyOf(terms);
    }

    long settlesBy(String server) {
        return settles.stream().filter(s -> s.server().equals(server)).count();
    }

    /** Pairs of settlement runs by different servers whose intervals intersect. Must be 0. */
    int settleOverlaps() {
        int n = 0;
        for (int i = 0; i < settles.size(); i++) {
            for (int j = i + 1; j < settles.size(); j++) {
                Settle a = settles.get(i);
                Settle b = settles.get(j);
                if (!a.server().equals(b.server())
                        && a.startMicros() < b.endMicros()
                        && b.startMicros() < a.endMicros()) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Pairs of leadership terms of different servers that intersect. Must be 0. */
    int termOverlaps() {
        int n = 0;
        for (int i = 0; i < terms.size(); i++) {
            for (int j = i + 1; j < terms.size(); j++) {
                Term a = terms.get(i);
                Term b = terms.get(j);
                if (!a.server().equals(b.server())
                        && a.startMicros() < b.endMicros()
                        && b.startMicros() < a.endMicros()) {
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * Whether fencing tokens strictly increase from term to term (in order of grant), and every
     * settlement ran under its server's current token, in non-decreasing token order.
     */
    boolean tokensIncreasing() {
        List<Term> byStart =
                terms.stream().sorted(Comparator.comparingLong(Term::startMicros)).toList();
        for (int i = 1; i < byStart.size(); i++) {
            if (byStart.get(i).token() <= byStart.get(i - 1).token()) {
                return false;
            }
        }
        List<Settle> byTime =
                settles.stream().sorted(Comparator.comparingLong(Settle::startMicros)).toList();
        for (int i = 1; i < byTime.size(); i++) {
            Settle prev = byTime.get(i - 1);
            Settle cur = byTime.get(i);
            if (cur.token() < prev.token()
                    || (cur.token() == prev.token() && !cur.server().equals(prev.server()))) {
                return false;
            }
        }
        return true;
    }

    /** Term tokens in order of grant. */
    List<Long> termTokens() {
        return terms.stream()
                .sorted(Comparator.comparingLong(Term::startMicros))
                .map(Term::token)
                .toList();
    }

    /**
     * Counts the writes of an uncoordinated round that were overwritten unseen: in version order, a
     * write is lost when the next write was based on an older read. A lost write whose successor
     * bid less is a "price drop": a higher bid replaced by a lower one.
     */
    static LostUpdates lostUpdates(List<Write> writes) {
        List<Write> ordered =
                writes.stream().sorted(Comparator.comparingLong(Write::writtenVersion)).toList();
        int lost = 0;
        List<Write[]> drops = new ArrayList<>();
        for (int i = 0; i + 1 < ordered.size(); i++) {
            Write w = ordered.get(i);
            Write next = ordered.get(i + 1);
            if (next.readVersion() < w.writtenVersion()) {
                lost++;
                if (next.bid() < w.bid()) {
                    drops.add(new Write[] {w, next});
                }
            }
        }
        List<String> examples =
                drops.stream()
                        .sorted(Comparator.comparingLong((Write[] d) -> d[0].bid()).reversed())
                        .limit(2)
                        .map(
                                d ->
                                        d[1].server()
                                                + " wrote "
                                                + d[1].bid()
                                                + " over "
                                                + d[0].server()
                                                + "'s "
                                                + d[0].bid()
                                                + " without seeing it")
                        .toList();
        return new LostUpdates(lost, drops.size(), examples);
    }
}
