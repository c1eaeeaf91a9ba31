package dev.baton.zookeeper;

import dev.baton.BackendUnavailableException;
import dev.baton.BatonException;
import dev.baton.ClientClosedException;
import dev.baton.LeaseKind;
import dev.baton.LeaseLoss;
import dev.baton.LockSnapshot;
import dev.baton.Names;
import dev.baton.Versioned;
import dev.baton.WatchEvent;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.Backend;
import dev.baton.spi.BackendContext;
import dev.baton.spi.GrantRules;
import dev.baton.spi.GrantSink;
import dev.baton.spi.PendingAcquire;
import dev.baton.spi.PendingAwait;
import dev.baton.spi.Renewal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ZooKeeper backend: one Curator client (one ZooKeeper session) per Baton client.
 *
 * <p>Leases are ephemeral-sequential queue entries ({@link Layout}, {@link LockQueue}); the fencing
 * token is the entry's {@code czxid}, which increases across the deletion and re-creation of the
 * container parent (the sequence suffix does not). A lease lives as long as the session, so renewal
 * is one logical round trip per tick for all leases: a {@code sync} on the namespace root and,
 * pipelined behind it, {@code getEphemerals}, which also reports grants that vanished. Both must
 * succeed; the deadline moves from the time the sync was sent.
 *
 * <p>Why the sync: a read is answered by the connected server alone, and a follower cut off from
 * the leader keeps answering reads (and pings) for up to {@code syncLimit × tickTime} while the
 * leader, which no longer hears of the session, may expire it and hand its locks to others. A sync
 * is answered only after a round trip to the leader, so a cut-off follower cannot confirm a
 * renewal. What remains is not closed: the follower forwards the session's touches to the leader
 * only with its pings, every half {@code tickTime} or so, so if the follower-leader link fails
 * right after a sync succeeded, the touch of that renewal may never reach the leader, whose last
 * news of the session can then be up to about one {@code tickTime} older than the time the sync was
 * sent. In that window the leader may expire the session while the client still counts its leases
 * as held. A safety margin above {@code tickTime} covers it; fencing tokens close it.
 *
 * <p>Session signals come from Curator's connection states: SUSPENDED puts leases in doubt,
 * RECONNECTED confirms them after one round trip, LOST loses them and fails pending acquisitions.
 *
 * <p>An acquire sends the create of its entry and the listing of the queue back to back: one round
 * trip when the name is free ({@link Acquisition} states the ordering this rests on). Waiting is
 * event-driven: a waiter costs no thread. A safety-net timer looks at every pending queue once per
 * session timeout, in case a notification was lost.
 *
 * <p>Monitors ({@link ZooKeeperMonitors}): the entry queue is a MONITOR queue like a mutex's; an
 * await is one {@code multi} that deletes the holder's entry and creates the waiter's entry in the
 * condition's wait queue; a signal deletes waiters' entries in a {@code multi} that checks the
 * holder, and each woken waiter re-enters at the tail by itself (a new entry: its czxid, the new
 * token, is higher than every earlier grant's).
 *
 * <p>This class is the facade: it connects and closes, turns connection states into session
 * signals, renews, releases and inspects, and hands the rest to its parts ({@link Acquisition},
 * {@link ZooKeeperMonitors}, {@link ZooKeeperKeyValue}, {@link ZooKeeperWatch}). The parts never
 * see it: they share ZooKeeper's plumbing through {@link ZooKeeperClient} (the Curator client, the
 * layout, the core's context, bounded waits, guaranteed deletes, error mapping).
 *
 * <p>Threads (the rules in full, and what may block where: {@link ZooKeeperClient}): ZooKeeper's
 * event thread runs answers and watches and only does bookkeeping and non-blocking sends; Curator's
 * connection-state thread only changes lease state and sends; the client's scheduler thread ({@link
 * BackendContext#scheduler()}) runs the safety net, which only sends; work that may block (failing
 * a request, which first deletes its entry; the core's release of a grant that lost a race) goes to
 * the core's blocking executor. Synchronous methods ({@link #release}, {@link #inspect}, key/value)
 * block their caller, bounded by the connect timeout and Curator's retry policy.
 */
final class ZooKeeperBackend implements Backend<String> {
    private static final Logger log = LoggerFactory.getLogger(ZooKeeperBackend.class);

    private final ZooKeeperClient zk;
    private final BackendContext context;
    private final Duration ttl;
    private final Set<Acquisition> pending = ConcurrentHashMap.newKeySet();
    private volatile ScheduledFuture<?> safetyNet;
    private final ZooKeeperKeyValue keyValue;
    private final ZooKeeperWatch watch;
    private final ZooKeeperMonitors monitors;
    private final AutoCloseable server;
    private final ConnectionStateListener stateListener = this::stateChanged;

    private ZooKeeperBackend(ZooKeeperClient zk, Duration ttl, AutoCloseable server) {
        this.zk = zk;
        this.context = zk.context();
        this.ttl = ttl;
        this.server = server;
        this.keyValue = new ZooKeeperKeyValue(zk);
        this.watch = new ZooKeeperWatch(zk, this::inspect);
        this.monitors = new ZooKeeperMonitors(zk, this::acquire);
    }

    /**
     * Connects to {@code connectString} and waits for the session.
     *
     * @param server closed with the backend (the embedded server), or null
     * @throws BackendUnavailableException if no session within the connect timeout; nothing is left
     *     running
     */
    static ZooKeeperBackend connect(
            String connectString, String namespace, BackendContext context, AutoCloseable server) {
        Duration connectTimeout = context.config().connectTimeout();
        ZooKeeperClient zk = new ZooKeeperClient(connectString, namespace, context);
        CuratorFramework client = zk.curator();
        boolean connected = false;
        try {
            client.start();
            connected =
                    client.blockUntilConnected(
                            ZooKeeperClient.millis(connectTimeout), TimeUnit.MILLISECONDS);
            if (!connected) {
                throw new BackendUnavailableException(
                        "cannot reach ZooKeeper at "
                                + connectString
                                + " within "
                                + connectTimeout.toMillis()
                                + " ms");
            }
            Duration negotiated =
                    Duration.ofMillis(
                            client.getZookeeperClient().getZooKeeper().getSessionTimeout());
            ZooKeeperBackend backend = new ZooKeeperBackend(zk, negotiated, server);
            backend.start();
            log.info(
                    "connected to ZooKeeper at {} (namespace /{}, session timeout {} ms)",
                    connectString,
                    namespace,
                    negotiated.toMillis());
            return backend;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connected = false;
            throw new BackendUnavailableException(
                    "interrupted while connecting to ZooKeeper at " + connectString, e);
        } catch (BatonException e) {
            connected = false;
            throw e;
        } catch (Exception e) {
            connected = false;
            throw new BackendUnavailableException(
                    "cannot connect to ZooKeeper at " + connectString + ": " + e, e);
        } finally {
            if (!connected) {
                zk.close();
            }
        }
    }

    private void start() {
        zk.curator().getConnectionStateListenable().addListener(stateListener);
        long every = Math.max(TimeUnit.SECONDS.toNanos(1), ttl.toNanos());
        safetyNet =
                context.scheduler()
                        .scheduleWithFixedDelay(
                                this::safetyNet, every, every, TimeUnit.NANOSECONDS);
    }

    /** The shared plumbing (tests look at the engine through it). */
    ZooKeeperClient zk() {
        return zk;
    }

    // ---- session signals ----

    /** On Curator's connection-state thread: only state changes and non-blocking sends. */
    private void stateChanged(CuratorFramework c, ConnectionState state) {
        if (zk.closing()) {
            return;
        }
        switch (state) {
            case SUSPENDED -> {
                log.info(
                        "connection to ZooKeeper at {} suspended; leases are in doubt",
                        zk.target());
                context.sessionSuspended();
            }
            case RECONNECTED -> {
                long sentAt = context.ticker().read();
                try {
                    zk.curator()
                            .checkExists()
                            .inBackground(
                                    (cc, event) -> {
                                        int rc = event.getResultCode();
                                        if (rc == KeeperException.Code.OK.intValue()
                                                || rc == KeeperException.Code.NONODE.intValue()) {
                                            context.sessionConfirmed(sentAt);
                                        }
                                        recheckAll();
                                    })
                            .forPath(zk.layout().root());
                } catch (Exception e) {
                    log.debug("cannot confirm the session after reconnecting: {}", e.toString());
                }
                log.info("reconnected to ZooKeeper at {}", zk.target());
            }
            case LOST -> {
                log.warn("ZooKeeper session lost ({}); every lease is lost", zk.target());
                context.sessionLost(
                        LeaseLoss.Reason.SESSION_EXPIRED,
                        "the ZooKeeper session expired or could not be kept alive");
                for (Acquisition a : List.copyOf(pending)) {
                    a.fail(
                            zk.unavailable(
                                    "the ZooKeeper session expired while waiting for \""
                                            + a.request().name()
                                            + "\"",
                                    null));
                }
                monitors.failAll(
                        () ->
                                zk.unavailable(
                                        "the ZooKeeper session expired while waiting on a"
                                                + " monitor condition",
                                        null),
                        true);
            }
            default -> {
                // CONNECTED (initial), READ_ONLY: nothing to do
            }
        }
    }

    private void recheckAll() {
        for (Acquisition a : pending) {
            a.check();
        }
        monitors.recheck();
    }

    /** A bounded re-check of every waiter, in case a notification was lost. */
    private void safetyNet() {
        try {
            if (zk.connected()) {
                recheckAll();
            }
        } catch (RuntimeException e) {
            log.warn("safety-net re-check failed", e);
        }
    }

    // ---- Backend ----

    @Override
    public Duration leaseTtl() {
        return ttl;
    }

    @Override
    public PendingAcquire acquire(AcquireRequest request, GrantSink<String> sink) {
        if (zk.closing()) {
            throw new ClientClosedException(zk.clientId());
        }
        Acquisition a = new Acquisition(zk, request, sink, this::forget);
        pending.add(a);
        a.start();
        return a;
    }

    /** An acquisition left WAITING: no more re-checks, nothing to fail on close. */
    private void forget(Acquisition a) {
        pending.remove(a);
    }

    @Override
    public PendingAwait await(
            String holder, String condition, AcquireRequest reentry, GrantSink<String> sink) {
        return monitors.await(holder, condition, reentry, sink);
    }

    @Override
    public int signal(String holder, String monitor, String condition, boolean all) {
        return monitors.signal(holder, monitor, condition, all);
    }

    @Override
    public void release(String path) {
        String what = "releasing " + path;
        if (!zk.connected()) {
            // Do not make the caller (or a closing client, lease by lease) wait out the
            // disconnection: the guaranteed delete runs when the connection is back.
            zk.deleteEntry(path, false, null, what);
            throw zk.unavailable(
                    what + ": not connected; Curator deletes it after reconnecting", null);
        }
        // On ZooKeeper's event thread the answer could only come from this very thread: send
        // the (guaranteed) delete and return. Elsewhere wait for it, bounded.
        zk.deleteEntry(path, !ZooKeeperClient.onZooKeeperEventThread(), null, what);
    }

    @Override
    public CompletionStage<List<Renewal>> renew(List<String> grants) {
        CompletableFuture<List<Renewal>> result = new CompletableFuture<>();
        try {
            // Two pipelined requests for all leases. The sync is answered only after a round trip
            // to the leader; the session's requests are answered in order, so the listing
            // (answered by the connected server) reflects at least what the leader had then. A
            // follower cut off from the leader cannot answer the sync, so it cannot keep
            // confirming a session the leader may be expiring. The listing reports grants that
            // vanished, so they are reported, not assumed. An answer that comes after the core's
            // bound still counts: the core applies it with this round's send time.
            ZooKeeper session = zk.curator().getZookeeperClient().getZooKeeper();
            AtomicInteger synced = new AtomicInteger(Integer.MIN_VALUE);
            session.sync(zk.layout().root(), (rc, path, ctx) -> synced.set(rc), null);
            session.getEphemerals(
                    zk.layout().root(),
                    (rc, ctx, paths) -> {
                        int syncRc = synced.get();
                        if (syncRc != KeeperException.Code.OK.intValue()) {
                            // Answers come in order: the sync's came first (or never, if the
                            // connection broke between the two sends).
                            KeeperException.Code code =
                                    syncRc == Integer.MIN_VALUE
                                            ? KeeperException.Code.CONNECTIONLOSS
                                            : KeeperException.Code.get(syncRc);
                            result.completeExceptionally(
                                    zk.unavailable(
                                            "renewal (sync with the leader)",
                                            KeeperException.create(code)));
                        } else if (rc != KeeperException.Code.OK.intValue()) {
                            result.completeExceptionally(
                                    zk.unavailable(
                                            "renewal",
                                            KeeperException.create(KeeperException.Code.get(rc))));
                        } else {
                            Set<String> alive = new HashSet<>(paths);
                            List<Renewal> verdicts = new ArrayList<>(grants.size());
                            for (String g : grants) {
                                verdicts.add(alive.contains(g) ? Renewal.CONFIRMED : Renewal.GONE);
                            }
                            result.complete(verdicts);
                        }
                    },
                    null);
        } catch (Exception e) {
            result.completeExceptionally(zk.unavailable("renewal", e));
        }
        return result;
    }

    @Override
    public Optional<LockSnapshot> inspect(String name) {
        List<LockSnapshot.Holder> holders = new ArrayList<>();
        int waiters = 0;
        boolean any = false;
        for (Layout.Dir dir : Layout.Dir.values()) {
            String queue = zk.layout().queue(dir, name);
            List<String> children = zk.sync("listing " + queue, () -> zk.childrenOrEmpty(queue));
            List<LockQueue.Entry> entries = LockQueue.parse(children);
            for (int i = 0; i < entries.size(); i++) {
                LockQueue.Entry e = entries.get(i);
                Stat stat = new Stat();
                String p = queue + "/" + e.node();
                byte[] data = zk.sync("reading " + p, () -> zk.dataOrNull(p, stat));
                LockQueue.Payload payload = LockQueue.Payload.decode(data);
                int limit = payload.limit() > 0 ? payload.limit() : e.permits();
                if (data == null) {
                    // Left between the listing and now: neither holder nor waiter any more.
                    continue;
                }
                any = true;
                if (GrantRules.granted(entries, i, limit)) {
                    LeaseKind kind = e.kind() != null ? e.kind() : payload.kind();
                    holders.add(
                            new LockSnapshot.Holder(
                                    payload.clientId() != null ? payload.clientId() : "?",
                                    kind,
                                    e.permits() == Integer.MAX_VALUE
                                            ? Math.max(1, payload.permits())
                                            : e.permits(),
                                    stat.getCzxid(),
                                    Instant.ofEpochMilli(stat.getCtime())));
                } else {
                    waiters++;
                }
            }
        }
        if (!any) {
            return Optional.empty();
        }
        holders.sort(Comparator.comparingLong(LockSnapshot.Holder::fencingToken));
        return Optional.of(new LockSnapshot(name, holders, waiters));
    }

    @Override
    public List<LockSnapshot> locks(String prefix) {
        Set<String> names = new TreeSet<>();
        for (Layout.Dir dir : Layout.Dir.values()) {
            String root = zk.layout().dirRoot(dir);
            for (String child : zk.sync("listing " + root, () -> zk.childrenOrEmpty(root))) {
                String name = Layout.decode(child);
                if (Names.isUnder(name, prefix)) {
                    names.add(name);
                }
            }
        }
        List<LockSnapshot> result = new ArrayList<>();
        for (String name : names) {
            inspect(name).ifPresent(result::add);
        }
        return result;
    }

    @Override
    public Optional<Versioned> get(String key) {
        return keyValue.get(key);
    }

    @Override
    public Versioned put(String key, byte[] value) {
        return keyValue.put(key, value);
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
        return keyValue.compareAndSet(key, expectedVersion, value);
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        return keyValue.delete(key, expectedVersion);
    }

    @Override
    public List<String> keys(String prefix) {
        return keyValue.keys(prefix);
    }

    @Override
    public AutoCloseable watch(String prefix, Consumer<WatchEvent> sink) {
        return watch.subscribe(prefix, sink);
    }

    @Override
    public void close() {
        if (!zk.beginClosing()) {
            return;
        }
        ScheduledFuture<?> net = safetyNet;
        if (net != null) {
            net.cancel(false);
        }
        zk.curator().getConnectionStateListenable().removeListener(stateListener);
        // Waiters fail now; closing the session below removes their entries in one step.
        for (Acquisition a : List.copyOf(pending)) {
            a.abort(new ClientClosedException(zk.clientId()));
        }
        monitors.close();
        watch.close();
        try {
            zk.close();
        } finally {
            if (server != null) {
                try {
                    server.close();
                } catch (Exception e) {
                    log.warn("stopping the embedded ZooKeeper failed: {}", e.toString());
                }
            }
        }
        log.info("disconnected from ZooKeeper at {}", zk.target());
    }
}
