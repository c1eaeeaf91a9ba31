package dev.baton.cli;

import dev.baton.cli.DemoProtocol.Round;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the demo's servers reported, and the checks run over it: settlements and leadership terms
 * (overlaps, fencing tokens), and the auction rounds (lost bids). Pure bookkeeping, owned by the
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

    /** One server's report of one auction round; {@code writes} only for rounds (a) and (c). */
    record Bids(
            String server,
            long placed,
            long accepted,
            long retries,
            long waitMs,
            long maxWaitMs,
            long maxBid,
            List<Write> writes) {}

    /** Outcome of one auction round: the servers' reports summed, and the final price. */
    record RoundResult(
            Round round,
            long bids,
            long accepted,
            long retries,
            long waitMs,
            long maxWaitMs,
            long finalAmount,
            String finalBy,
            long highest,
            String highestBy,
            LostUpdates lost) {
        boolean highestSurvived() {
            return finalAmount == highest;
        }

        /** Whether the round is checked: round (a) has no coordination, so it may lose bids. */
        boolean checked() {
            return round != Round.A;
        }

        /** For a checked round: the highest bid is the final price and no bid was lost. */
        boolean held() {
            return highestSurvived() && lost.count() == 0;
        }
    }

    private final List<Settle> settles = new ArrayList<>();
    private final List<Term> terms = new ArrayList<>();
    private final Map<Round, List<Bids>> bids = new EnumMap<>(Round.class);
    private final List<RoundResult> rounds = new ArrayList<>();
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

    /** Starts collecting the reports of {@code round}, forgetting any earlier ones. */
    void roundStarted(Round round) {
        bids.put(round, new ArrayList<>());
    }

    void bids(Round round, Bids report) {
        bids.computeIfAbsent(round, r -> new ArrayList<>()).add(report);
    }

    /** How many servers reported on {@code round} so far. */
    int bidReports(Round round) {
        return bids.getOrDefault(round, List.of()).size();
    }

    /**
     * Sums the reports of {@code round} (in arrival order: the first to report the highest bid is
     * its bidder) with the final price read from the store, and records the result.
     */
    RoundResult roundEnded(Round round, long finalAmount, String finalBy) {
        long placed = 0;
        long accepted = 0;
        long retries = 0;
        long waitMs = 0;
        long maxWaitMs = 0;
        long highest = 0;
        String highestBy = "-";
        List<Write> writes = new ArrayList<>();
        for (Bids b : bids.getOrDefault(round, List.of())) {
            placed += b.placed();
            accepted += b.accepted();
            retries += b.retries();
            waitMs += b.waitMs();
            maxWaitMs = Math.max(maxWaitMs, b.maxWaitMs());
            if (b.maxBid() > highest) {
                highest = b.maxBid();
                highestBy = b.server();
            }
            writes.addAll(b.writes());
        }
        LostUpdates lost = lostUpdates(writes);
        if (round == Round.A) { // every put "succeeds"; the lost ones never became the price
            accepted = placed - lost.count();
        }
        RoundResult result =
                new RoundResult(
                        round,
                        placed,
                        accepted,
                        retries,
                        waitMs,
                        maxWaitMs,
                        finalAmount,
                        finalBy,
                        highest,
                        highestBy,
                        lost);
        rounds.add(result);
        return result;
    }

    List<RoundResult> rounds() {
        return List.copyOf(rounds);
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
