package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.Versioned;
import dev.baton.cli.DemoBufferWorker.Role;
import dev.baton.cli.DemoProtocol.BufferOrder;
import dev.baton.cli.DemoProtocol.Event;
import dev.baton.cli.DemoProtocol.Message;
import dev.baton.mem.MemEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The buffer demo's producers and consumers as threads on the in-process reference engine (mem):
 * the worker code the child processes run, the demo's script in small, and the history's rules. A
 * kill -9 is simulated by cutting the client off (the engine stops hearing it and its session
 * expires after its TTL, as a killed process's does) and dropping everything its thread reports
 * afterwards. The end-to-end run in real processes is {@link DemoBufferTest}.
 */
class DemoBufferWorkerTest {
    private static final Duration TTL = Duration.ofSeconds(2);
    private static final AtomicInteger ENGINES = new AtomicInteger();

    /** One worker on its own client and thread; {@code dead} once "killed". */
    private final class Proc {
        final String id;
        final Baton baton;
        final DemoBufferWorker worker;
        final BlockingQueue<BufferOrder> orders = new LinkedBlockingQueue<>();
        final Thread thread;
        volatile boolean dead;

        Proc(String id, Role role, String prefix) {
            this.id = id;
            this.baton =
                    Baton.connect(
                            engineUri, BatonConfig.custom().leaseTtl(TTL).clientName(id).build());
            this.worker = new DemoBufferWorker(baton, role, prefix, TTL, line -> emit(this, line));
            this.thread = new Thread(() -> worker.run(orders), "buffer-test-" + id);
            thread.start();
        }
    }

    private final String engineName = "demo-buffer-" + ENGINES.incrementAndGet();
    private final String engineUri = "mem:" + engineName;
    private final List<Proc> procs = new ArrayList<>();
    private final Object lock = new Object();
    // Guarded by lock: what the workers reported, as the demo's main thread would see it.
    private final DemoBufferHistory history = new DemoBufferHistory();
    private final Map<String, Integer> batchesDone = new HashMap<>();
    private Proc lingerer;
    private Proc heldAndKilled;

    @AfterEach
    void stop() throws InterruptedException {
        for (Proc p : procs) {
            p.thread.interrupt();
        }
        for (Proc p : procs) {
            p.thread.join(10_000);
            p.baton.close();
        }
        MemEngine.reset(engineName);
    }

    private Proc start(String id, Role role, String prefix) {
        Proc p = new Proc(id, role, prefix);
        procs.add(p);
        return p;
    }

    /** A worker's line, parsed and recorded; a "holding" from the lingerer gets it killed. */
    private void emit(Proc p, String line) {
        if (p.dead) {
            return;
        }
        Message m = (Message) DemoProtocol.parse(line);
        synchronized (lock) {
            history.record(p.id, m);
            if (m.event() == Event.BATCH_DONE) {
                batchesDone.merge(p.id, 1, Integer::sum);
            }
            if (m.event() == Event.HOLDING && p == lingerer && heldAndKilled == null) {
                heldAndKilled = p;
                kill(p);
            }
        }
    }

    /** As a SIGKILL: the engine stops hearing the client, and nothing it does counts any more. */
    private void kill(Proc p) {
        p.dead = true;
        MemEngine.named(engineName).partition(p.baton.clientId());
        synchronized (lock) {
            history.end(p.id, DemoProtocol.nowMicros(), "killed");
        }
        p.thread.interrupt();
    }

    private boolean drained(int batch, Proc... producers) {
        synchronized (lock) {
            for (Proc p : producers) {
                if (batchesDone.getOrDefault(p.id, 0) < batch) {
                    return false;
                }
            }
            return history.taken() == history.produced();
        }
    }

    private Proc waitingConsumer(Proc... consumers) {
        synchronized (lock) {
            for (Proc c : consumers) {
                if (history.waiting(c.id, DemoBufferNodeCommand.NOT_EMPTY)) {
                    return c;
                }
            }
            return null;
        }
    }

    private boolean sessionOver(Proc p) {
        return !MemEngine.named(engineName).clients().contains(p.baton.clientId());
    }

    @Test
    void producersAndConsumersKeepEveryRuleThroughTwoKills() {
        Proc p1 = start("producer-1", Role.PRODUCER, "p1");
        Proc p2 = start("producer-2", Role.PRODUCER, "p2");
        Proc c1 = start("consumer-1", Role.CONSUMER, "c1");
        Proc c2 = start("consumer-2", Role.CONSUMER, "c2");

        // Batch 1; then both consumers wait on an empty buffer, and one of them is killed.
        p1.orders.add(BufferOrder.produce(8));
        p2.orders.add(BufferOrder.produce(8));
        await().atMost(Duration.ofSeconds(30)).until(() -> drained(1, p1, p2));
        await().atMost(TTL.plusSeconds(10)).until(() -> waitingConsumer(c1, c2) != null);
        Proc waiter = waitingConsumer(c1, c2);
        Proc other = waiter == c1 ? c2 : c1;
        kill(waiter);
        start("consumer-3", Role.CONSUMER, "c3");

        // Batch 2: a signal may go to the dead waiter until its session is over.
        p1.orders.add(BufferOrder.produce(8));
        p2.orders.add(BufferOrder.produce(8));
        await().atMost(Duration.ofSeconds(30)).until(() -> drained(2, p1, p2));
        await().atMost(TTL.plusSeconds(10)).until(() -> sessionOver(waiter));
        assertThat(
                        MemEngine.named(engineName)
                                .conditionWaiters(
                                        DemoBufferNodeCommand.MONITOR,
                                        DemoBufferNodeCommand.NOT_EMPTY))
                .as("the dead waiter left the wait queue with its session")
                .noneMatch(w -> w.contains(waiter.baton.clientId()));

        // Batch 3: the other consumer keeps the monitor after a take and is killed holding it.
        synchronized (lock) {
            lingerer = other;
        }
        other.worker.linger();
        for (int batch = 3; batch <= 5 && !killedHolding(); batch++) {
            p1.orders.add(BufferOrder.produce(8));
            p2.orders.add(BufferOrder.produce(8));
            int b = batch;
            await().atMost(Duration.ofSeconds(30)).until(() -> drained(b, p1, p2));
        }
        assertThat(killedHolding())
                .as("the lingering consumer took an item and was killed")
                .isTrue();

        // Stop the living, as quit does, and check every rule.
        for (Proc p : procs) {
            if (!p.dead) {
                p.thread.interrupt();
            }
        }
        for (Proc p : procs) {
            if (!p.dead) {
                await().atMost(Duration.ofSeconds(10)).until(() -> !p.thread.isAlive());
                synchronized (lock) {
                    history.end(p.id, DemoProtocol.nowMicros(), "stopped");
                    history.requests(p.id, p.worker.requests());
                }
            }
        }
        try (Baton reader = Baton.connect(engineUri)) {
            String value =
                    reader.keyValue()
                            .get(DemoBufferNodeCommand.KEY)
                            .map(Versioned::asString)
                            .orElseThrow();
            synchronized (lock) {
                history.engineFinal(DemoBuffer.parse(value));
            }
        }
        synchronized (lock) {
            assertThat(history.items().ok()).as("items: %s", history.items()).isTrue();
            assertThat(history.items().produced()).isGreaterThanOrEqualTo(48);
            assertThat(history.buffer().problems()).isEmpty();
            DemoBufferHistory.SleepCheck sleep =
                    history.sleep(
                            TTL.plus(DemoBufferCommand.SLEEP_MARGIN).toNanos() / 1_000,
                            DemoProtocol.nowMicros());
            assertThat(sleep.violations()).isEmpty();
            DemoBufferHistory.RequestsCheck requests =
                    history.requests(DemoBufferCommand.MAX_REQUESTS_PER_ITEM);
            assertThat(requests.perItem()).as("requests per item").isLessThan(requests.bound());
            List<String> conditions =
                    history.waits().stream().map(DemoBufferHistory.Wait::condition).toList();
            assertThat(conditions)
                    .as("producers waited for room and consumers for items")
                    .contains(DemoBufferNodeCommand.NOT_FULL, DemoBufferNodeCommand.NOT_EMPTY);
            assertThat(history.waits())
                    .extracting(DemoBufferHistory.Wait::end)
                    .contains("signal", "killed");
        }
    }

    private boolean killedHolding() {
        synchronized (lock) {
            return heldAndKilled != null;
        }
    }
}
