package dev.baton.bench.scenario;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FencedLease;
import dev.baton.KeyValueStore;
import dev.baton.UpdateResult;
import dev.baton.Versioned;
import dev.baton.bench.BenchEngine;
import dev.baton.bench.Results;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code auction-B}, Baton only: B bidders spread over the Baton clients each raise a shared
 * counter (a bid reads the highest bid and writes one more): system {@code baton-update} with the
 * optimistic {@link KeyValueStore#update}, {@code baton-mutex} with get + put under a {@link
 * dev.baton.Mutex}. Every round checks that no bid was lost. Metrics: {@code bids_per_s}, {@code
 * retries_per_bid}.
 */
public final class Auction {
    private final Context context;
    private final BenchEngine engine;

    public Auction(Context context, BenchEngine engine) {
        this.context = context;
        this.engine = engine;
    }

    /** The scenario's name for B bidders. */
    public static String name(int bidders) {
        return "auction-" + bidders;
    }

    /** Runs every round for each B of {@code bidders}; a failed round is logged and skipped. */
    public void run(List<Integer> bidders) throws Exception {
        List<Baton> batons = new ArrayList<>();
        try {
            for (int i = 0; i < context.config().clients(); i++) {
                batons.add(Baton.connect(engine.batonUri(), BatonConfig.defaults()));
            }
            for (int b : bidders) {
                // Two systems: alternating which goes first is already a balanced order.
                List<Boolean> modes = new ArrayList<>(List.of(true, false));
                for (int round = 0; round < context.config().rounds(); round++) {
                    for (boolean optimistic : modes) {
                        try {
                            round(batons, b, optimistic, round);
                        } catch (Exception e) {
                            context.log(
                                    "%s %s failed: %s",
                                    name(b), optimistic ? "update" : "mutex", e);
                        }
                    }
                    Collections.reverse(modes);
                }
                context.log("%s done", name(b));
            }
        } finally {
            for (Baton baton : batons) {
                try {
                    baton.close();
                } catch (RuntimeException e) {
                    // closing after the measurements: nothing more to report than them
                }
            }
        }
    }

    private void round(List<Baton> batons, int bidders, boolean optimistic, int round)
            throws Exception {
        String key =
                "bench/auction/b"
                        + bidders
                        + "/"
                        + (optimistic ? "update" : "mutex")
                        + "/r"
                        + round;
        batons.get(0).keyValue().put(key, "0");
        int perBidder = (context.config().auctionBids() + bidders - 1) / bidders;
        LongAdder retries = new LongAdder();
        AtomicReference<Throwable> error = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(bidders);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < bidders; i++) {
            Baton baton = batons.get(i % batons.size());
            Runnable body =
                    () -> {
                        try {
                            ready.countDown();
                            go.await();
                            KeyValueStore kv = baton.keyValue();
                            for (int j = 0; j < perBidder; j++) {
                                if (optimistic) {
                                    UpdateResult r = kv.update(key, Auction::bid, 100_000);
                                    retries.add(r.retries());
                                } else {
                                    try (FencedLease lease =
                                            baton.mutex(key + "-lock")
                                                    .acquire(Duration.ofSeconds(60))) {
                                        Versioned v = kv.get(key).orElseThrow();
                                        kv.put(key, bid(v.value()));
                                    }
                                }
                            }
                        } catch (Throwable e) {
                            error.compareAndSet(null, e);
                        }
                    };
            workers.add(Workers.start("bench-auction-" + i, body));
        }
        ready.await();
        long t0 = System.nanoTime();
        go.countDown();
        Workers.join(null, workers, Duration.ofMinutes(5));
        long elapsed = System.nanoTime() - t0;
        if (error.get() != null) {
            throw new IllegalStateException("a bidder failed", error.get());
        }
        long bids = (long) perBidder * bidders;
        long highest = Long.parseLong(batons.get(0).keyValue().get(key).orElseThrow().asString());
        if (highest != bids) {
            throw new IllegalStateException(bids + " bids placed but the highest is " + highest);
        }
        String system = optimistic ? "baton-update" : "baton-mutex";
        Results.Round r = context.results().round(name(bidders), engine.backend(), system, round);
        r.add("bids_per_s", "bids/s", bids / Workers.seconds(elapsed));
        r.add("retries_per_bid", "retries", (double) retries.sum() / bids);
    }

    private static byte[] bid(byte[] highest) {
        long h = highest == null ? 0 : Long.parseLong(new String(highest, StandardCharsets.UTF_8));
        return Long.toString(h + 1).getBytes(StandardCharsets.UTF_8);
    }
}
