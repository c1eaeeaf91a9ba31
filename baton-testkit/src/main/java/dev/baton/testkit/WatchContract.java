package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.LockSnapshot;
import dev.baton.Subscription;
import dev.baton.WatchEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Watches: puts in version order off the engine's threads, deletes and lock changes, one blocked
 * listener never delays another subscription, and an overflowing queue yields RESYNC, then delivery
 * resumes.
 */
abstract class WatchContract extends ContractBase {

    @Test
    void watchDeliversPutsInVersionOrderOffEngineThreads() {
        String prefix = name("watched");
        Baton watcher = client();
        Baton writer = client();
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        List<String> threadNames = new CopyOnWriteArrayList<>();
        watcher.watch(
                prefix,
                e -> {
                    threadNames.add(Thread.currentThread().getName());
                    if (e.type() == WatchEvent.Type.PUT) {
                        events.add(e);
                    }
                });
        String key = prefix + "/k";
        for (int i = 0; i < 100; i++) {
            writer.keyValue().put(key, "v" + i);
        }
        if (watchDeliversEveryWrite()) {
            waitUntil().until(() -> events.size() == 100);
        } else {
            waitUntil()
                    .until(
                            () ->
                                    events.stream()
                                            .anyMatch(
                                                    e ->
                                                            e.value()
                                                                    .orElseThrow()
                                                                    .asString()
                                                                    .equals("v99")));
        }
        List<Long> versions = events.stream().map(e -> e.value().orElseThrow().version()).toList();
        assertThat(versions).isSorted().doesNotHaveDuplicates().hasSizeLessThanOrEqualTo(100);
        WatchEvent last = events.get(events.size() - 1);
        assertThat(last.value().orElseThrow().asString()).isEqualTo("v99");
        assertThat(last.value().orElseThrow()).isEqualTo(writer.keyValue().get(key).orElseThrow());
        assertThat(threadNames)
                .allMatch(n -> n.startsWith("baton-worker-"), "Baton's callback pool");
    }

    @Test
    void watchDeliversDeletesAndLockChanges() {
        String prefix = name("scope");
        Baton watcher = client();
        Baton actor = client();
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        watcher.watch(prefix, events::add);
        List<WatchEvent> elsewhere = new CopyOnWriteArrayList<>();
        watcher.watch(name("elsewhere"), elsewhere::add);

        String key = prefix + "/key";
        actor.keyValue().put(key, "v");
        actor.keyValue().delete(key);
        waitUntil().until(() -> events.stream().anyMatch(e -> e.type() == WatchEvent.Type.DELETE));
        List<WatchEvent> keyEvents =
                events.stream().filter(e -> e.type() != WatchEvent.Type.LOCK).toList();
        assertThat(keyEvents).extracting(WatchEvent::name).containsOnly(key);
        assertThat(keyEvents.get(keyEvents.size() - 1).type()).isEqualTo(WatchEvent.Type.DELETE);
        if (watchDeliversEveryWrite()) {
            assertThat(keyEvents)
                    .extracting(WatchEvent::type)
                    .containsExactly(WatchEvent.Type.PUT, WatchEvent.Type.DELETE);
        }

        String lockName = prefix + "/lock";
        FencedLease lease = actor.mutex(lockName).acquire(PATIENCE);
        waitUntil()
                .until(
                        () ->
                                events.stream()
                                        .anyMatch(
                                                e ->
                                                        e.type() == WatchEvent.Type.LOCK
                                                                && e.name().equals(lockName)
                                                                && e
                                                                        .lock()
                                                                        .map(LockSnapshot::holders)
                                                                        .orElse(List.of())
                                                                        .stream()
                                                                        .anyMatch(
                                                                                h ->
                                                                                        h.clientId()
                                                                                                .equals(
                                                                                                        actor
                                                                                                                .clientId()))));
        lease.release();
        waitUntil()
                .until(
                        () -> {
                            WatchEvent lastLock =
                                    events.stream()
                                            .filter(
                                                    e ->
                                                            e.type() == WatchEvent.Type.LOCK
                                                                    && e.name().equals(lockName))
                                            .reduce((x, y) -> y)
                                            .orElseThrow();
                            return lastLock.lock().map(s -> !s.isHeld()).orElse(true);
                        });
        assertThat(elsewhere).as("events outside the watched prefix").isEmpty();
        assertThat(events)
                .allMatch(
                        e ->
                                e.type() == WatchEvent.Type.RESYNC
                                        || e.name().startsWith(prefix + "/"));
    }

    @Test
    void aBlockedListenerDoesNotDelayAnotherSubscription() {
        String prefix = name("slow");
        Baton watcher = client();
        Baton writer = client();
        CountDownLatch unblock = new CountDownLatch(1);
        List<WatchEvent> slow = new CopyOnWriteArrayList<>();
        List<WatchEvent> fast = new CopyOnWriteArrayList<>();
        watcher.watch(
                prefix,
                e -> {
                    try {
                        unblock.await();
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                    }
                    slow.add(e);
                });
        watcher.watch(prefix, fast::add);
        for (int i = 0; i < 5; i++) {
            writer.keyValue().put(prefix + "/k" + i, "v");
        }
        waitUntil().until(() -> fast.size() == 5);
        assertThat(slow).isEmpty();
        unblock.countDown();
        waitUntil().until(() -> slow.size() == 5);
        assertThat(slow)
                .extracting(WatchEvent::name)
                .isEqualTo(fast.stream().map(WatchEvent::name).toList());
    }

    @Test
    void overflowOfASmallWatchQueueYieldsResyncThenDeliveryResumes() {
        String prefix = name("overflow");
        Baton watcher = client(config().toBuilder().watchQueueCapacity(4).build());
        Baton writer = client();
        CountDownLatch unblock = new CountDownLatch(1);
        CountDownLatch firstSeen = new CountDownLatch(1);
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        Subscription sub =
                watcher.watch(
                        prefix,
                        e -> {
                            firstSeen.countDown();
                            try {
                                unblock.await();
                            } catch (InterruptedException ie) {
                                Thread.currentThread().interrupt();
                            }
                            events.add(e);
                        });
        writer.keyValue().put(prefix + "/first", "blocks the listener");
        waitUntil().until(() -> firstSeen.getCount() == 0);
        for (int i = 0; i < 20; i++) {
            writer.keyValue().put(prefix + "/k", "v" + i);
        }
        waitUntil().until(() -> sub.dropped() > 0);
        unblock.countDown();
        waitUntil().until(() -> events.stream().anyMatch(e -> e.type() == WatchEvent.Type.RESYNC));

        writer.keyValue().put(prefix + "/after", "resumed");
        waitUntil().until(() -> events.stream().anyMatch(e -> e.name().equals(prefix + "/after")));
        assertThat(sub.dropped()).isPositive();
        assertThat(events.get(events.size() - 1).name()).isEqualTo(prefix + "/after");
        assertThat(events.get(events.size() - 1).value().orElseThrow().asString())
                .isEqualTo("resumed");
        // Fewer than all 21 puts before the RESYNC arrived: the overflow really dropped some.
        assertThat(events.stream().filter(e -> e.type() == WatchEvent.Type.PUT).count())
                .isLessThan(22);
    }

    /**
     * A watcher that cannot tell "no changes" from "no engine" would act on stale state: a cut-off
     * watcher is told DISCONNECTED within the backend's keep-alive bound (well inside the TTL), and
     * RECONNECTED then RESYNC once the engine answers again; events resume after that.
     */
    @Test
    void aCutOffWatcherIsToldOfTheLostConnectionAndOfItsReturn() {
        String prefix = name("conn");
        Baton watcher = partitionableClient();
        Baton writer = client();
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        watcher.watch(prefix, events::add);
        writer.keyValue().put(prefix + "/before", "1");
        waitUntil().until(() -> events.stream().anyMatch(e -> e.type() == WatchEvent.Type.PUT));
        assertThat(watcher.connectionState()).isEqualTo(dev.baton.ConnectionState.CONNECTED);

        cutOff(watcher);
        waitUntil("DISCONNECTED")
                .until(
                        () ->
                                events.stream()
                                        .anyMatch(e -> e.type() == WatchEvent.Type.DISCONNECTED));
        assertThat(watcher.connectionState()).isEqualTo(dev.baton.ConnectionState.DISCONNECTED);

        reconnect(watcher);
        waitUntil("RECONNECTED, then RESYNC")
                .until(
                        () -> {
                            List<WatchEvent.Type> types =
                                    events.stream().map(WatchEvent::type).toList();
                            int back = types.lastIndexOf(WatchEvent.Type.RECONNECTED);
                            return back >= 0
                                    && types.subList(back, types.size())
                                            .contains(WatchEvent.Type.RESYNC);
                        });
        assertThat(watcher.connectionState()).isEqualTo(dev.baton.ConnectionState.CONNECTED);
        writer.keyValue().put(prefix + "/after", "2");
        waitUntil().until(() -> events.stream().anyMatch(e -> e.name().equals(prefix + "/after")));
    }
}
