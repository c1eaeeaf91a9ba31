package dev.baton.zookeeper;

import dev.baton.BackendUnavailableException;
import dev.baton.BatonException;
import dev.baton.ClientClosedException;
import dev.baton.Ticker;
import dev.baton.spi.BackendContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ZooKeeper's plumbing, shared by the backend and its parts ({@link Acquisition}, {@link
 * ZooKeeperKeyValue}, {@link ZooKeeperWatch}): the Curator client (one ZooKeeper session per Baton
 * client), the {@link Layout}, the core's {@link BackendContext}, and the rules for talking to
 * ZooKeeper from each thread. The parts depend on this class, never on the backend, which starts
 * and closes it, handles the session's signals, renews, and delegates to the parts.
 *
 * <p>Threads, and what may block where:
 *
 * <ul>
 *   <li>ZooKeeper's event thread ({@link #onZooKeeperEventThread()}) runs every answer and watch.
 *       It only does bookkeeping and non-blocking sends, and never waits for ZooKeeper: the answer
 *       could only come from that very thread.
 *   <li>Curator's threads, the connection-state thread above all (it carries every connection
 *       state), only change lease state and send; anything that must wait goes to a worker.
 *   <li>The client's scheduler thread ({@link BackendContext#scheduler()}) runs the backend's
 *       safety net, which only sends.
 *   <li>Work that may block (failing a request, which first deletes its entry; the core's release
 *       of a grant that lost a race) runs on the core's blocking executor ({@link #runBlocking}).
 *   <li>Synchronous calls ({@link #sync}: release, inspect, key/value, adding a watch) block their
 *       caller, bounded by the connect timeout and Curator's retry policy ({@link #MAX_RETRIES});
 *       waiting for a background call's answer ({@link #await}) is bounded by the connect timeout.
 *       Whether the current thread may wait at all: {@link #mayBlockHere()}. A {@link #multiOnce}
 *       (the monitor's atomic steps) is sent once and never retried, its answer awaited on the
 *       caller's thread, bounded by the connect timeout.
 * </ul>
 *
 * <p>Deletes of queue entries are guaranteed ({@link #deleteEntry}): Curator retries them after a
 * connection loss, so a wait that ends unconfirmed leaves the delete going; once the client is
 * closed, the session's end removes the ephemeral entry anyway. Failures become {@link
 * BackendUnavailableException}s naming the servers ({@link #unavailable}); a synchronous call after
 * closing began fails with {@link ClientClosedException}.
 */
final class ZooKeeperClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ZooKeeperClient.class);

    /** Retries of one operation on connection loss; each waits up to the connect timeout. */
    static final int MAX_RETRIES = 2;

    private final CuratorFramework curator;
    private final BackendContext context;
    private final Layout layout;
    private final String target;
    private final long answerTimeoutNanos;
    private final EmptyQueues emptyQueues = new EmptyQueues();
    private volatile boolean closing;

    /**
     * Builds the Curator client for {@code connectString}, not yet started: the backend starts it
     * and waits for the session.
     */
    ZooKeeperClient(String connectString, String namespace, BackendContext context) {
        Duration connectTimeout = context.config().connectTimeout();
        this.curator =
                CuratorFrameworkFactory.builder()
                        .connectString(connectString)
                        .sessionTimeoutMs(Math.toIntExact(context.config().leaseTtl().toMillis()))
                        .connectionTimeoutMs(millis(connectTimeout))
                        .retryPolicy(new ExponentialBackoffRetry(100, MAX_RETRIES))
                        // The client must keep talking to the hosts it was given (e.g. a proxy).
                        .ensembleTracker(false)
                        .threadFactory(daemonThreads("baton-zk-curator-" + context.clientId()))
                        .build();
        this.context = context;
        this.layout = new Layout(namespace);
        this.target = connectString;
        this.answerTimeoutNanos = connectTimeout.toNanos();
    }

    static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    CuratorFramework curator() {
        return curator;
    }

    BackendContext context() {
        return context;
    }

    Layout layout() {
        return layout;
    }

    /** The queues this client left empty ({@link Acquisition}'s two-request cycle). */
    EmptyQueues emptyQueues() {
        return emptyQueues;
    }

    String clientId() {
        return context.clientId();
    }

    Ticker ticker() {
        return context.ticker();
    }

    /** The connect string: the servers that error messages name. */
    String target() {
        return target;
    }

    /** Whether the session is connected now. */
    boolean connected() {
        return curator.getZookeeperClient().isConnected();
    }

    /**
     * Marks that the client is closing, first thing in the backend's close: from now on nobody
     * waits for ZooKeeper (closing the session cleans up) and synchronous calls fail. False if it
     * was marked already.
     */
    boolean beginClosing() {
        if (closing) {
            return false;
        }
        closing = true;
        return true;
    }

    boolean closing() {
        return closing;
    }

    /** Closes the Curator client, which ends the session and with it every ephemeral entry. */
    @Override
    public void close() {
        curator.close();
    }

    /** Runs work that may block on the core's worker pool (never a ZooKeeper thread). */
    void runBlocking(Runnable task) {
        try {
            context.blockingExecutor().execute(task);
        } catch (RejectedExecutionException e) {
            task.run(); // the client is closing: do it here
        }
    }

    /**
     * Whether the current thread may wait for ZooKeeper: not ZooKeeper's own event thread (whose
     * answers we would be waiting for), not while closing (closing the session cleans up), and not
     * while disconnected (the guaranteed delete completes after reconnecting; nobody should wait
     * for that).
     */
    boolean mayBlockHere() {
        return !closing && !onZooKeeperEventThread() && connected();
    }

    /** Whether this is ZooKeeper's event thread, which runs every answer and watch. */
    static boolean onZooKeeperEventThread() {
        return Thread.currentThread().getName().endsWith("-EventThread");
    }

    /** Waits for a future bounded by the connect timeout; null if it does not answer in time. */
    <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get(answerTimeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return f.getNow(null);
        } catch (ExecutionException | TimeoutException e) {
            log.debug("{} did not answer: {}", what, e.toString());
            return f.getNow(null);
        }
    }

    /** Deletes a queue entry (guaranteed: Curator retries after connection loss). */
    void deleteEntry(String path, boolean wait) {
        deleteEntry(path, wait, null, "withdrawing " + path);
    }

    /** As {@link #deleteEntry(String, boolean)}, then runs {@code after} when ZooKeeper answers. */
    void deleteEntry(String path, boolean wait, Runnable after) {
        deleteEntry(path, wait, after, "withdrawing " + path);
    }

    /**
     * As {@link #deleteEntry(String, boolean, Runnable)}, naming the deletion {@code what} in
     * errors. With {@code wait}, returns once ZooKeeper confirmed (a missing entry counts as
     * deleted), bounded by the connect timeout, and throws {@link BackendUnavailableException} if
     * it did not; the guaranteed delete goes on all the same.
     */
    void deleteEntry(String path, boolean wait, Runnable after, String what) {
        CompletableFuture<Integer> answered = new CompletableFuture<>();
        try {
            curator.delete()
                    .guaranteed()
                    .inBackground(
                            (c, event) -> {
                                if (event.getResultCode() == KeeperException.Code.OK.intValue()) {
                                    emptyQueues.deleted(path);
                                } else {
                                    emptyQueues.forget(path);
                                }
                                answered.complete(event.getResultCode());
                                if (after != null) {
                                    after.run();
                                }
                            })
                    .forPath(path);
        } catch (Exception e) {
            // Closed client: the session's end removes the ephemeral entry anyway.
            emptyQueues.forget(path);
            log.debug("cannot send delete of {}: {}", path, e.toString());
            if (after != null) {
                after.run();
            }
            return;
        }
        if (!wait) {
            return;
        }
        Integer rc = await(answered, what);
        if (rc == null) {
            throw unavailable(
                    what
                            + " not confirmed within "
                            + TimeUnit.NANOSECONDS.toMillis(answerTimeoutNanos)
                            + " ms; Curator retries the delete after reconnecting",
                    null);
        }
        if (rc != KeeperException.Code.OK.intValue()
                && rc != KeeperException.Code.NONODE.intValue()) {
            throw unavailable(what, KeeperException.create(KeeperException.Code.get(rc)));
        }
    }

    /**
     * Which ZooKeeper session the client is on: Curator's index of its ZooKeeper handle, which
     * changes exactly when Curator replaces the handle, i.e. with every new session (the connect
     * string is fixed). Read without side effects, unlike {@code getZooKeeper()}, which hands the
     * caller a pending background exception. Non-blocking; any thread.
     */
    long session() {
        return curator.getZookeeperClient().getInstanceIndex();
    }

    /**
     * The answer to one {@link #multiOnce}.
     *
     * @param code the multi's outcome: OK, or the code of the operation that failed ({@code
     *     OPERATIONTIMEOUT} if no answer came in time)
     * @param results one per operation when answered, else empty
     * @param failedAt the index of the operation that failed; -1 if none is named
     * @param session the session the multi was sent on ({@link #session()})
     */
    record MultiAnswer(
            KeeperException.Code code, List<OpResult> results, int failedAt, long session) {
        boolean ok() {
            return code == KeeperException.Code.OK;
        }

        /** Whether the multi may or may not have been applied: its answer was lost. */
        boolean unknown() {
            return code == KeeperException.Code.CONNECTIONLOSS
                    || code == KeeperException.Code.OPERATIONTIMEOUT
                    || code == KeeperException.Code.REQUESTTIMEOUT;
        }

        /** Whether operation {@code index} is the one that failed, with {@code failure}. */
        boolean failed(int index, KeeperException.Code failure) {
            return failedAt == index && code == failure;
        }

        static MultiAnswer of(int rc, List<OpResult> results, long session) {
            if (rc == KeeperException.Code.OK.intValue() || results == null) {
                return new MultiAnswer(
                        KeeperException.Code.get(rc),
                        results == null ? List.of() : results,
                        -1,
                        session);
            }
            // The failed operation carries its own code; those after it are marked
            // RUNTIMEINCONSISTENCY, and those before it (rolled back) OK.
            for (int i = 0; i < results.size(); i++) {
                if (results.get(i) instanceof OpResult.ErrorResult e
                        && e.getErr() != KeeperException.Code.OK.intValue()
                        && e.getErr() != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
                    return new MultiAnswer(
                            KeeperException.Code.get(e.getErr()), results, i, session);
                }
            }
            return new MultiAnswer(KeeperException.Code.get(rc), results, -1, session);
        }
    }

    /**
     * Sends {@code ops} as one atomic {@code multi}, once, without waiting: {@code answer} runs on
     * ZooKeeper's event thread, in order with every other answer of the session. Never retried (see
     * {@link #multiOnce}); a lost answer comes as {@link MultiAnswer#unknown}. Non-blocking; any
     * thread.
     *
     * @return false if nothing was sent (closing, not connected, no session): {@code answer} will
     *     not run
     */
    boolean sendMulti(List<Op> ops, Consumer<MultiAnswer> answer) {
        if (closing || !connected()) {
            return false;
        }
        ZooKeeper handle;
        try {
            handle = curator.getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            log.debug("no session to send a multi on: {}", e.toString());
            return false;
        }
        long id = session();
        handle.multi(
                ops,
                (rc, path, ctx, results) -> answer.accept(MultiAnswer.of(rc, results, id)),
                null);
        return true;
    }

    /**
     * Sends {@code ops} as one atomic {@code multi}, once, and waits for the answer on the caller's
     * thread, bounded by the connect timeout (an interrupt does not cut the wait short: the caller
     * needs to know what the engine did; the interrupt status is kept).
     *
     * <p>Never retried, unlike Curator's calls: a multi retried after a lost answer would be judged
     * against its own effect (the entry it deleted is missing), so a lost answer is reported as
     * such ({@link MultiAnswer#unknown}) and the caller settles it. Not connected: nothing is sent.
     *
     * @throws ClientClosedException if the client is closing
     * @throws BackendUnavailableException if not connected, or on ZooKeeper's event thread (which
     *     could never deliver the answer it would wait for); nothing was sent
     */
    MultiAnswer multiOnce(List<Op> ops, String what) {
        if (closing) {
            throw new ClientClosedException(clientId());
        }
        if (onZooKeeperEventThread()) {
            throw unavailable(what + ": cannot wait for ZooKeeper on its own event thread", null);
        }
        if (!connected()) {
            throw unavailable(what + ": not connected; nothing was sent", null);
        }
        ZooKeeper handle;
        try {
            handle = curator.getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            throw unavailable(what + ": no session", e);
        }
        // Read after taking the handle: if Curator replaced it in between, the multi goes to the
        // closed old handle and fails, so no answer names the wrong session.
        long id = session();
        CompletableFuture<MultiAnswer> answered = new CompletableFuture<>();
        handle.multi(
                ops,
                (rc, path, ctx, results) -> answered.complete(MultiAnswer.of(rc, results, id)),
                null);
        MultiAnswer a = awaitUninterruptibly(answered);
        if (a == null) {
            log.debug("{}: no answer within the connect timeout", what);
            return new MultiAnswer(KeeperException.Code.OPERATIONTIMEOUT, List.of(), -1, id);
        }
        return a;
    }

    private <T> T awaitUninterruptibly(CompletableFuture<T> f) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + answerTimeoutNanos;
        try {
            while (true) {
                try {
                    return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException | TimeoutException e) {
                    return null;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    BackendUnavailableException unavailable(String what, Throwable cause) {
        String detail = cause == null ? "" : ": " + cause;
        return new BackendUnavailableException(
                "ZooKeeper at " + target + ": " + what + detail, cause);
    }

    /** A blocking Curator call. */
    interface ZkCall<T> {
        T call() throws Exception;
    }

    /** Runs a foreground Curator call, mapping its failures to Baton's exceptions. */
    <T> T sync(String what, ZkCall<T> call) {
        if (closing) {
            throw new ClientClosedException(clientId());
        }
        try {
            return call.call();
        } catch (BatonException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendUnavailableException(
                    "interrupted while " + what + " on ZooKeeper at " + target, e);
        } catch (Exception e) {
            throw unavailable(what + " failed", e);
        }
    }

    /**
     * {@link #sync} for an idempotent call inside a step whose outcome must be known (a monitor's
     * await, like {@link #multiOnce}): an interrupt, already set or arriving during the call, does
     * not end it; the call is made again, and the interrupt is set again before returning or
     * throwing, for the caller's next wait to see.
     */
    <T> T syncKeepingInterrupt(String what, ZkCall<T> call) {
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    return sync(what, call);
                } catch (BackendUnavailableException e) {
                    if (!(e.getCause() instanceof InterruptedException)) {
                        throw e;
                    }
                    Thread.interrupted(); // sync set it again; keep it for the end
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A node's children; empty if the node does not exist. Blocks: use inside {@link #sync}. */
    List<String> childrenOrEmpty(String path) throws Exception {
        try {
            return curator.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    /**
     * A node's data, its stat stored in {@code stat}; null if the node does not exist. Blocks: use
     * inside {@link #sync}.
     */
    byte[] dataOrNull(String path, Stat stat) throws Exception {
        try {
            return curator.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }
}
