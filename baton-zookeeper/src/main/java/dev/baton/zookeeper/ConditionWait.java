package dev.baton.zookeeper;

import dev.baton.spi.AcquireRequest;
import dev.baton.spi.GrantSink;
import dev.baton.spi.PendingAcquire;
import dev.baton.spi.PendingAwait;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One waiter of a monitor condition, from the moment its await's multi created its entry in the
 * condition's wait queue ({@link ConditionQueue}) until it re-enters the monitor:
 *
 * <pre>
 * WAITING (entry in the wait queue, watched)
 *   → the entry is deleted (a signal, or our own time-up) → REQUEUED: a new Acquisition of the
 *     monitor at the tail of its entry queue, reporting to the await's sink
 *   → withdrawn by the caller → WITHDRAWN;  the session ends, the client closes → FAILED
 * </pre>
 *
 * <p>Why the waiter re-enters by itself: the fencing token is the entry's {@code czxid}, and grant
 * order must be czxid order, so the new entry has to be created after the signal, at the tail; the
 * signaller only deletes the waiter's entry ({@link ZooKeeperMonitors#signal}). Whoever sees the
 * deletion first — the watch's NodeDeleted, the answer to setting the watch (NoNode), a re-check,
 * or {@link #timeUp} — requeues; the state makes it happen once.
 *
 * <p>Threads and invariants: watches and answers arrive on ZooKeeper's event thread, re-checks on
 * the safety-net or connection-state thread, {@link #timeUp} and {@link #withdraw} on the waiting
 * caller's thread. {@code state} is guarded by {@code this} and leaves WAITING exactly once; no
 * Curator call, no sink call and no requeue happens under the lock. Requeueing starts an
 * Acquisition, which only sends, so it may run on the event thread; the sink never blocks and runs
 * no user code. {@code requeuedAs} is completed right after the state left WAITING (with null if
 * nothing was requeued), so a withdrawal that finds REQUEUED can always reach the acquisition.
 *
 * <p>A waiter is session-bound: its entry is ephemeral, so a dead client's waiter leaves the queue
 * with its session, and signals skip it. A deletion observed from another session than the one that
 * created the entry is its session's end, not a signal: the sink fails (as the backend's
 * session-loss handling does for every waiter).
 */
final class ConditionWait implements PendingAwait, Watcher {
    private static final Logger log = LoggerFactory.getLogger(ConditionWait.class);

    /** Starts an acquisition (the backend's {@code acquire}); never blocks. */
    interface Entrance {
        PendingAcquire enter(AcquireRequest request, GrantSink<String> sink);
    }

    private enum State {
        WAITING,
        REQUEUED,
        WITHDRAWN,
        FAILED
    }

    private final ZooKeeperClient zk;
    private final String path;
    private final long session;
    private final String condition;
    private final AcquireRequest reentry;
    private final GrantSink<String> sink;
    private final Entrance entrance;
    private final Consumer<ConditionWait> forget;
    private final CompletableFuture<PendingAcquire> requeuedAs = new CompletableFuture<>();

    private State state = State.WAITING; // guarded by this

    /**
     * @param path the waiter's entry in the wait queue
     * @param session the ZooKeeper session that created it ({@link ZooKeeperClient#session()})
     * @param forget called once, when the waiter leaves WAITING
     */
    ConditionWait(
            ZooKeeperClient zk,
            String path,
            long session,
            String condition,
            AcquireRequest reentry,
            GrantSink<String> sink,
            Entrance entrance,
            Consumer<ConditionWait> forget) {
        this.zk = zk;
        this.path = path;
        this.session = session;
        this.condition = condition;
        this.reentry = reentry;
        this.sink = sink;
        this.entrance = entrance;
        this.forget = forget;
    }

    String path() {
        return path;
    }

    /**
     * Watches the entry (again): its deletion requeues. A getData watch, since on NoNode it leaves
     * no watch behind; setting the same watcher again is harmless. Non-blocking; any thread.
     */
    void watch() {
        synchronized (this) {
            if (state != State.WAITING) {
                return;
            }
        }
        try {
            zk.curator()
                    .getData()
                    .usingWatcher(this)
                    .inBackground(
                            (c, event) -> {
                                if (event.getResultCode()
                                        == KeeperException.Code.NONODE.intValue()) {
                                    requeue();
                                }
                                // Other failures: the reconnect handler and the safety net look
                                // again.
                            })
                    .forPath(path);
        } catch (Exception e) {
            log.debug("cannot watch {}: {}", path, e.toString());
        }
    }

    @Override
    public void process(WatchedEvent event) {
        if (event.getType() == Event.EventType.NodeDeleted) {
            requeue();
        } else if (event.getType() != Event.EventType.None) {
            watch(); // not a deletion: keep watching
        }
    }

    /** The entry is gone: re-enter at the tail of the monitor's entry queue, once. */
    private void requeue() {
        boolean sessionEnded = zk.session() != session;
        synchronized (this) {
            if (state != State.WAITING) {
                return;
            }
            state = sessionEnded ? State.FAILED : State.REQUEUED;
        }
        forget.accept(this);
        if (sessionEnded) {
            requeuedAs.complete(null);
            sink.failed(
                    zk.unavailable(
                            "the ZooKeeper session ended while waiting on " + describe(), null));
            return;
        }
        PendingAcquire acquisition = null;
        try {
            acquisition = entrance.enter(reentry, sink);
        } catch (RuntimeException e) {
            sink.failed(e); // the client is closing
        } finally {
            requeuedAs.complete(acquisition);
        }
    }

    /**
     * Deletes the entry if it is still in the wait queue; its deletion requeues. On the caller's
     * thread, bounded.
     */
    @Override
    public boolean timeUp() {
        synchronized (this) {
            if (state != State.WAITING) {
                return false; // requeued by a signal, or failed (the sink says so)
            }
        }
        String what = "the time-up of a waiter on " + describe();
        ZooKeeperClient.MultiAnswer a = zk.multiOnce(List.of(Op.delete(path, -1)), what);
        if (a.ok()) {
            requeue(); // unless the watch did already
            return true;
        }
        if (a.code() == KeeperException.Code.NONODE) {
            // A signal got there first (the watch requeues), or the session ended (its loss
            // fails the sink).
            return false;
        }
        throw zk.unavailable(what, KeeperException.create(a.code()));
    }

    /**
     * Removes the waiter from whichever queue it is in: deletes its wait-queue entry (a deletion by
     * a signal that raced this is harmless: the state stops the requeue), or withdraws the re-entry
     * acquisition. Bounded as {@link Acquisition#withdraw}; on a ZooKeeper thread it only sends.
     */
    @Override
    public void withdraw() {
        State was;
        synchronized (this) {
            was = state;
            if (was == State.WAITING || was == State.REQUEUED) {
                state = State.WITHDRAWN;
            }
        }
        boolean mayWait = zk.mayBlockHere();
        if (was == State.WAITING) {
            forget.accept(this);
            requeuedAs.complete(null);
            try {
                zk.deleteEntry(path, mayWait);
            } catch (RuntimeException e) {
                // Not confirmed in time: the guaranteed delete goes on.
                log.debug("withdrawing {} not confirmed: {}", path, e.toString());
            }
        } else if (was == State.REQUEUED) {
            PendingAcquire a =
                    mayWait
                            ? zk.await(requeuedAs, "the re-entry of " + describe())
                            : requeuedAs.getNow(null);
            if (a != null) {
                a.withdraw();
            } else {
                requeuedAs.thenAccept(p -> withdrawLater(p));
            }
        }
    }

    private static void withdrawLater(PendingAcquire p) {
        if (p != null) {
            p.withdraw();
        }
    }

    /**
     * Fails a waiter still in the wait queue (the session was lost, the client closes): its entry
     * goes with the session.
     *
     * @param delete also send a delete of the entry (in case the session survived after all)
     */
    void fail(RuntimeException error, boolean delete) {
        synchronized (this) {
            if (state != State.WAITING) {
                return; // a requeued waiter's acquisition is failed by the backend
            }
            state = State.FAILED;
        }
        forget.accept(this);
        requeuedAs.complete(null);
        if (delete) {
            zk.deleteEntry(path, false);
        }
        sink.failed(error);
    }

    String describe() {
        return "condition \"" + condition + "\" of monitor \"" + reentry.name() + "\"";
    }

    @Override
    public String toString() {
        return "ConditionWait{" + path + "}";
    }
}
