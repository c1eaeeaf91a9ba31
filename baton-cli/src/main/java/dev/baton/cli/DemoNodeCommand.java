package dev.baton.cli;

import dev.baton.Baton;
import dev.baton.BatonException;
import dev.baton.Candidacy;
import dev.baton.FencedLease;
import dev.baton.KeyValueStore;
import dev.baton.LeaseInvalidException;
import dev.baton.Mutex;
import dev.baton.UpdateResult;
import dev.baton.Versioned;
import dev.baton.cli.DemoProtocol.Order;
import dev.baton.cli.DemoProtocol.Round;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * One "server" of the demo, run as a child process by {@link DemoCommand}. It reports {@link
 * DemoProtocol.Event}s as JSON lines on stdout and takes {@link DemoProtocol.Order}s on stdin; a
 * line that is not an order is reported as an {@code error} event and skipped. End of stdin (the
 * parent died) also ends it, so no child outlives the demo.
 *
 * <p>Threads: the main thread reads stdin and runs auction rounds; the candidacy's thread runs the
 * settlement job while leader. They share only {@link #emit} (synchronized) and the Baton client
 * (thread-safe).
 */
@Command(name = "demo-node", hidden = true, description = "One server of `baton demo` (internal).")
final class DemoNodeCommand implements Callable<Integer> {
    static final String ELECTION = "settlement";
    static final String LEDGER = "settlement/ledger";
    static final String ITEM = "auction/item-1";

    @ParentCommand private BatonCli root;

    @Option(names = "--connect", required = true)
    String connect;

    @Option(names = "--id", required = true)
    String id;

    @Option(names = "--ttl", converter = Durations.class, defaultValue = "5s")
    Duration ttl;

    @Option(names = "--period", converter = Durations.class, defaultValue = "2s")
    Duration period;

    private Baton baton;
    private KeyValueStore kv;
    private final AtomicInteger terms = new AtomicInteger();

    @Override
    public Integer call() throws IOException {
        exitWithParent();
        baton = root.connect(connect, Duration.ofSeconds(10), ttl, id);
        kv = baton.keyValue();
        emit(DemoProtocol.ready(baton.clientId(), ProcessHandle.current().pid()));
        Candidacy candidacy = baton.election(ELECTION).join(this::lead);
        boolean told = false;
        try {
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                Order order;
                try {
                    order = Order.parse(line);
                } catch (IllegalArgumentException e) {
                    emit(DemoProtocol.error(BatonCli.oneLine(e.getMessage())));
                    continue;
                }
                if (order.isQuit()) {
                    told = true;
                    break;
                }
                round(order.round(), order.bids(), order.startAtEpochMs());
            }
        } finally {
            // Told to quit: step down cleanly. Orphaned (stdin ended: the parent died, and its
            // embedded server with it): don't linger; the session expires on its own.
            close(candidacy, told ? Duration.ofSeconds(10) : Duration.ofSeconds(1));
        }
        emit(DemoProtocol.bye());
        return ExitCodes.OK;
    }

    /**
     * An orphan (the demo was killed) must not linger, even in the middle of a round: halt as soon
     * as the parent is gone. Its session then expires on its own.
     */
    static void exitWithParent() {
        ProcessHandle.current()
                .parent()
                .map(ProcessHandle::onExit)
                .ifPresent(gone -> gone.thenRun(DemoNodeCommand::halt));
    }

    private static void halt() {
        Runtime.getRuntime().halt(ExitCodes.FAILURE);
    }

    /** Withdraws and disconnects, giving up after {@code limit} (System.exit follows). */
    private void close(Candidacy candidacy, Duration limit) {
        Thread closer =
                new Thread(
                        () -> {
                            candidacy.close();
                            baton.close();
                        },
                        "baton-demo-node-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(limit.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- phase 1 and 3: the settlement job, run only by the elected leader ----

    /**
     * Runs while leader: settles every period, checking the lease before each run and the ledger's
     * fencing token before each write. Returns (releasing leadership) when the lease stops being
     * HELD; an interrupt (loss or close) ends it at once.
     */
    private void lead(FencedLease lease) {
        long token = lease.fencingToken();
        emit(DemoProtocol.leader(token, terms.incrementAndGet()));
        try {
            long next = System.nanoTime();
            while (lease.isHeld()) {
                lease.ensureValid();
                settleOnce(lease);
                next += period.toNanos();
                TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
            }
        } catch (InterruptedException | LeaseInvalidException e) {
            // Lost or closed: stop at once; the finally below reports the end of the term.
        } catch (BatonException e) {
            emit(DemoProtocol.error(BatonCli.oneLine(e.getMessage())));
        } finally {
            // Emitted before the candidacy releases the lease: the next term starts after this.
            emit(DemoProtocol.leaderEnd(token, lease.state().name()));
        }
    }

    /**
     * One settlement: read the ledger, refuse if it was written under a newer token (we would be a
     * stale leader), else append with compare-and-set. Reports its interval so the parent can check
     * that no two servers ever settled at the same time.
     */
    private void settleOnce(FencedLease lease) {
        long t0 = DemoProtocol.nowMicros();
        long token = lease.fencingToken();
        Optional<Versioned> cur = kv.get(LEDGER);
        String[] ledger =
                cur.map(v -> v.asString().split(" ")).orElse(new String[] {"0", "0", "-"});
        long n = Long.parseLong(ledger[0]);
        long ledgerToken = Long.parseLong(ledger[1]);
        if (ledgerToken > token) {
            emit(DemoProtocol.fenced(token, ledgerToken));
            return;
        }
        lease.ensureValid();
        Optional<Versioned> written =
                kv.compareAndSet(
                        LEDGER,
                        cur.map(Versioned::version).orElse(Versioned.ABSENT),
                        (n + 1) + " " + token + " " + id);
        long t1 = DemoProtocol.nowMicros();
        if (written.isEmpty()) {
            emit(DemoProtocol.conflict(token));
            return;
        }
        emit(DemoProtocol.settle(n + 1, token, t0, t1));
    }

    // ---- phase 2: the auction ----

    /**
     * Places {@code bids} bids on {@link #ITEM}. Every bid is the same work — read the price,
     * decide a higher bid (a few ms of "thinking"), write — under three disciplines: (a) none, (b)
     * optimistic update keeping the maximum, (c) under the mutex.
     */
    private void round(Round round, int bids, long startAtEpochMs) {
        sleepUntil(startAtEpochMs);
        emit(DemoProtocol.roundStart(round));
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        Mutex mutex = baton.mutex(ITEM);
        List<long[]> writes = new ArrayList<>();
        long maxBid = 0;
        int accepted = 0;
        int retries = 0;
        long waitNanos = 0;
        long maxWaitNanos = 0;
        long start = System.nanoTime();
        for (int i = 0; i < bids; i++) {
            long thinkMicros = rnd.nextLong(2_000, 8_000);
            switch (round) {
                case A -> {
                    Optional<Versioned> cur = kv.get(ITEM);
                    long bid = amount(cur) + 1 + rnd.nextInt(20);
                    think(thinkMicros);
                    Versioned w = kv.put(ITEM, bid + " " + id);
                    writes.add(
                            new long[] {
                                cur.map(Versioned::version).orElse(Versioned.ABSENT),
                                w.version(),
                                bid
                            });
                    maxBid = Math.max(maxBid, bid);
                    accepted++;
                }
                case B -> {
                    long bid = amount(kv.get(ITEM)) + 1 + rnd.nextInt(20);
                    AtomicBoolean mine = new AtomicBoolean();
                    UpdateResult r =
                            kv.update(
                                    ITEM,
                                    old -> {
                                        think(thinkMicros);
                                        boolean higher = amount(utf8(old)) < bid;
                                        mine.set(higher);
                                        return higher
                                                ? (bid + " " + id).getBytes(StandardCharsets.UTF_8)
                                                : old;
                                    },
                                    1000);
                    retries += r.retries();
                    maxBid = Math.max(maxBid, bid);
                    accepted += mine.get() ? 1 : 0;
                }
                case C -> {
                    long t = System.nanoTime();
                    try (FencedLease lease = mutex.acquire(Duration.ofSeconds(30))) {
                        long waited = System.nanoTime() - t;
                        waitNanos += waited;
                        maxWaitNanos = Math.max(maxWaitNanos, waited);
                        Optional<Versioned> cur = kv.get(ITEM);
                        long seen = amount(cur);
                        long bid = seen + 1 + rnd.nextInt(20);
                        think(thinkMicros);
                        lease.ensureValid();
                        Versioned w = kv.put(ITEM, Math.max(seen, bid) + " " + id);
                        // Recorded like round (a), so the parent can show that none was lost.
                        writes.add(
                                new long[] {
                                    cur.map(Versioned::version).orElse(Versioned.ABSENT),
                                    w.version(),
                                    bid
                                });
                        maxBid = Math.max(maxBid, bid);
                        accepted++;
                    }
                }
            }
            think(rnd.nextLong(0, 3_000)); // let the other bidders interleave
        }
        emit(
                DemoProtocol.roundDone(
                        round,
                        bids,
                        writes,
                        maxBid,
                        accepted,
                        retries,
                        TimeUnit.NANOSECONDS.toMillis(waitNanos),
                        TimeUnit.NANOSECONDS.toMillis(maxWaitNanos),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
    }

    /** The amount of a bid value "1234 server-2"; 0 when absent. */
    static long amount(String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        return Long.parseLong(value.strip().split(" ", 2)[0]);
    }

    private static String utf8(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static long amount(Optional<Versioned> v) {
        return amount(v.map(Versioned::asString).orElse(null));
    }

    private static void think(long micros) {
        try {
            TimeUnit.MICROSECONDS.sleep(micros);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BatonException("interrupted", e);
        }
    }

    private static void sleepUntil(long epochMs) {
        long ms = epochMs - System.currentTimeMillis();
        if (ms > 0) {
            think(TimeUnit.MILLISECONDS.toMicros(Math.min(ms, 5_000)));
        }
    }

    // ---- events ----

    private void emit(String event) {
        PrintWriter out = root.out();
        synchronized (out) {
            out.println(event);
            out.flush();
        }
    }
}
