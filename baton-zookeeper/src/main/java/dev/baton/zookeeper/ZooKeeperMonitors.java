package dev.baton.zookeeper;

import dev.baton.ClientClosedException;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.GrantSink;
import dev.baton.spi.NotHolderException;
import dev.baton.spi.PendingAwait;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Monitor conditions: await and signal. The monitor's entry queue is a FIFO exclusive lock of kind
 * MONITOR in its own directory ({@link Layout.Dir#MONITOR}), acquired, renewed and released as a
 * mutex is; each condition has a wait queue of ephemeral-sequential entries ({@link
 * ConditionQueue}) in a separate tree ({@link Layout#condition}).
 *
 * <ul>
 *   <li><b>await</b> is one {@code multi}: delete the holder's entry (handing the monitor to the
 *       next entrant) and create the waiter's entry, together, so no signal can fall between (the
 *       issue's "ZooKeeper with multi"). A failing delete (NoNode) means the grant is not the
 *       holder: nothing changed. The waiter ({@link ConditionWait}) then watches its entry.
 *   <li><b>signal</b> lists the wait queue and, oldest first, sends {@code multi(check(holder),
 *       delete(waiter))} per waiter: the check makes "only the current holder may signal" a fact of
 *       the engine; a waiter already gone (its time-up, another signal, its session's end) is
 *       skipped. The woken waiter sees its entry deleted and re-enters the monitor by itself, as a
 *       new entry at the tail, so its token (the new entry's czxid) is higher and grant order stays
 *       czxid order.
 * </ul>
 *
 * <p>A multi is sent once and never retried ({@link ZooKeeperClient#multiOnce}). An await whose
 * answer was lost may have created its waiter: the waiter is an orphan that nobody watches, which
 * would swallow a signal, so its directory and marker are kept and the backend's re-checks (after
 * reconnecting, and on the safety-net tick) sync, list and delete it.
 *
 * <p>Threads: {@link #await} and {@link #signal} run on the caller's thread and block, bounded
 * (never an engine thread: the core calls them from the waiting or signalling caller). {@link
 * #recheck} only sends; {@link #failAll} only changes state and calls sinks, which never block. The
 * set of waiters is concurrent; each waiter guards its own state.
 */
final class ZooKeeperMonitors {
    private static final Logger log = LoggerFactory.getLogger(ZooKeeperMonitors.class);

    /** Tries of an await whose wait-queue directory vanished under it (a container removed). */
    private static final int CREATE_TRIES = 3;

    private final ZooKeeperClient zk;
    private final ConditionWait.Entrance entrance;
    private final Set<ConditionWait> waiting = ConcurrentHashMap.newKeySet();
    private final Set<Orphan> orphans = ConcurrentHashMap.newKeySet();

    /** A waiter an await may have created without learning of it. */
    private record Orphan(String dir, String marker) {}

    /**
     * @param entrance starts a re-entry acquisition (the backend's {@code acquire}), so that a
     *     requeued waiter is re-checked, failed and aborted with every other acquisition
     */
    ZooKeeperMonitors(ZooKeeperClient zk, ConditionWait.Entrance entrance) {
        this.zk = zk;
        this.entrance = entrance;
    }

    /** See {@link dev.baton.spi.Backend#await}. */
    PendingAwait await(
            String holder, String condition, AcquireRequest reentry, GrantSink<String> sink) {
        String monitor = reentry.name();
        if (holder != null) {
            requireEntryOf(holder, monitor);
        }
        String dir = zk.layout().condition(monitor, condition);
        String marker = ConditionQueue.newMarker();
        String what = "waiting on condition \"" + condition + "\" of monitor \"" + monitor + "\"";
        String waiter = dir + "/" + ConditionQueue.body(marker);
        for (int attempt = 1; ; attempt++) {
            List<Op> ops = new ArrayList<>(2);
            if (holder != null) {
                ops.add(Op.delete(holder, -1));
            }
            // Open ACL: Curator's default, which every other entry gets.
            ops.add(
                    Op.create(
                            waiter,
                            ConditionQueue.payload(zk.clientId()),
                            ZooDefs.Ids.OPEN_ACL_UNSAFE,
                            CreateMode.EPHEMERAL_SEQUENTIAL));
            int create = ops.size() - 1;
            ZooKeeperClient.MultiAnswer a = zk.multiOnce(ops, what);
            if (a.ok()) {
                String path = ((OpResult.CreateResult) a.results().get(create)).getPath();
                return started(
                        new ConditionWait(
                                zk,
                                path,
                                a.session(),
                                condition,
                                reentry,
                                sink,
                                entrance,
                                waiting::remove));
            }
            if (a.unknown()) {
                orphans.add(new Orphan(dir, marker));
                recheck();
                throw zk.unavailable(
                        what
                                + ": no answer, so whether the monitor was given up is unknown; a"
                                + " waiter it may have left is deleted once ZooKeeper answers",
                        KeeperException.create(a.code()));
            }
            if (holder != null && a.failed(0, KeeperException.Code.NONODE)) {
                throw notHolder(holder, monitor);
            }
            if (a.failed(create, KeeperException.Code.NONODE) && attempt < CREATE_TRIES) {
                // The wait queue's directory (a container) is missing, or was removed since we
                // made it: make it, and send the whole multi again (nothing was applied). An
                // interrupt does not stop this step: it ends the wait for the re-entry instead,
                // once the waiter is queued, as an interrupt at any later point does.
                try {
                    zk.syncKeepingInterrupt(
                            "creating " + dir,
                            () -> {
                                zk.curator().createContainers(dir);
                                return null;
                            });
                } catch (RuntimeException e) {
                    dropIfEmpty(dir);
                    throw e;
                }
                continue;
            }
            throw zk.unavailable(what, KeeperException.create(a.code()));
        }
    }

    /**
     * An await gave up (the engine failed; an interrupt waits for the step) while making the wait
     * queue's directory, which the server may have made all the same: ZooKeeper removes a container
     * only once it has had a child, so one that never gets its waiter would stay forever. Deletes
     * it unless a waiter is in it (then the delete fails, harmlessly, and the container goes with
     * its last child). A waiter of another client about to enter finds no directory and makes it
     * again (its multi fails whole, so nothing is lost). In the background: the caller's thread may
     * be interrupted.
     */
    private void dropIfEmpty(String dir) {
        try {
            zk.curator().delete().inBackground((client, event) -> {}).forPath(dir);
        } catch (Exception e) {
            // closing: the directory stays; nothing else to do from here
        }
    }

    private ConditionWait started(ConditionWait w) {
        waiting.add(w);
        if (zk.closing()) {
            // Closing began while the multi was in flight, perhaps after close failed the others.
            w.fail(new ClientClosedException(zk.clientId()), false);
        } else {
            w.watch();
        }
        return w;
    }

    /** See {@link dev.baton.spi.Backend#signal}. */
    int signal(String holder, String monitor, String condition, boolean all) {
        requireEntryOf(holder, monitor);
        String dir = zk.layout().condition(monitor, condition);
        String what = "signalling condition \"" + condition + "\" of monitor \"" + monitor + "\"";
        List<String> waiters =
                ConditionQueue.sorted(zk.sync("listing " + dir, () -> zk.childrenOrEmpty(dir)));
        if (waiters.isEmpty()) {
            Stat held =
                    zk.sync("checking " + holder, () -> zk.curator().checkExists().forPath(holder));
            if (held == null) {
                throw notHolder(holder, monitor);
            }
            return 0;
        }
        int moved = 0;
        for (String w : waiters) {
            ZooKeeperClient.MultiAnswer a =
                    zk.multiOnce(List.of(Op.check(holder, -1), Op.delete(dir + "/" + w, -1)), what);
            if (a.ok()) {
                moved++;
                if (!all) {
                    break;
                }
            } else if (a.failed(1, KeeperException.Code.NONODE)) {
                // Taken already: by its own time-up, another signal, or its session's end.
                continue;
            } else if (a.failed(0, KeeperException.Code.NONODE)) {
                if (moved > 0) {
                    // Lost mid-signalAll: the waiters moved so far were moved while it held;
                    // the loss itself reaches the lease through renewal.
                    return moved;
                }
                throw notHolder(holder, monitor);
            } else if (a.unknown()) {
                throw zk.unavailable(
                        what + ": no answer after moving " + moved + "; the next may be moved too",
                        KeeperException.create(a.code()));
            } else {
                throw zk.unavailable(what, KeeperException.create(a.code()));
            }
        }
        return moved;
    }

    /**
     * Looks again at every waiter (in case a notification was lost) and deletes orphans. Only
     * sends; any thread.
     */
    void recheck() {
        for (ConditionWait w : waiting) {
            w.watch();
        }
        if (orphans.isEmpty() || !zk.connected()) {
            return;
        }
        for (Orphan o : List.copyOf(orphans)) {
            try {
                // The sync orders the listing after whatever the lost multi did on the leader.
                zk.curator()
                        .sync()
                        .inBackground(
                                (c, e) -> {
                                    if (e.getResultCode() == KeeperException.Code.OK.intValue()) {
                                        deleteOrphan(o);
                                    } else if (e.getResultCode()
                                            == KeeperException.Code.NONODE.intValue()) {
                                        orphans.remove(o); // no queue: no orphan
                                    }
                                })
                        .forPath(o.dir());
            } catch (Exception e) {
                log.debug("cannot look for an orphaned waiter in {}: {}", o.dir(), e.toString());
            }
        }
    }

    private void deleteOrphan(Orphan o) {
        try {
            zk.curator()
                    .getChildren()
                    .inBackground(
                            (c, e) -> {
                                int rc = e.getResultCode();
                                if (rc == KeeperException.Code.OK.intValue()) {
                                    for (String child : e.getChildren()) {
                                        if (ConditionQueue.madeWith(child, o.marker())) {
                                            log.info(
                                                    "deleting orphaned waiter {}/{}",
                                                    o.dir(),
                                                    child);
                                            zk.deleteEntry(o.dir() + "/" + child, false);
                                        }
                                    }
                                    orphans.remove(o);
                                } else if (rc == KeeperException.Code.NONODE.intValue()) {
                                    orphans.remove(o);
                                }
                            })
                    .forPath(o.dir());
        } catch (Exception e) {
            log.debug("cannot list {}: {}", o.dir(), e.toString());
        }
    }

    /**
     * Fails every waiter still in a wait queue: the session was lost (their entries went with it),
     * or the client closes (closing the session removes them). Requeued waiters are acquisitions,
     * failed with the others by the backend. Non-blocking; any thread.
     *
     * @param deleteEntries also send deletes of the entries (after a session loss)
     */
    void failAll(Supplier<RuntimeException> error, boolean deleteEntries) {
        for (ConditionWait w : List.copyOf(waiting)) {
            w.fail(error.get(), deleteEntries);
        }
    }

    /** Forgets orphans: closing the session removes them. */
    void close() {
        failAll(() -> new ClientClosedException(zk.clientId()), false);
        orphans.clear();
    }

    /** Cheap local part of the holder check: the grant must be an entry of this monitor's queue. */
    private void requireEntryOf(String holder, String monitor) {
        String queue = zk.layout().queue(Layout.Dir.MONITOR, monitor) + "/";
        if (!holder.startsWith(queue) || holder.indexOf('/', queue.length()) >= 0) {
            throw new NotHolderException(
                    holder + " is not an entry of the queue of monitor \"" + monitor + "\"");
        }
    }

    private static NotHolderException notHolder(String holder, String monitor) {
        return new NotHolderException(
                holder
                        + " is no longer in the engine: it is not the holder of monitor \""
                        + monitor
                        + "\"");
    }
}
