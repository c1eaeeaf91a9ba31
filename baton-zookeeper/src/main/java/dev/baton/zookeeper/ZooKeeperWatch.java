package dev.baton.zookeeper;

import dev.baton.LockSnapshot;
import dev.baton.Names;
import dev.baton.Versioned;
import dev.baton.WatchEvent;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watch subscriptions of one client over a single persistent recursive ZooKeeper watch on the
 * namespace root, registered while at least one subscription is open.
 *
 * <p>A ZooKeeper watch event carries no data, so each event is turned into a {@link WatchEvent} by
 * reading the node: keys become PUT (value and version) or DELETE (tombstone or node gone); changes
 * of lock queue entries become LOCK with the lock's snapshot after the change (null if it could not
 * be read). The read happens after the change, so a value overwritten before the read is reported
 * at its later version: subscribers see every key's versions in increasing order and always its
 * latest value, but not necessarily every intermediate value (ZooKeeper keeps no history). A
 * version already reported is never reported again.
 *
 * <p>Threads and order: ZooKeeper's event thread takes a slot at the tail of {@code slots} for each
 * event, in the engine's order, and for a key sends the read at once (non-blocking; its answer
 * arrives on the same thread). Lock snapshots need several reads and are taken on one daemon
 * thread. A slot is delivered when it and every slot before it are filled, so events reach the
 * sinks one at a time in engine order whatever finishes first. Sinks never block (they enqueue).
 * After a reconnect the watch is registered again (a new session has none) and, once ZooKeeper has
 * answered that, every subscription gets a RESYNC, since changes during the gap were not seen.
 *
 * <p>Invariants: {@code slots}, {@code delivered} and {@code registered} are guarded by {@code
 * this}; sinks are called while holding it, which is safe because they only enqueue. Adding and
 * removing the ZooKeeper watch is serialised by {@code registration}, taken before {@code this} and
 * never by ZooKeeper's event thread; both are sent while holding it, so the session applies them in
 * the order the subscriptions were opened and closed.
 */
final class ZooKeeperWatch implements Watcher {
    private static final Logger log = LoggerFactory.getLogger(ZooKeeperWatch.class);

    private final ZooKeeperClient zk;
    private final Function<String, Optional<LockSnapshot>> inspect;
    private final List<Sub> subs = new CopyOnWriteArrayList<>();
    private final ExecutorService snapshots;
    private final ConnectionStateListener reconnect = this::stateChanged;
    private final ArrayDeque<Slot> slots = new ArrayDeque<>();
    private final Map<String, Long> delivered = new HashMap<>();
    private final Object registration = new Object();
    private boolean registered;

    /** Tests only: runs in {@link #unsubscribe} just before the remove is sent. */
    volatile Runnable beforeRemove;

    private record Sub(String prefix, Consumer<WatchEvent> sink) {}

    /** One event awaiting its data; {@code filled} with a null event means "nothing to report". */
    private static final class Slot {
        final String name;
        boolean filled;
        WatchEvent event;
        boolean all; // deliver to every subscription (RESYNC)
        long version; // for key events read from the node: the version read, else 0

        Slot(String name) {
            this.name = name;
        }
    }

    /**
     * Watch subscriptions over {@code zk}'s session.
     *
     * @param inspect a lock's snapshot by name (the backend's {@code inspect}); it blocks, and is
     *     called on the snapshot thread only
     */
    ZooKeeperWatch(ZooKeeperClient zk, Function<String, Optional<LockSnapshot>> inspect) {
        this.zk = zk;
        this.inspect = inspect;
        ThreadPoolExecutor one =
                new ThreadPoolExecutor(
                        1,
                        1,
                        30,
                        TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(),
                        ZooKeeperClient.daemonThreads("baton-zk-watch-" + zk.clientId()));
        one.allowCoreThreadTimeOut(true);
        this.snapshots = one;
    }

    /** Adds a subscription; the ZooKeeper watch is in place when this returns. */
    AutoCloseable subscribe(String prefix, Consumer<WatchEvent> sink) {
        Sub sub = new Sub(prefix, sink);
        // A separate lock for the (blocking) registration, so ZooKeeper's event thread, which
        // takes `this`, never waits for a round trip.
        synchronized (registration) {
            if (!isRegistered()) {
                zk.sync(
                        "adding a watch on " + zk.layout().root(),
                        () -> {
                            zk.curator()
                                    .watchers()
                                    .add()
                                    .withMode(AddWatchMode.PERSISTENT_RECURSIVE)
                                    .usingWatcher(this)
                                    .forPath(zk.layout().root());
                            return null;
                        });
                zk.curator().getConnectionStateListenable().addListener(reconnect);
                synchronized (this) {
                    registered = true;
                }
            }
            subs.add(sub);
        }
        return () -> unsubscribe(sub);
    }

    private synchronized boolean isRegistered() {
        return registered;
    }

    private void unsubscribe(Sub sub) {
        synchronized (registration) {
            synchronized (this) {
                if (!subs.remove(sub) || !subs.isEmpty() || !registered) {
                    return;
                }
                registered = false;
            }
            zk.curator().getConnectionStateListenable().removeListener(reconnect);
            Runnable hook = beforeRemove;
            if (hook != null) {
                hook.run();
            }
            // Sent while holding `registration`: a subscribe that follows waits for the lock, so
            // its add goes out after this remove and the session applies them in that order. Sent
            // after releasing it, the remove could overtake a concurrent add and kill its watch.
            try {
                zk.curator()
                        .watchers()
                        .remove(this)
                        .ofType(WatcherType.Any)
                        .quietly()
                        .inBackground()
                        .forPath(zk.layout().root());
            } catch (Exception e) {
                log.debug("removing the watch on {} failed: {}", zk.layout().root(), e.toString());
            }
        }
    }

    /**
     * On Curator's connection-state thread: have the watch added again (a new session has none),
     * and once ZooKeeper has answered the add, tell subscribers they missed events. The RESYNC
     * comes from the add's answer, so a subscriber that reads the state on RESYNC sees every change
     * after its read: the watch is in place by then.
     */
    private void stateChanged(CuratorFramework c, ConnectionState state) {
        if (state == ConnectionState.RECONNECTED) {
            // On a worker: it takes `registration`, which a subscribe holds while it waits for
            // ZooKeeper, and this thread must not wait (it carries every connection state).
            zk.runBlocking(this::addAgain);
        }
    }

    private void addAgain() {
        // Under `registration`, so that the add cannot overtake the remove of a concurrent last
        // unsubscribe (nor a subscribe's add its remove).
        synchronized (registration) {
            if (!isRegistered()) {
                return;
            }
            try {
                zk.curator()
                        .watchers()
                        .add()
                        .withMode(AddWatchMode.PERSISTENT_RECURSIVE)
                        .inBackground((cc, event) -> resync(event))
                        .usingWatcher(this)
                        .forPath(zk.layout().root());
            } catch (Exception e) {
                log.warn("re-adding the watch on {} failed: {}", zk.layout().root(), e.toString());
                resync(null);
            }
        }
    }

    /** On ZooKeeper's event thread, answering the re-add: a RESYNC to every subscription. */
    private void resync(CuratorEvent added) {
        if (added != null && added.getResultCode() != KeeperException.Code.OK.intValue()) {
            // Changes were missed all the same: say so. A lost connection brings another
            // RECONNECTED, which adds the watch again.
            log.warn(
                    "re-adding the watch on {} failed: {}",
                    zk.layout().root(),
                    KeeperException.Code.get(added.getResultCode()));
        }
        synchronized (this) {
            if (!registered) {
                return;
            }
            Slot resync = new Slot("");
            resync.all = true;
            resync.event = WatchEvent.resync();
            resync.filled = true;
            slots.addLast(resync);
            drainLocked();
        }
    }

    /** On ZooKeeper's event thread: take a slot in engine order and start filling it. */
    @Override
    public void process(WatchedEvent event) {
        if (event.getType() == Event.EventType.None || event.getPath() == null) {
            return;
        }
        String path = event.getPath();
        Optional<Layout.Target> target = zk.layout().classify(path);
        if (target.isEmpty()) {
            return;
        }
        String name = target.get().name();
        if (subs.stream().noneMatch(s -> Names.isUnder(name, s.prefix()))) {
            return;
        }
        Slot slot = new Slot(name);
        synchronized (this) {
            slots.addLast(slot);
        }
        if (target.get().lockEntry()) {
            try {
                snapshots.execute(() -> fill(slot, lockEvent(name)));
            } catch (RejectedExecutionException e) {
                fill(slot, null); // closing
            }
        } else if (event.getType() == Event.EventType.NodeDeleted) {
            fill(slot, WatchEvent.delete(name));
        } else {
            readKey(slot, path);
        }
    }

    private void readKey(Slot slot, String path) {
        try {
            zk.curator().getData().inBackground((c, e) -> fillKey(slot, e)).forPath(path);
        } catch (Exception e) {
            log.debug("reading {} for a watch event failed: {}", path, e.toString());
            fill(slot, null);
        }
    }

    private void fillKey(Slot slot, CuratorEvent e) {
        if (e.getResultCode() != KeeperException.Code.OK.intValue() || e.getStat() == null) {
            fill(slot, null); // deleted meanwhile (its own event follows) or unreadable
            return;
        }
        long version = e.getStat().getVersion() + 1L;
        WatchEvent event =
                ZooKeeperKeyValue.decode(e.getData())
                        .map(v -> WatchEvent.put(new Versioned(slot.name, v, version)))
                        .orElseGet(() -> WatchEvent.delete(slot.name));
        synchronized (this) {
            slot.version = version;
            slot.event = event;
            slot.filled = true;
            drainLocked();
        }
    }

    private WatchEvent lockEvent(String name) {
        try {
            LockSnapshot snapshot =
                    inspect.apply(name).orElseGet(() -> new LockSnapshot(name, List.of(), 0));
            return WatchEvent.lock(name, snapshot);
        } catch (RuntimeException e) {
            log.debug("reading lock {} for a watch event failed: {}", name, e.toString());
            return WatchEvent.lock(name, null);
        }
    }

    private void fill(Slot slot, WatchEvent event) {
        synchronized (this) {
            slot.event = event;
            slot.filled = true;
            drainLocked();
        }
    }

    /** Delivers filled slots from the head, in order; stops at the first unfilled one. */
    private void drainLocked() {
        while (!slots.isEmpty() && slots.peekFirst().filled) {
            Slot s = slots.pollFirst();
            WatchEvent e = dedupe(s);
            if (e == null) {
                continue;
            }
            for (Sub sub : subs) {
                if (s.all || Names.isUnder(s.name, sub.prefix())) {
                    sub.sink().accept(e);
                }
            }
        }
    }

    /**
     * Drops what was reported already: a key's version at or below the last one delivered (a read
     * that saw a later write delivers that write once), and a second DELETE of the same tombstone.
     * {@code delivered} holds per key the last version reported, negative when it was a tombstone.
     */
    private WatchEvent dedupe(Slot s) {
        WatchEvent e = s.event;
        if (e == null || (e.type() != WatchEvent.Type.PUT && e.type() != WatchEvent.Type.DELETE)) {
            return e;
        }
        Long last = delivered.get(s.name);
        if (s.version == 0) {
            // The key's node itself is gone (removed by hand): report unless its tombstone was.
            delivered.remove(s.name);
            return last != null && last < 0 ? null : e;
        }
        if (last != null && Math.abs(last) >= s.version) {
            return null;
        }
        delivered.put(s.name, e.type() == WatchEvent.Type.DELETE ? -s.version : s.version);
        return e;
    }

    void close() {
        synchronized (this) {
            subs.clear();
            slots.clear();
            registered = false;
        }
        zk.curator().getConnectionStateListenable().removeListener(reconnect);
        snapshots.shutdownNow();
    }
}
