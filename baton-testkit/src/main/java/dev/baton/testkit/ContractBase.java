package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.LeaseKind;
import dev.baton.LockSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * What every part of the {@link ContractSuite} shares: the backend's {@link BackendFixture}, a
 * unique name prefix per test ({@link #name(String)}), clients that are healed and closed after the
 * test ({@link #client()}, {@link #partitionableClient()}), workers started together ({@link
 * #concurrently}), and waits with the suite's patience.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class ContractBase {

    /** Timeout for waits that should end at once on a healthy engine; generous for CI. */
    static final Duration PATIENCE = Duration.ofSeconds(30);

    private final List<Baton> clients = new CopyOnWriteArrayList<>();
    private final List<Baton> partitioned = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private String base;

    /** The backend under test; the suite's nested classes hand over the suite's fixture. */
    abstract BackendFixture fixture();

    BatonConfig config() {
        return fixture().config();
    }

    boolean watchDeliversEveryWrite() {
        return fixture().watchDeliversEveryWrite();
    }

    List<String> engineEntries(LeaseKind kind, String name) {
        return fixture().engineEntries(kind, name);
    }

    @BeforeEach
    void uniqueNames(TestInfo info) {
        String method = info.getTestMethod().map(m -> m.getName()).orElse("test");
        base =
                "contract/"
                        + method
                        + "-"
                        + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    @AfterEach
    void closeClients() {
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Baton c : partitioned) {
            try {
                fixture().heal(c);
            } catch (RuntimeException e) {
                // best effort: the client is closed next anyway
            }
        }
        List<Baton> reversed = new ArrayList<>(clients);
        Collections.reverse(reversed);
        for (Baton c : reversed) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // closing is best effort in teardown; the test's assertions have run
            }
        }
        clients.clear();
        partitioned.clear();
        threads.clear();
    }

    /** A name unique to this test run: {@code contract/<test>-<random>/<suffix>}. */
    String name(String suffix) {
        return base + "/" + suffix;
    }

    /** A new client with {@link #config()}, closed after the test. */
    Baton client() {
        return client(config());
    }

    Baton client(BatonConfig config) {
        Baton c = fixture().connect(config);
        clients.add(c);
        return c;
    }

    /** A new partitionable client with {@link #config()}, healed and closed after the test. */
    Baton partitionableClient() {
        return partitionableClient(config());
    }

    Baton partitionableClient(BatonConfig config) {
        Baton c = fixture().connectPartitionable(config);
        clients.add(c);
        return c;
    }

    /** Cuts {@code c} off and remembers to heal it after the test. */
    void cutOff(Baton c) {
        partitioned.add(c);
        fixture().partition(c);
    }

    void reconnect(Baton c) {
        fixture().heal(c);
        partitioned.remove(c);
    }

    Duration ttl() {
        return config().leaseTtl();
    }

    /** Runs {@code body} on {@code n} threads started together; rethrows the first failure. */
    void concurrently(int n, IndexedBody body) {
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    start.await();
                                    body.run(index);
                                } catch (Throwable e) {
                                    failure.compareAndSet(null, e);
                                }
                            },
                            "contract-worker-" + i);
            t.setDaemon(true);
            threads.add(t);
            started.add(t);
            t.start();
        }
        start.countDown();
        for (Thread t : started) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(90));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while joining workers", e);
            }
            assertThat(t.isAlive()).as("worker %s finished within 90 s", t.getName()).isFalse();
        }
        if (failure.get() != null) {
            throw new AssertionError("a worker failed: " + failure.get(), failure.get());
        }
    }

    /** A worker body that knows its index. */
    @FunctionalInterface
    interface IndexedBody {
        void run(int index) throws Exception;
    }

    Thread background(String threadName, Runnable body) {
        Thread t = new Thread(body, threadName);
        t.setDaemon(true);
        threads.add(t);
        t.start();
        return t;
    }

    /** Awaitility with the suite's patience, polling every 10 ms from the start. */
    static ConditionFactory waitUntil() {
        return await().atMost(PATIENCE)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(10));
    }

    static ConditionFactory waitUntil(String what) {
        return await(what)
                .atMost(PATIENCE)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(10));
    }

    static void awaitWaiters(Baton observer, String name, int waiters) {
        waitUntil("waiters of " + name + " to reach " + waiters)
                .until(
                        () ->
                                observer.inspect(name).map(LockSnapshot::waiters).orElse(0)
                                        == waiters);
    }

    static List<String> holderIds(Baton observer, String name) {
        return observer.inspect(name)
                .map(s -> s.holders().stream().map(LockSnapshot.Holder::clientId).toList())
                .orElse(List.of());
    }

    void awaitEntries(LeaseKind kind, String name, int count) {
        waitUntil("engine entries of " + kind + " " + name + " to be " + count)
                .until(() -> engineEntries(kind, name).size() == count);
    }

    static Throwable catchThrowable(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected an exception");
    }
}
