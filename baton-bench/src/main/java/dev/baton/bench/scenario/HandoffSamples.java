package dev.baton.bench.scenario;

import dev.baton.bench.Stats;
import java.util.Arrays;

/**
 * The handoffs of one contended round, each with the thread it came from and the thread it went to,
 * told apart by client: a <em>cross-client</em> handoff goes to a thread of another client instance
 * (another service instance: the engine had to pass the lock on), a <em>same-client</em> one to
 * another thread of the releasing thread's client (a client may queue its own threads on a local
 * lock and pass the lock on without the engine deciding who is next). Thread {@code i} uses client
 * {@link #clientOf clientOf(i, clients)}.
 *
 * <p>Threads: thread {@code i} calls {@link #add} for handoffs to itself only, while it holds the
 * lock, and so writes only its own slot; the driving thread calls {@link #summary} after joining
 * every worker (the join orders the reads after the writes).
 */
final class HandoffSamples {
    private final int clients;
    // Per receiving thread, its handoffs in the order received: duration, number, cross-client.
    private final long[][] nanos;
    private final int[][] numbers;
    private final boolean[][] cross;
    private final int[] counts;

    /**
     * @param threads the round's threads
     * @param clients the client instances they are spread over
     * @param expected about how many handoffs a thread will receive (the arrays grow as needed)
     */
    HandoffSamples(int threads, int clients, int expected) {
        if (threads <= 0 || clients <= 0) {
            throw new IllegalArgumentException(
                    "threads and clients must be positive: " + threads + ", " + clients);
        }
        this.clients = clients;
        int size = Math.max(16, expected);
        nanos = new long[threads][size];
        numbers = new int[threads][size];
        cross = new boolean[threads][size];
        counts = new int[threads];
    }

    /** The client index of thread {@code thread} when threads are dealt round-robin to clients. */
    static int clientOf(int thread, int clients) {
        return thread % clients;
    }

    /**
     * Records handoff number {@code number} (1-based, in the order of grants) from thread {@code
     * from} to thread {@code to} (not the same), which took {@code durationNanos}. Called by thread
     * {@code to} only.
     */
    void add(int to, int from, int number, long durationNanos) {
        if (counts[to] == nanos[to].length) {
            int n = 2 * counts[to];
            nanos[to] = Arrays.copyOf(nanos[to], n);
            numbers[to] = Arrays.copyOf(numbers[to], n);
            cross[to] = Arrays.copyOf(cross[to], n);
        }
        int i = counts[to]++;
        nanos[to][i] = durationNanos;
        numbers[to][i] = number;
        cross[to][i] = clientOf(from, clients) != clientOf(to, clients);
    }

    /**
     * The round's handoffs: percentiles over all of them, the cross-client ones and the same-client
     * ones, and the cross-client share of those numbered in {@code (after, upTo]} (the window the
     * rate is counted over).
     *
     * @throws IllegalStateException if there is no handoff at all
     */
    Summary summary(int after, int upTo) {
        int total = Arrays.stream(counts).sum();
        if (total == 0) {
            throw new IllegalStateException("no handoff");
        }
        long[] all = new long[total];
        long[] crossed = new long[total];
        long[] same = new long[total];
        int k = 0;
        int c = 0;
        int s = 0;
        int inWindow = 0;
        int crossInWindow = 0;
        for (int t = 0; t < counts.length; t++) {
            for (int i = 0; i < counts[t]; i++) {
                all[k++] = nanos[t][i];
                boolean x = cross[t][i];
                if (x) {
                    crossed[c++] = nanos[t][i];
                } else {
                    same[s++] = nanos[t][i];
                }
                if (numbers[t][i] > after && numbers[t][i] <= upTo) {
                    inWindow++;
                    crossInWindow += x ? 1 : 0;
                }
            }
        }
        return new Summary(
                total,
                c,
                Workers.micros(Stats.percentile(all, k, 50)),
                Workers.micros(Stats.percentile(all, k, 99)),
                c == 0 ? Double.NaN : Workers.micros(Stats.percentile(crossed, c, 50)),
                s == 0 ? Double.NaN : Workers.micros(Stats.percentile(same, s, 50)),
                inWindow == 0 ? Double.NaN : 100.0 * crossInWindow / inWindow);
    }

    /**
     * @param handoffs every handoff of the round
     * @param crossClient those to a thread of another client
     * @param p50Micros median of all, in µs
     * @param p99Micros 99th percentile of all
     * @param crossP50Micros median of the cross-client ones; NaN if none
     * @param sameP50Micros median of the same-client ones; NaN if none
     * @param crossPctInWindow the cross-client share (%) of the handoffs in the window; NaN if none
     */
    record Summary(
            int handoffs,
            int crossClient,
            double p50Micros,
            double p99Micros,
            double crossP50Micros,
            double sameP50Micros,
            double crossPctInWindow) {}
}
