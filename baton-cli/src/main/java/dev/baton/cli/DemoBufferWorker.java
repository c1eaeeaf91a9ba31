package dev.baton.cli;

import dev.baton.BackendUnavailableException;
import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.KeyValueStore;
import dev.baton.LeaseInvalidException;
import dev.baton.LockInterruptedException;
import dev.baton.Monitor;
import dev.baton.MonitorCondition;
import dev.baton.Versioned;
import dev.baton.cli.DemoProtocol.BufferOrder;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The work of one producer or consumer of {@code baton demo buffer}, on its own Baton client: the
 * textbook monitor loop over the shared bounded buffer ({@link DemoBuffer}), reporting each step as
 * a {@link DemoProtocol} event line. {@link DemoBufferNodeCommand} runs it in a child process; a
 * test can run several on one in-process engine.
 *
 * <pre>
 * put(item):  enter; read; while full: await not-full; read;   write(+item); signal not-empty; release
 * take():     enter; read; while empty: await not-empty; read; write(-head); signal not-full;  release
 * </pre>
 *
 * <p>Every write is a compare-and-set on the version read under the monitor, fenced: a buffer last
 * written under a higher token than the writer's refuses the write ({@link
 * DemoProtocol.Event#STALE}), and a version that moved under the holder is a {@link
 * DemoProtocol.Event#CONFLICT}; either means the monitor failed to exclude, and the demo counts
 * both. Awaits have a finite timeout, a safety net for a signal lost to a waiter that died (see
 * {@link MonitorCondition}): a waiter that times out re-checks and waits again, which costs two
 * requests per timeout, not a poll.
 *
 * <p>Engine requests are counted as calls into the Baton API that reach the engine: enter, get,
 * compare-and-set, signal, release and await, plus one for an await that timed out (its move to the
 * entry queue). Session keep-alives are per client, not per item, and are not counted.
 *
 * <p>Threads: {@link #run} owns the worker thread and is the only caller of the engine; {@link
 * #linger()} and {@link #requests()} may be called from any thread (atomics). An interrupt of the
 * worker thread stops it; what it held is released, and an interrupted enter or await leaves
 * nothing in the engine.
 */
final class DemoBufferWorker {
    /** What the worker does. */
    enum Role {
        PRODUCER,
        CONSUMER
    }

    /** How long a consumer told to linger keeps the monitor if nobody kills it. */
    static final Duration LINGER_LIMIT = Duration.ofSeconds(30);

    /** Pause after an engine failure before the next attempt (errors only, never a poll). */
    private static final Duration ERROR_PAUSE = Duration.ofMillis(500);

    /** A read of the buffer under the monitor: its value and the version to compare-and-set. */
    private record Read(DemoBuffer buffer, long version) {}

    private final Role role;
    private final String itemPrefix;
    private final Duration awaitTimeout;
    private final Consumer<String> emit;
    private final KeyValueStore kv;
    private final Monitor monitor;
    private final MonitorCondition notFull;
    private final MonitorCondition notEmpty;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicBoolean linger = new AtomicBoolean();
    private int made; // producer: items made so far; worker thread only

    /**
     * @param baton this worker's client
     * @param role producer or consumer
     * @param itemPrefix a producer's items are named {@code itemPrefix-1}, {@code itemPrefix-2}, …
     * @param awaitTimeout the safety-net timeout of each await
     * @param emit where event lines go; called from the worker thread
     */
    DemoBufferWorker(
            Baton baton,
            Role role,
            String itemPrefix,
            Duration awaitTimeout,
            Consumer<String> emit) {
        this.role = role;
        this.itemPrefix = itemPrefix;
        this.awaitTimeout = awaitTimeout;
        this.emit = emit;
        this.kv = baton.keyValue();
        this.monitor = baton.monitor(DemoBufferNodeCommand.MONITOR);
        this.notFull = monitor.condition(DemoBufferNodeCommand.NOT_FULL);
        this.notEmpty = monitor.condition(DemoBufferNodeCommand.NOT_EMPTY);
    }

    /** The engine requests made so far. Any thread. */
    long requests() {
        return requests.get();
    }

    /** A consumer keeps the monitor after its next take (for up to {@link #LINGER_LIMIT}). */
    void linger() {
        linger.set(true);
    }

    /**
     * Works until interrupted: a producer makes the items of each {@link BufferOrder#produce} order
     * taken from {@code orders}, then reports {@link DemoProtocol.Event#BATCH_DONE}; a consumer
     * takes items for ever. Engine failures and lost leases are reported and the work goes on.
     */
    void run(BlockingQueue<BufferOrder> orders) {
        try {
            if (role == Role.PRODUCER) {
                while (true) {
                    BufferOrder order = orders.take();
                    for (int i = 0; i < order.items(); i++) {
                        pause(0, 10); // making an item
                        String item = itemPrefix + "-" + (made + 1);
                        while (!attempt(() -> put(item))) {
                            // A failed attempt was reported; try the same item again.
                        }
                        made++;
                    }
                    emit.accept(DemoProtocol.batchDone(made, requests.get()));
                }
            } else {
                while (true) {
                    if (attempt(this::take)) {
                        pause(20, 60); // using the item, outside the monitor
                    }
                }
            }
        } catch (InterruptedException | LockInterruptedException e) {
            // Told to stop.
        }
    }

    /** One step of work that may fail. */
    private interface Step {
        boolean run() throws InterruptedException;
    }

    /**
     * Runs {@code step}; a lost lease or an unreachable engine is reported and counts as a failed
     * attempt (after a short pause, so a dead engine is not hammered).
     */
    private boolean attempt(Step step) throws InterruptedException {
        try {
            return step.run();
        } catch (LockInterruptedException e) {
            throw e;
        } catch (LeaseInvalidException | BackendUnavailableException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("stopped");
            }
            emit.accept(DemoProtocol.error(BatonCli.oneLine(e.getMessage())));
            TimeUnit.NANOSECONDS.sleep(ERROR_PAUSE.toNanos());
            return false;
        }
    }

    /** Puts {@code item}; false if the write was refused (reported). */
    private boolean put(String item) throws InterruptedException {
        FencedLease lease = enter();
        try {
            Read r = read();
            while (r.buffer().full()) {
                lease = await(notFull, lease, r.buffer());
                r = read();
            }
            if (!write(lease, r, r.buffer().put(item, lease.fencingToken()), item)) {
                return false;
            }
            signal(notEmpty, lease);
            return true;
        } finally {
            release(lease);
        }
    }

    /** Takes the oldest item; false if the write was refused (reported). */
    private boolean take() throws InterruptedException {
        FencedLease lease = enter();
        try {
            Read r = read();
            while (r.buffer().empty()) {
                lease = await(notEmpty, lease, r.buffer());
                r = read();
            }
            String item = r.buffer().head();
            if (!write(lease, r, r.buffer().take(lease.fencingToken()), item)) {
                return false;
            }
            signal(notFull, lease);
            if (linger.getAndSet(false)) {
                // The demo kills this process now, with the monitor held: the others wait in the
                // entry queue until its session ends. The item it took counts as taken.
                emit.accept(DemoProtocol.holding(item, lease.fencingToken()));
                TimeUnit.NANOSECONDS.sleep(LINGER_LIMIT.toNanos());
            }
            return true;
        } finally {
            release(lease);
        }
    }

    private FencedLease enter() {
        requests.incrementAndGet();
        return monitor.enter();
    }

    private Read read() {
        requests.incrementAndGet();
        Optional<Versioned> v = kv.get(DemoBufferNodeCommand.KEY);
        return v.map(x -> new Read(DemoBuffer.parse(x.asString()), x.version()))
                .orElse(new Read(DemoBuffer.EMPTY, Versioned.ABSENT));
    }

    /**
     * Gives up the monitor until {@code condition} is signalled (or the safety-net timeout passes)
     * and returns the new lease.
     */
    private FencedLease await(MonitorCondition condition, FencedLease lease, DemoBuffer seen) {
        emit.accept(
                DemoProtocol.bufferWait(
                        condition.name(), seen.size(), lease.fencingToken(), requests.get()));
        requests.incrementAndGet();
        MonitorCondition.Wakeup w = condition.await(lease, awaitTimeout);
        if (!w.signalled()) {
            requests.incrementAndGet(); // the timeout moved it to the entry queue: one more request
        }
        emit.accept(
                DemoProtocol.woken(
                        condition.name(), w.signalled(), w.lease().fencingToken(), requests.get()));
        return w.lease();
    }

    /**
     * Writes {@code next} over what {@code r} read, fenced and by compare-and-set; reports it (put
     * or took {@code item}) or the refusal.
     */
    private boolean write(FencedLease lease, Read r, DemoBuffer next, String item) {
        long token = lease.fencingToken();
        if (r.buffer().refuses(token)) {
            emit.accept(DemoProtocol.stale(token, r.buffer().token()));
            return false;
        }
        lease.ensureValid();
        requests.incrementAndGet();
        Optional<Versioned> written =
                kv.compareAndSet(DemoBufferNodeCommand.KEY, r.version(), next.format());
        if (written.isEmpty()) {
            emit.accept(DemoProtocol.conflict(token));
            return false;
        }
        long version = written.get().version();
        emit.accept(
                role == Role.PRODUCER
                        ? DemoProtocol.put(
                                item, next.contents(), next.size(), version, token, requests.get())
                        : DemoProtocol.took(
                                item,
                                next.contents(),
                                next.size(),
                                version,
                                token,
                                requests.get()));
        return true;
    }

    private void signal(MonitorCondition condition, FencedLease lease) {
        requests.incrementAndGet();
        condition.signal(lease);
    }

    /** Releases {@code lease} if still held (an interrupted await already gave it up). */
    private void release(FencedLease lease) {
        if (lease.isHeld()) {
            requests.incrementAndGet();
            lease.release();
        }
    }

    private static void pause(int minMs, int maxMs) throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(minMs, maxMs + 1));
    }
}
