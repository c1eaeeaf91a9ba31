package dev.baton.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.BackendUnavailableException;
import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.ClientClosedException;
import dev.baton.FencedLease;
import dev.baton.LeaseKind;
import dev.baton.LeaseState;
import dev.baton.LockInterruptedException;
import dev.baton.LockSnapshot;
import dev.baton.Monitor;
import dev.baton.MonitorCondition;
import dev.baton.MonitorCondition.Wakeup;
import dev.baton.faults.FaultProxy;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.GrantSink;
import dev.baton.spi.NotHolderException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Monitors on ZooKeeper, at the level of znodes: what an await and a signal do to the queues, that
 * the engine (not only the client) checks the holder, that a caller who gives up returns only once
 * its entries are gone, and that no waiter is left behind by an await whose answer was lost, a
 * session that expired or a client that closed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ZooKeeperMonitorTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Duration LONG = Duration.ofSeconds(60);
    private static final Layout LAYOUT = new Layout(BatonConfig.DEFAULT_NAMESPACE);

    private static EmbeddedZooKeeper server;
    private static CuratorFramework raw;

    @BeforeAll
    static void start() {
        server = EmbeddedZooKeeper.start(0, null);
        raw = ZkTests.rawClient(server.connectString());
    }

    @AfterAll
    static void stop() {
        raw.close();
        server.close();
    }

    private static Baton client() {
        return Baton.connect(server.uri());
    }

    private static List<String> children(String path) throws Exception {
        try {
            return raw.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    private static CompletableFuture<Wakeup> awaitInBackground(
            MonitorCondition c, FencedLease lease) {
        CompletableFuture<Wakeup> f = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                f.complete(c.await(lease, LONG));
                            } catch (Throwable e) {
                                f.completeExceptionally(e);
                            }
                        },
                        "await-" + c.name());
        t.setDaemon(true);
        t.start();
        return f;
    }

    @Test
    void anAwaitSwapsTheHoldersEntryForAWaiterAndTheWokenWaiterReentersWithANewEntry()
            throws Exception {
        String name = "shape/monitor";
        String entries = LAYOUT.queue(Layout.Dir.MONITOR, name);
        String waiters = LAYOUT.condition(name, "ready");
        assertThat(entries).isEqualTo("/baton/monitor/shape:monitor");
        assertThat(waiters).isEqualTo("/baton/condition/shape:monitor/ready");
        try (Baton a = client();
                Baton b = client()) {
            FencedLease first = a.monitor(name).enter(PATIENCE);
            List<String> held = children(entries);
            assertThat(held).singleElement().asString().matches("_c_[0-9a-f-]{36}-monitor-\\d{10}");
            assertThat(a.inspect(name).orElseThrow().holders())
                    .extracting(LockSnapshot.Holder::kind)
                    .containsExactly(LeaseKind.MONITOR);

            CompletableFuture<Wakeup> waiting =
                    awaitInBackground(a.monitor(name).condition("ready"), first);
            await().atMost(PATIENCE).until(() -> children(waiters).size() == 1);
            assertThat(children(entries))
                    .as("the holder's entry went with the same step")
                    .isEmpty();
            String waiter = children(waiters).get(0);
            assertThat(waiter).matches("w-[0-9a-f-]{36}-\\d{10}");
            Stat stat = new Stat();
            byte[] data = raw.getData().storingStatIn(stat).forPath(waiters + "/" + waiter);
            assertThat(stat.getEphemeralOwner()).isEqualTo(ZkTests.zooKeeperOf(a).getSessionId());
            assertThat(new String(data, StandardCharsets.UTF_8)).contains("client=" + a.clientId());

            FencedLease signaller = b.monitor(name).enter(PATIENCE);
            assertThat(b.monitor(name).condition("ready").signal(signaller)).isTrue();
            assertThat(children(waiters)).as("the signal deleted the waiter").isEmpty();
            // The woken waiter queued a new entry behind the signaller, by itself.
            await().atMost(PATIENCE).until(() -> children(entries).size() == 2);
            signaller.release();
            Wakeup woken = waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(woken.signalled()).isTrue();
            String reentry = children(entries).get(0);
            Stat reentryStat = raw.checkExists().forPath(entries + "/" + reentry);
            assertThat(woken.lease().fencingToken())
                    .as("the token is the new entry's czxid")
                    .isEqualTo(reentryStat.getCzxid())
                    .isGreaterThan(signaller.fencingToken());
            woken.lease().release();
            assertThat(children(entries)).isEmpty();
        }
    }

    /**
     * A grant the client still believes held, but whose entry is gone from the engine (deleted by
     * hand here; an expired session in life), is refused by the engine's own check — the multi's
     * delete or check fails — and nothing changes. Called on the backend directly, so that no local
     * state check can answer first.
     */
    @Test
    void theEngineRefusesAHolderWhoseEntryIsGoneAndChangesNothing() throws Exception {
        String name = "engine/check";
        String entries = LAYOUT.queue(Layout.Dir.MONITOR, name);
        String waiters = LAYOUT.condition(name, "c");
        try (Baton a = client();
                Baton w = client()) {
            CompletableFuture<Wakeup> waiting =
                    awaitInBackground(
                            w.monitor(name).condition("c"), w.monitor(name).enter(PATIENCE));
            await().atMost(PATIENCE).until(() -> children(waiters).size() == 1);

            a.monitor(name).enter(PATIENCE);
            String holder = entries + "/" + children(entries).get(0);
            ZooKeeperBackend backend = ZkTests.backendOf(a);
            raw.delete().forPath(holder); // the engine no longer has it

            assertThatThrownBy(() -> backend.signal(holder, name, "c", false))
                    .isInstanceOf(NotHolderException.class)
                    .hasMessageContaining(holder);
            assertThat(children(waiters)).as("the waiter was not moved").hasSize(1);
            assertThatThrownBy(() -> backend.signal(holder, name, "empty", true))
                    .as("with no waiter, too")
                    .isInstanceOf(NotHolderException.class);
            AcquireRequest reentry = new AcquireRequest(name, LeaseKind.MONITOR, 1, 1, false);
            assertThatThrownBy(() -> backend.await(holder, "c", reentry, new NoSink()))
                    .isInstanceOf(NotHolderException.class);
            assertThat(children(waiters)).as("no waiter was added").hasSize(1);
            assertThat(waiting).isNotDone();

            // A grant of another monitor is refused before anything is sent.
            FencedLease other = a.monitor(name + "-other").enter(PATIENCE);
            String otherEntry =
                    LAYOUT.queue(Layout.Dir.MONITOR, name + "-other")
                            + "/"
                            + children(LAYOUT.queue(Layout.Dir.MONITOR, name + "-other")).get(0);
            assertThatThrownBy(() -> backend.signal(otherEntry, name, "c", false))
                    .isInstanceOf(NotHolderException.class)
                    .hasMessageContaining("not an entry of the queue of monitor \"" + name + "\"");
            assertThat(children(waiters)).hasSize(1);
            other.release();

            // The real holder still wakes the waiter.
            FencedLease real = w.monitor(name).enter(PATIENCE);
            assertThat(w.monitor(name).condition("c").signal(real)).isTrue();
            real.release();
            waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).lease().release();
        }
    }

    /**
     * The interrupted caller returns only once its entry is gone, in either queue. Its client talks
     * through a proxy that delays every answer by a second while it gives up, so a withdrawal that
     * did not wait for the delete would return with the entry still there.
     */
    @Test
    void anInterruptedAwaitReturnsOnlyOnceItsEntryIsDeleted() throws Exception {
        String name = "residue/monitor";
        String entries = LAYOUT.queue(Layout.Dir.MONITOR, name);
        String waiters = LAYOUT.condition(name, "c");
        BatonConfig cfg =
                BatonConfig.custom()
                        .leaseTtl(Duration.ofSeconds(20))
                        .connectTimeout(Duration.ofSeconds(10))
                        .build();
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", server.port());
                Baton a = Baton.connect("zookeeper://" + proxy.address(), cfg);
                Baton b = client()) {
            Monitor m = a.monitor(name);
            for (boolean signalledFirst : new boolean[] {false, true}) {
                FencedLease lease = m.enter(PATIENCE);
                AtomicReference<Throwable> outcome = new AtomicReference<>();
                Thread t =
                        new Thread(
                                () -> {
                                    try {
                                        m.condition("c").await(lease, LONG);
                                    } catch (Throwable e) {
                                        outcome.set(e);
                                    }
                                });
                t.start();
                await().atMost(PATIENCE).until(() -> children(waiters).size() == 1);
                FencedLease signaller = null;
                if (signalledFirst) {
                    signaller = b.monitor(name).enter(PATIENCE);
                    assertThat(b.monitor(name).condition("c").signal(signaller)).isTrue();
                    // Requeued: its new entry waits behind the signaller.
                    await().atMost(PATIENCE).until(() -> children(entries).size() == 2);
                }
                proxy.delay(Duration.ofSeconds(1));
                try {
                    t.interrupt();
                    t.join(PATIENCE.toMillis());
                    assertThat(outcome.get()).isInstanceOf(LockInterruptedException.class);
                    assertThat(children(waiters))
                            .as("signalled first: %s", signalledFirst)
                            .isEmpty();
                    assertThat(children(entries))
                            .as("signalled first: %s", signalledFirst)
                            .hasSize(signalledFirst ? 1 : 0);
                } finally {
                    proxy.pass();
                }
                if (signaller != null) {
                    signaller.release();
                }
                assertThat(children(entries)).isEmpty();
            }
        }
    }

    /**
     * The await's multi reaches the server but its answer does not come back in time: the await
     * fails, the monitor is given up (the multi's delete, or the core's release), and the waiter
     * the multi created — which nobody watches, and which would swallow a signal — is found by its
     * marker and deleted once the server answers again. The wait queue's directory exists
     * beforehand, so the lost multi succeeds; its child version counts the waiter's creation and
     * deletion.
     */
    @Test
    void anAwaitWhoseAnswerIsLostLeavesNoWaiterBehind() throws Exception {
        String name = "lost/answer";
        String entries = LAYOUT.queue(Layout.Dir.MONITOR, name);
        String waiters = LAYOUT.condition(name, "c");
        // Session 20 s: the client does not notice the short silence (its read timeout is 2/3 of
        // it); connect timeout 1 s: how long the await waits for the multi's answer.
        BatonConfig cfg =
                BatonConfig.custom()
                        .leaseTtl(Duration.ofSeconds(20))
                        .connectTimeout(Duration.ofSeconds(1))
                        .build();
        raw.createContainers(waiters);
        int before = raw.checkExists().forPath(waiters).getCversion();
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", server.port());
                Baton a = Baton.connect("zookeeper://" + proxy.address(), cfg)) {
            Monitor m = a.monitor(name);
            FencedLease lease = m.enter(PATIENCE);
            proxy.blackhole();
            try {
                assertThatThrownBy(() -> m.condition("c").await(lease, LONG))
                        .isInstanceOf(BackendUnavailableException.class)
                        .hasMessageContaining("no answer");
            } finally {
                proxy.pass();
            }
            assertThat(lease.state()).isEqualTo(LeaseState.LOST);
            await("the lost await's waiter to be created and deleted")
                    .atMost(PATIENCE)
                    .until(() -> raw.checkExists().forPath(waiters).getCversion() == before + 2);
            assertThat(children(waiters)).isEmpty();
            await().atMost(PATIENCE).until(() -> children(entries).isEmpty());

            // The monitor works as before.
            Wakeup w = m.condition("c").await(m.enter(PATIENCE), Duration.ZERO);
            assertThat(w.signalled()).isFalse();
            w.lease().release();
            assertThat(children(waiters)).isEmpty();
        }
    }

    @Test
    void aWaiterWhoseSessionExpiresFailsAndItsEntryGoesWithTheSession() throws Exception {
        String name = "expiry/monitor";
        String waiters = LAYOUT.condition(name, "c");
        BatonConfig cfg =
                BatonConfig.custom()
                        .leaseTtl(Duration.ofSeconds(5))
                        .safetyMargin(Duration.ofMillis(1500))
                        .build();
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", server.port());
                Baton a = Baton.connect("zookeeper://" + proxy.address(), cfg)) {
            Monitor m = a.monitor(name);
            CompletableFuture<Wakeup> waiting =
                    awaitInBackground(m.condition("c"), m.enter(PATIENCE));
            await().atMost(PATIENCE).until(() -> children(waiters).size() == 1);
            proxy.blackhole(); // the server expires the session; the client learns it is lost
            assertThatThrownBy(() -> waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("session");
            assertThat(children(waiters)).isEmpty();
            proxy.pass();
        }
    }

    @Test
    void aWaiterWhoseClientClosesFailsAndLeavesNothing() throws Exception {
        String name = "closed/monitor";
        String waiters = LAYOUT.condition(name, "c");
        Baton a = client();
        Monitor m = a.monitor(name);
        CompletableFuture<Wakeup> waiting = awaitInBackground(m.condition("c"), m.enter(PATIENCE));
        await().atMost(PATIENCE).until(() -> children(waiters).size() == 1);
        a.close();
        assertThatThrownBy(() -> waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(ClientClosedException.class);
        assertThat(children(waiters)).isEmpty();
        assertThat(children(LAYOUT.queue(Layout.Dir.MONITOR, name))).isEmpty();
    }

    /** A sink for backend calls that must be refused before anything is queued. */
    private static final class NoSink implements GrantSink<String> {
        @Override
        public void granted(long fencingToken, long sentAtNanos, String grant) {
            throw new AssertionError("granted " + grant);
        }

        @Override
        public void denied() {
            throw new AssertionError("denied");
        }

        @Override
        public void failed(Throwable error) {
            throw new AssertionError("failed", error);
        }
    }
}
