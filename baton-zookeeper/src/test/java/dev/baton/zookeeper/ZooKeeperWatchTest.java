package dev.baton.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.LockSnapshot;
import dev.baton.Subscription;
import dev.baton.Versioned;
import dev.baton.WatchEvent;
import dev.baton.faults.FaultProxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a ZooKeeper watch promises: per key, versions only rise and the latest value always arrives
 * (a value overwritten before it could be read is reported at its later version); deletes and lock
 * changes arrive in engine order; listeners run on Baton's pool, never on ZooKeeper's event thread;
 * a reconnect is reported as RESYNC.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ZooKeeperWatchTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static EmbeddedZooKeeper server;

    @BeforeAll
    static void start() {
        server = EmbeddedZooKeeper.start(0, null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void putsArriveWithRisingVersionsEndingWithTheLatestValueOffZooKeepersThreads() {
        try (Baton watcher = Baton.connect(server.uri());
                Baton writer = Baton.connect(server.uri())) {
            List<WatchEvent> puts = new CopyOnWriteArrayList<>();
            List<String> threads = new CopyOnWriteArrayList<>();
            watcher.watch(
                    "w1",
                    e -> {
                        threads.add(Thread.currentThread().getName());
                        if (e.type() == WatchEvent.Type.PUT) {
                            puts.add(e);
                        }
                    });
            for (int i = 0; i < 100; i++) {
                writer.keyValue().put("w1/k", "v" + i);
            }
            Versioned last = writer.keyValue().get("w1/k").orElseThrow();
            await().atMost(PATIENCE)
                    .until(
                            () ->
                                    !puts.isEmpty()
                                            && puts.get(puts.size() - 1)
                                                    .value()
                                                    .orElseThrow()
                                                    .equals(last));
            List<Long> versions =
                    puts.stream().map(e -> e.value().orElseThrow().version()).toList();
            assertThat(versions).isSorted().doesNotHaveDuplicates().hasSizeBetween(1, 100);
            assertThat(versions.get(versions.size() - 1)).isEqualTo(last.version());
            for (WatchEvent e : puts) {
                Versioned v = e.value().orElseThrow();
                // Each reported value is the one written at that version (v0 at version 1, …).
                assertThat(v.asString()).isEqualTo("v" + (v.version() - 1));
            }
            assertThat(threads)
                    .allMatch(n -> n.startsWith("baton-worker-"))
                    .noneMatch(n -> n.contains("EventThread"));
        }
    }

    @Test
    void deletesAndLockChangesArriveInOrderAndOnlyUnderThePrefix() {
        try (Baton watcher = Baton.connect(server.uri());
                Baton actor = Baton.connect(server.uri())) {
            List<WatchEvent> events = new CopyOnWriteArrayList<>();
            List<WatchEvent> elsewhere = new CopyOnWriteArrayList<>();
            watcher.watch("w2", events::add);
            watcher.watch("w2x", elsewhere::add);
            actor.keyValue().put("w2/key", "v");
            actor.keyValue().delete("w2/key");
            await().atMost(PATIENCE)
                    .until(() -> events.stream().anyMatch(e -> e.type() == WatchEvent.Type.DELETE));
            List<WatchEvent> keyEvents =
                    events.stream().filter(e -> e.name().equals("w2/key")).toList();
            assertThat(keyEvents.get(keyEvents.size() - 1).type())
                    .isEqualTo(WatchEvent.Type.DELETE);
            assertThat(keyEvents).filteredOn(e -> e.type() == WatchEvent.Type.DELETE).hasSize(1);
            assertThat(keyEvents.size()).isLessThanOrEqualTo(2);

            FencedLease lease = actor.mutex("w2/lock").acquire(PATIENCE);
            await().atMost(PATIENCE)
                    .until(() -> lastLock(events).map(LockSnapshot::isHeld).orElse(false));
            assertThat(lastLock(events).orElseThrow().holders())
                    .singleElement()
                    .satisfies(h -> assertThat(h.fencingToken()).isEqualTo(lease.fencingToken()));
            lease.release();
            await().atMost(PATIENCE)
                    .until(() -> lastLock(events).map(s -> !s.isHeld()).orElse(false));
            actor.keyValue()
                    .put("w2x/seen", "x"); // a later event elsewhere proves delivery went on
            await().atMost(PATIENCE).until(() -> elsewhere.size() == 1);
            assertThat(events).allMatch(e -> e.name().startsWith("w2/"));
            assertThat(elsewhere).extracting(WatchEvent::name).containsExactly("w2x/seen");
        }
    }

    private static java.util.Optional<LockSnapshot> lastLock(List<WatchEvent> events) {
        return events.stream()
                .filter(e -> e.type() == WatchEvent.Type.LOCK && e.name().equals("w2/lock"))
                .reduce((x, y) -> y)
                .flatMap(WatchEvent::lock);
    }

    @Test
    void aReconnectIsReportedAsResyncAndDeliveryResumes() {
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", server.port());
                Baton watcher = Baton.connect("zookeeper://" + proxy.address());
                Baton writer = Baton.connect(server.uri())) {
            List<WatchEvent> events = new CopyOnWriteArrayList<>();
            watcher.watch("w3", events::add);
            proxy.reset(); // the connection drops; the session survives
            await().atMost(PATIENCE)
                    .until(() -> events.stream().anyMatch(e -> e.type() == WatchEvent.Type.RESYNC));
            writer.keyValue().put("w3/after", "resumed");
            await().atMost(PATIENCE)
                    .until(() -> events.stream().anyMatch(e -> e.name().equals("w3/after")));
        }
    }

    @Test
    void aClosedSubscriptionGetsNothingMore() {
        try (Baton watcher = Baton.connect(server.uri());
                Baton writer = Baton.connect(server.uri())) {
            List<WatchEvent> open = new CopyOnWriteArrayList<>();
            List<WatchEvent> closed = new CopyOnWriteArrayList<>();
            watcher.watch("w4", open::add);
            Subscription sub = watcher.watch("w4", closed::add);
            writer.keyValue().put("w4/a", "1");
            await().atMost(PATIENCE).until(() -> closed.size() == 1 && open.size() == 1);
            sub.close();
            writer.keyValue().put("w4/b", "2");
            writer.keyValue().put("w4/c", "3");
            await().atMost(PATIENCE).until(() -> open.size() == 3);
            assertThat(closed).extracting(WatchEvent::name).containsExactly("w4/a");
        }
    }

    /**
     * The last unsubscribe and a new subscribe race: the new subscription's watch must survive the
     * remove of the old one. The remove is sent while the registration lock is held, so the
     * subscribe's add goes out after it. The hook runs just before the remove is sent and starts a
     * subscribe on another thread, which either completes (the remove would come after its add and
     * kill its watch) or waits for the lock.
     */
    @Test
    void aSubscribeRacingTheLastUnsubscribeKeepsItsWatch() throws Exception {
        try (Baton watcher = Baton.connect(server.uri());
                Baton writer = Baton.connect(server.uri())) {
            ZooKeeperWatch watch = watchOf(watcher);
            Subscription first = watcher.watch("w5", e -> {});
            List<WatchEvent> events = new CopyOnWriteArrayList<>();
            java.util.concurrent.CompletableFuture<Subscription> second =
                    new java.util.concurrent.CompletableFuture<>();
            Thread subscriber =
                    new Thread(
                            () -> {
                                try {
                                    second.complete(watcher.watch("w5", events::add));
                                } catch (Throwable t) {
                                    second.completeExceptionally(t);
                                }
                            },
                            "racing-subscriber");
            watch.beforeRemove =
                    () -> {
                        watch.beforeRemove = null;
                        subscriber.start();
                        await("the subscribe to finish or to wait for the registration lock")
                                .atMost(PATIENCE)
                                .pollInterval(Duration.ofMillis(1))
                                .until(
                                        () ->
                                                second.isDone()
                                                        || subscriber.getState()
                                                                == Thread.State.BLOCKED);
                    };
            first.close();
            Subscription kept = second.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            writer.keyValue().put("w5/after", "seen");
            await("the new subscription's event")
                    .atMost(PATIENCE)
                    .until(() -> events.stream().anyMatch(e -> e.name().equals("w5/after")));
            kept.close();
        }
    }

    /**
     * After a new session the watch must be added again, and the RESYNC must come once it is in
     * place: a subscriber that re-reads on RESYNC must not miss a change made after that. On the
     * RESYNC's delivery the server already holds the new session's watch.
     */
    @Test
    void aResyncAfterANewSessionComesOnlyOnceTheWatchIsBackInPlace() throws Exception {
        try (Baton watcher = Baton.connect(server.uri());
                Baton writer = Baton.connect(server.uri())) {
            String root = ZkTests.clientOf(watcher).layout().root();
            List<Boolean> watchInPlaceOnResync = new CopyOnWriteArrayList<>();
            List<WatchEvent> events = new CopyOnWriteArrayList<>();
            watcher.watch(
                    "w6",
                    e -> {
                        if (e.type() == WatchEvent.Type.RESYNC) {
                            long session = ZkTests.zooKeeperOf(watcher).getSessionId();
                            java.util.Set<Long> sessions =
                                    server.server()
                                            .getZKDatabase()
                                            .getDataTree()
                                            .getWatchesByPath()
                                            .getSessions(root);
                            watchInPlaceOnResync.add(
                                    sessions != null && sessions.contains(session));
                        }
                        events.add(e);
                    });
            long before = ZkTests.zooKeeperOf(watcher).getSessionId();
            ZkTests.zooKeeperOf(watcher).getTestable().injectSessionExpiration();
            await("a RESYNC on the new session")
                    .atMost(PATIENCE)
                    .until(() -> !watchInPlaceOnResync.isEmpty());
            assertThat(ZkTests.zooKeeperOf(watcher).getSessionId()).isNotEqualTo(before);
            assertThat(watchInPlaceOnResync)
                    .as("watch in place when RESYNC is delivered")
                    .containsOnly(true);
            writer.keyValue().put("w6/after", "resumed");
            await().atMost(PATIENCE)
                    .until(() -> events.stream().anyMatch(e -> e.name().equals("w6/after")));
        }
    }

    private static ZooKeeperWatch watchOf(Baton baton) throws Exception {
        java.lang.reflect.Field f = ZooKeeperBackend.class.getDeclaredField("watch");
        f.setAccessible(true);
        return (ZooKeeperWatch) f.get(ZkTests.backendOf(baton));
    }
}
