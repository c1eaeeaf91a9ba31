package dev.baton.bench.scenario;

import dev.baton.bench.BenchConfig;
import dev.baton.bench.BenchEngine;
import dev.baton.bench.EngineCounter;
import dev.baton.bench.LockSystem;
import dev.baton.bench.LockSystem.Client;
import dev.baton.bench.LockSystem.Held;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One round of W + 1 threads spread over the clients, looping acquire → release on one key: the
 * measurement behind {@link Contended} and the per-handoff counts of {@link EngineCost}.
 *
 * <p>A handoff is the time from a holder's call to release until another thread's acquire returns;
 * a grant back to the releasing thread (a lock that lets the releaser barge in) is not a handoff
 * and is reported as the regrant share of all grants. Handoffs are also told apart by whether the
 * next holder uses another client instance than the releaser ({@link HandoffSamples}). Rate and
 * engine counts run from the {@code mark}-th handoff, once every waiter has queued, so that the
 * one-off enqueue of W waiters does not inflate the per-handoff cost as W grows; the commands of
 * regrants in that window count towards the handoffs.
 */
final class HandoffRound {
    private HandoffRound() {}

    /**
     * One contended round's outcome; the per-handoff counts are NaN when not counted, and so are
     * the cross-client and same-client medians when there was no such handoff.
     *
     * @param perSecond handoffs per second in the window
     * @param crossPct the share (%) of the window's handoffs that went to another client
     * @param crossP50Micros median of the round's cross-client handoffs
     * @param sameP50Micros median of the round's same-client handoffs
     */
    record Outcome(
            double perSecond,
            double crossPct,
            double p50Micros,
            double p99Micros,
            double crossP50Micros,
            double sameP50Micros,
            double regrantPct,
            double commands,
            double engineCalls,
            Map<String, String> byName) {}

    /**
     * Runs one round of {@code target} handoffs (or {@link BenchConfig#roundCap()}, whichever comes
     * first); {@code commands} and {@code calls} (both null, or both not) are read at the mark and
     * at the last handoff, by the holder of the moment.
     */
    static Outcome run(
            BenchConfig config,
            LockSystem s,
            List<Client> clients,
            int waiters,
            int target,
            BenchEngine.CommandCount commands,
            EngineCounter calls)
            throws Exception {
        int threads = waiters + 1;
        // The window opens once every thread has had its turn, so the first enqueue of each
        // waiter falls before it: from handoff max(20, W + 1), capped at half the target.
        int mark = Math.max(1, Math.min(Math.max(20, threads), target / 2));
        String key = "bench-contended-" + waiters;
        // Written only by the current holder, before it releases: mutual exclusion orders the
        // writes, the atomics make them visible to the next holder on another thread.
        AtomicLong lastReleaseAt = new AtomicLong();
        AtomicInteger lastHolder = new AtomicInteger(-1); // thread index
        AtomicInteger handoffs = new AtomicInteger();
        AtomicInteger grants = new AtomicInteger();
        // Window of the rate and the counts, written by the holder at the mark and at the last
        // handoff, read by the driving thread after join (join orders the reads).
        // t0, c0, t1, c1, handoffs at t1, calls at t0, calls at t1, grants at t0, grants at t1
        long[] window = new long[9];
        // commands by name at t0 and t1
        AtomicReferenceArray<Map<String, Long>> names = new AtomicReferenceArray<>(2);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> error = new AtomicReference<>();
        HandoffSamples samples =
                new HandoffSamples(threads, clients.size(), 2 * target / threads + 16);
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        boolean counting = commands != null;
        long c00 = counting ? commands.commands() : 0;
        long e00 = counting ? calls.commands() : 0;
        Map<String, Long> n00 = counting ? commands.byName() : Map.of();
        long[] goAt = new long[1];
        long capNanos = config.roundCap().toNanos();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int me = i;
            Client client = clients.get(HandoffSamples.clientOf(i, clients.size()));
            Runnable body =
                    () -> {
                        try {
                            ready.countDown();
                            go.await();
                            long deadline = goAt[0] + capNanos;
                            while (!stop.get()) {
                                Held held = client.acquire(key, Workers.WAIT_SLICE);
                                if (held == null) {
                                    continue;
                                }
                                long now = System.nanoTime();
                                try {
                                    long prev = lastReleaseAt.get();
                                    int from = lastHolder.get();
                                    boolean handoff = from != me;
                                    if (prev != 0 && !stop.get()) {
                                        int g = grants.incrementAndGet();
                                        int n =
                                                handoff
                                                        ? handoffs.incrementAndGet()
                                                        : handoffs.get();
                                        if (!handoff) {
                                            if (now - deadline > 0) {
                                                window[2] = now;
                                                window[4] = n;
                                                window[8] = g;
                                                if (counting) { // the window's end counts
                                                    window[3] = commands.commands();
                                                    names.set(1, commands.byName());
                                                    window[6] = calls.commands();
                                                }
                                                stop.set(true);
                                            }
                                            continue; // finally releases
                                        }
                                        samples.add(me, from, n, now - prev);
                                        if (n == mark) {
                                            window[0] = now;
                                            window[7] = g;
                                            if (counting) {
                                                window[1] = commands.commands();
                                                names.set(0, commands.byName());
                                                window[5] = calls.commands();
                                            }
                                        }
                                        if (n >= target + mark || now - deadline > 0) {
                                            window[2] = now;
                                            window[4] = n;
                                            window[8] = g;
                                            if (counting) {
                                                window[3] = commands.commands();
                                                names.set(1, commands.byName());
                                                window[6] = calls.commands();
                                            }
                                            stop.set(true);
                                        }
                                    }
                                } finally {
                                    lastHolder.set(me);
                                    lastReleaseAt.set(System.nanoTime());
                                    held.release();
                                }
                            }
                        } catch (Throwable e) {
                            error.compareAndSet(null, e);
                            stop.set(true);
                        }
                    };
            workers.add(Workers.start("bench-" + s.name() + "-w" + i, body));
        }
        ready.await();
        goAt[0] = System.nanoTime(); // published to the workers by go.countDown()
        go.countDown();
        Workers.join(
                s, workers, config.roundCap().plus(Workers.WAIT_SLICE).plus(Workers.JOIN_GRACE));
        if (error.get() != null) {
            throw new IllegalStateException("a worker failed", error.get());
        }
        int total = handoffs.get();
        if (window[4] == 0 || total == 0) {
            throw new IllegalStateException("no handoff to another thread in " + config.roundCap());
        }
        if (window[4] > mark) {
            long counted = window[4] - mark;
            HandoffSamples.Summary h = samples.summary(mark, (int) window[4]);
            return new Outcome(
                    counted / Workers.seconds(window[2] - window[0]),
                    h.crossPctInWindow(),
                    h.p50Micros(),
                    h.p99Micros(),
                    h.crossP50Micros(),
                    h.sameP50Micros(),
                    100.0 * (window[8] - window[7] - counted) / (window[8] - window[7]),
                    counting ? (double) (window[3] - window[1]) / counted : Double.NaN,
                    counting ? (double) (window[6] - window[5]) / counted : Double.NaN,
                    counting
                            ? Counts.perOp(Counts.diff(names.get(0), names.get(1)), counted)
                            : Map.of());
        }
        // Too slow to pass the mark within the cap: count from the start, enqueueing included.
        long counted = window[4];
        HandoffSamples.Summary h = samples.summary(0, (int) window[4]);
        return new Outcome(
                counted / Workers.seconds(window[2] - goAt[0]),
                h.crossPctInWindow(),
                h.p50Micros(),
                h.p99Micros(),
                h.crossP50Micros(),
                h.sameP50Micros(),
                100.0 * (window[8] - counted) / window[8],
                counting ? (double) (window[3] - c00) / counted : Double.NaN,
                counting ? (double) (window[6] - e00) / counted : Double.NaN,
                counting ? Counts.perOp(Counts.diff(n00, names.get(1)), counted) : Map.of());
    }
}
