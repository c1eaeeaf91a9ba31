package dev.baton.zookeeper;

import dev.baton.BackendUnavailableException;
import dev.baton.InvalidArgumentException;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.GrantSink;
import dev.baton.spi.PendingAcquire;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One acquire request as an event-driven state machine over Curator's background calls, so that a
 * waiter costs no thread:
 *
 * <pre>
 * this client left the queue empty ({@link EmptyQueues})?
 *   yes: multi(create entry, setData directory)
 *          → the answer proves the entry first in line?  yes: report the grant
 *                                                       no:  getChildren (the first look) …
 *   no:  create (protected, ephemeral-sequential, czxid in the same answer)
 *          + getChildren, sent right behind it without waiting (the first look)
 *            → granted?  yes: report the grant (sentAt of that getChildren) to the sink
 *                        no:  watch the predecessor (getData-watch; semaphores: child watch)
 *                               → on change: getChildren again …
 * </pre>
 *
 * <p>Requests and round trips. Where this client was the last to use a name and left its queue
 * empty, the create alone can prove the entry first in line ({@link EmptyQueues} has the proof): an
 * uncontended acquire is then one request, and a cycle with the release's delete two, like a bare
 * create and delete. Otherwise ZooKeeper answering one session's requests in the order they were
 * sent does the work: a {@code getChildren} sent behind the create on the same connection is
 * answered after the create was applied, and its listing holds the new entry, so an acquire costs
 * one round trip (two requests), and a cycle two round trips.
 *
 * <p>The ordering invariant this rests on: <em>the first look decides only if the create's answer
 * came first</em> (its entry and czxid are known when the listing is handled), and a first look
 * that does not list the entry decides nothing. Responses of one connection reach ZooKeeper's event
 * thread in order, so in the common case the create's answer ({@link #onEntry}) is handled first.
 * The order breaks only where Curator sends one of the two again: the create after a {@code NONODE}
 * (it makes the queue's container parent, then creates), or either after a connection loss (both
 * are retried, in no fixed order, and the listing may then be served before the create was
 * applied). Those cases end in one of two ways, and neither reports anything: the listing is
 * handled before the entry is known, so it is dropped and {@link #onEntry} looks again; or the
 * listing lacks the entry ({@code NONODE} or not listed), so the request looks again. Only a look
 * sent after the create's answer may conclude that the entry vanished. A listing that holds the
 * entry is never stale for the decision: it was served after the create was applied, hence after
 * every entry with a lower sequence was created. After a connection loss the create's own rule
 * stands: Curator's protected mode finds the entry by its protection prefix, and a recovered create
 * that answers without a stat costs one {@code checkExists} for the czxid, the fencing token. The
 * two-request path's multi is sent once, never retried (a retried create could leave a second
 * entry, at the head of the queue, until the session ends); after a lost answer the entry is looked
 * for by the protection prefix made for it, adopted if found, and otherwise the request is sent
 * again the usual way.
 *
 * <p>Threads and invariants: answers and watches arrive on ZooKeeper's event thread; the backend's
 * safety-net timer and connection-state handling call {@link #check()} from other threads. All
 * mutable fields are guarded by {@code this}; no Curator call and no future completion happens
 * while holding the lock, and the sink is never called under it. {@code state} leaves WAITING
 * exactly once — by the grant, by a denial (try-once), by a failure, or by withdrawal — and after
 * that nothing is granted, and the backend forgets the request ({@code forget}). At most one {@code
 * getChildren} is in flight ({@code checking}, set from before the create is sent until the first
 * look answers); a change seen meanwhile sets {@code recheck} so that its answer is followed by
 * another look instead of a watch. {@code path}, {@code node} and {@code token} are set once, by
 * {@link #onEntry}; until then {@link #check()} sends nothing.
 *
 * <p>Withdrawal ({@link PendingAcquire#withdraw}, called by the core when the caller gives up, and
 * before a failure is reported) deletes the queue entry and waits for the delete, bounded, so a
 * caller that sees a timeout, an interrupt or a cancellation sees no entry left behind. On a
 * ZooKeeper thread it only starts the delete (a guaranteed delete, retried by Curator across
 * connection loss) and never waits. Races with a grant are the core's to settle.
 */
final class Acquisition implements Watcher, PendingAcquire {
    private static final Logger log = LoggerFactory.getLogger(Acquisition.class);

    private final ZooKeeperClient zk;
    private final AcquireRequest request;
    private final String dir;
    private final GrantSink<String> sink;
    private final Consumer<Acquisition> forget;
    private final CompletableFuture<String> created = new CompletableFuture<>();

    /** Curator's protection prefix, made by hand on the two-request path. */
    private static final String PROTECTION_PREFIX = "_c_";

    private static final byte[] NO_DATA = new byte[0];

    /** Where a request stands; it leaves WAITING exactly once. */
    private enum State {
        WAITING,
        GRANTED,
        DENIED,
        FAILED,
        WITHDRAWN
    }

    private State state = State.WAITING;
    private String path; // full path of the entry once the create answered
    private String node; // its child name
    private long token;
    private boolean checking;
    private boolean recheck;
    private boolean limitAgreed; // semaphores: the queue's size agrees with request.limit()

    /**
     * An acquisition of {@code request} that reports to {@code sink}; {@link #start()} sends it.
     *
     * @param forget called once, when the request leaves WAITING: the backend no longer re-checks
     *     it and has nothing to fail on close
     */
    Acquisition(
            ZooKeeperClient zk,
            AcquireRequest request,
            GrantSink<String> sink,
            Consumer<Acquisition> forget) {
        this.zk = zk;
        this.request = request;
        this.sink = sink;
        this.forget = forget;
        this.dir = zk.layout().queue(Layout.Dir.of(request.kind()), request.name());
    }

    AcquireRequest request() {
        return request;
    }

    /**
     * Sends the request: where this client left the queue empty ({@link EmptyQueues}), the create
     * alone; otherwise the create and, right behind it without waiting for its answer, the first
     * look at the queue.
     */
    void start() {
        EmptyQueues.Empty known = zk.emptyQueues().take(dir);
        if (known == null || !startAlone(known)) {
            startListing();
        }
    }

    /**
     * Sends the create of the entry in a {@code multi} with a {@code setData} of the directory,
     * whose answer names the directory ({@code czxid}) beside the entry's sequence, so that the
     * answer alone can prove the entry first in line ({@link EmptyQueues}). The entry carries
     * Curator's protection prefix, made here, so that it can be found after a lost answer. Returns
     * false if nothing was sent (not connected).
     */
    private boolean startAlone(EmptyQueues.Empty known) {
        String protection = UUID.randomUUID().toString();
        LockQueue.Payload payload =
                new LockQueue.Payload(
                        zk.clientId(), request.kind(), request.permits(), request.limit());
        List<Op> ops =
                List.of(
                        Op.create(
                                dir
                                        + "/"
                                        + PROTECTION_PREFIX
                                        + protection
                                        + "-"
                                        + LockQueue.body(request.kind(), request.permits()),
                                payload.encode(),
                                ZooDefs.Ids.OPEN_ACL_UNSAFE,
                                CreateMode.EPHEMERAL_SEQUENTIAL),
                        Op.setData(dir, NO_DATA, -1));
        long sentAt = zk.ticker().read();
        return zk.sendMulti(ops, answer -> onAloneAnswer(answer, known, protection, sentAt));
    }

    private void onAloneAnswer(
            ZooKeeperClient.MultiAnswer answer,
            EmptyQueues.Empty known,
            String protection,
            long sentAt) {
        if (answer.ok()) {
            String createdPath = ((OpResult.CreateResult) answer.results().get(0)).getPath();
            Stat dirStat = ((OpResult.SetDataResult) answer.results().get(1)).getStat();
            String createdNode = createdPath.substring(createdPath.lastIndexOf('/') + 1);
            LockQueue.Entry entry = LockQueue.parseOne(createdNode);
            boolean first =
                    entry != null
                            && dirStat.getCzxid() == known.dirCzxid()
                            && entry.sequence() == known.nextSequence()
                            && LockQueue.decide(List.of(entry), createdNode, request.limit())
                                    .granted();
            State now;
            synchronized (this) {
                path = createdPath;
                node = createdNode;
                // One transaction, one zxid: the directory's mzxid is the entry's czxid.
                token = dirStat.getMzxid();
                now = state;
            }
            created.complete(createdPath);
            if (first) {
                zk.emptyQueues().hit(dir);
            } else {
                zk.emptyQueues().missed(dir);
            }
            if (now != State.WAITING) {
                zk.deleteEntry(createdPath, false); // given up while the create was in flight
            } else if (first) {
                grant(sentAt, new EmptyQueues.Empty(dirStat.getCzxid(), entry.sequence() + 1));
            } else {
                check(); // something came or went since: look, as any request does
            }
        } else if (answer.code() == KeeperException.Code.NONODE) {
            startListing(); // the directory is gone (an empty container is removed): make it
        } else if (answer.unknown()) {
            findAfterLostAnswer(protection);
        } else {
            created.complete(null);
            fail(
                    zk.unavailable(
                            "creating the queue entry for \"" + request.name() + "\"",
                            KeeperException.create(answer.code())));
        }
    }

    /**
     * The create's answer was lost, so it may or may not have been applied: find the entry by its
     * protection prefix (Curator's listing waits for the reconnect), adopt it if it is there, else
     * send the request again the usual way. As with Curator's protected creates, a create applied
     * only after this listing would be left to the session's end.
     */
    private void findAfterLostAnswer(String protection) {
        String prefix = PROTECTION_PREFIX + protection + "-";
        try {
            zk.curator()
                    .getChildren()
                    .inBackground(
                            (c, event) -> {
                                if (event.getResultCode() == KeeperException.Code.OK.intValue()) {
                                    for (String child : event.getChildren()) {
                                        if (child.startsWith(prefix)) {
                                            readToken(dir + "/" + child);
                                            return;
                                        }
                                    }
                                    startListing();
                                } else if (event.getResultCode()
                                        == KeeperException.Code.NONODE.intValue()) {
                                    startListing();
                                } else {
                                    created.complete(null);
                                    fail(
                                            zk.unavailable(
                                                    "finding the queue entry for \""
                                                            + request.name()
                                                            + "\" after a lost answer",
                                                    KeeperException.create(
                                                            KeeperException.Code.get(
                                                                    event.getResultCode()))));
                                }
                            })
                    .forPath(dir);
        } catch (Exception e) {
            created.complete(null);
            fail(zk.unavailable("finding the queue entry for \"" + request.name() + "\"", e));
        }
    }

    /**
     * Sends the create (Curator's protected create, which makes the queue's container parent when
     * missing) and, right behind it without waiting for its answer, the first look at the queue.
     */
    private void startListing() {
        synchronized (this) {
            if (state != State.WAITING) {
                created.complete(null); // given up before anything was created
                return;
            }
        }
        Stat stat = new Stat();
        LockQueue.Payload payload =
                new LockQueue.Payload(
                        zk.clientId(), request.kind(), request.permits(), request.limit());
        synchronized (this) {
            checking = true; // the first look: onEntry leaves the deciding to it
        }
        try {
            zk.curator()
                    .create()
                    .storingStatIn(stat)
                    .creatingParentContainersIfNeeded()
                    .withProtection()
                    .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                    .inBackground((c, event) -> onCreated(event, stat))
                    .forPath(
                            dir + "/" + LockQueue.body(request.kind(), request.permits()),
                            payload.encode());
        } catch (Exception e) {
            synchronized (this) {
                checking = false;
            }
            created.complete(null);
            fail(zk.unavailable("queue entry for \"" + request.name() + "\" not sent", e));
            return;
        }
        look(true);
    }

    private void onCreated(CuratorEvent event, Stat stat) {
        int rc = event.getResultCode();
        if (rc != KeeperException.Code.OK.intValue()) {
            created.complete(null);
            fail(
                    zk.unavailable(
                            "creating the queue entry for \"" + request.name() + "\"",
                            KeeperException.create(KeeperException.Code.get(rc))));
            return;
        }
        String createdPath = event.getName() != null ? event.getName() : event.getPath();
        Stat s = event.getStat() != null ? event.getStat() : stat;
        if (s != null && s.getCzxid() != 0) {
            onEntry(createdPath, s.getCzxid());
            return;
        }
        // A protected create recovered after connection loss answers without a stat: ask once.
        readToken(createdPath);
    }

    /** Reads the czxid (the fencing token) of an entry created without a stat in the answer. */
    private void readToken(String createdPath) {
        try {
            zk.curator()
                    .checkExists()
                    .inBackground(
                            (c, e) -> {
                                if (e.getStat() != null) {
                                    onEntry(createdPath, e.getStat().getCzxid());
                                } else {
                                    created.complete(null);
                                    fail(
                                            zk.unavailable(
                                                    "queue entry for \""
                                                            + request.name()
                                                            + "\" vanished after its create",
                                                    null));
                                    zk.deleteEntry(createdPath, false);
                                }
                            })
                    .forPath(createdPath);
        } catch (Exception e) {
            created.complete(null);
            zk.deleteEntry(createdPath, false);
            fail(zk.unavailable("reading the queue entry for \"" + request.name() + "\"", e));
        }
    }

    private void onEntry(String createdPath, long czxid) {
        State now;
        boolean look;
        synchronized (this) {
            path = createdPath;
            node = createdPath.substring(createdPath.lastIndexOf('/') + 1);
            token = czxid;
            now = state;
            // The first look still in flight decides when it answers; one that answered before
            // the entry was known decided nothing, so look now.
            look = !checking;
        }
        created.complete(createdPath);
        if (now == State.WAITING) {
            if (look) {
                check();
            }
        } else {
            // The caller gave up, or the request failed, while the create was in flight.
            zk.deleteEntry(createdPath, false);
        }
    }

    /** Looks at the queue (again). Cheap and non-blocking; safe from any thread. */
    void check() {
        synchronized (this) {
            if (state != State.WAITING || path == null) {
                return;
            }
            if (checking) {
                recheck = true;
                return;
            }
            checking = true;
            recheck = false;
        }
        look(false);
    }

    /**
     * Sends one {@code getChildren} of the queue; the caller set {@code checking}. {@code first}:
     * the look sent behind the create, which may be answered before the entry is known.
     */
    private void look(boolean first) {
        long sentAt = zk.ticker().read();
        try {
            var children = zk.curator().getChildren();
            // Semaphore waiters may be granted by a change anywhere before them: watch the
            // children.
            (request.kind() == dev.baton.LeaseKind.SEMAPHORE && !request.tryOnce()
                            ? children.usingWatcher(this)
                            : children)
                    .inBackground((c, event) -> onChildren(event, sentAt, first))
                    .forPath(dir);
        } catch (Exception e) {
            synchronized (this) {
                checking = false;
            }
            // Not sent (the client is closing): the safety net looks again if it is not.
            log.debug("cannot look at {}: {}", dir, e.toString());
        }
    }

    private void onChildren(CuratorEvent event, long sentAt, boolean first) {
        boolean again;
        String own;
        synchronized (this) {
            checking = false;
            if (state != State.WAITING) {
                return;
            }
            own = node;
            if (own == null) {
                // The first look, answered before the create (Curator is making the parent or
                // retrying after a connection loss, or the stat is being read): it decides
                // nothing; onEntry sees checking cleared and looks again.
                return;
            }
            again = recheck;
            recheck = false;
        }
        int rc = event.getResultCode();
        if (rc == KeeperException.Code.NONODE.intValue()) {
            if (first) {
                check(); // listed before the create made the parent: look again, now after it
            } else {
                fail(vanished());
            }
            return;
        }
        if (rc != KeeperException.Code.OK.intValue()) {
            // Connection trouble: the reconnect handler and the safety net look again.
            log.debug("getChildren of {} failed: {}", dir, KeeperException.Code.get(rc));
            return;
        }
        List<LockQueue.Entry> entries = LockQueue.parse(event.getChildren());
        if (first && LockQueue.indexOf(entries, own) < 0) {
            // Served before the create was applied (the two were sent again in another order
            // after a connection loss): only a look sent after the create's answer may conclude
            // that the entry vanished.
            check();
            return;
        }
        if (request.kind() == dev.baton.LeaseKind.SEMAPHORE && !limitAgreed(entries, own)) {
            return; // the earliest entry's limit is being read; that answer decides what next
        }
        LockQueue.Verdict verdict = LockQueue.decide(entries, own, request.limit());
        if (verdict.granted()) {
            Stat dirStat = event.getStat();
            LockQueue.Entry ownEntry = entries.get(LockQueue.indexOf(entries, own));
            grant(
                    sentAt,
                    event.getChildren().size() == 1 && dirStat != null
                            ? new EmptyQueues.Empty(dirStat.getCzxid(), ownEntry.sequence() + 1)
                            : null);
        } else if (verdict.missing()) {
            fail(vanished());
        } else if (request.tryOnce()) {
            deny();
        } else if (again) {
            check();
        } else if (verdict.watch() != null) {
            watchPredecessor(verdict.watch());
        }
        // else: a semaphore waiter; the child watch set by this getChildren brings us back
    }

    /**
     * Semaphores: the earliest live entry fixed the queue's size; a request made with another size
     * is refused (and its entry deleted), since waiters that disagree on the limit could together
     * oversubscribe it. Every entry is checked against the earliest one when it first looks, so all
     * live entries agree. Returns true once agreed; otherwise reads the earliest entry's payload
     * and refuses or looks again from its answer.
     */
    private boolean limitAgreed(List<LockQueue.Entry> entries, String own) {
        synchronized (this) {
            if (limitAgreed) {
                return true;
            }
        }
        if (entries.isEmpty() || entries.get(0).node().equals(own)) {
            // Ours is the earliest (or missing, which decide() reports): ours is the size.
            synchronized (this) {
                limitAgreed = true;
            }
            return true;
        }
        String earliest = dir + "/" + entries.get(0).node();
        try {
            zk.curator().getData().inBackground((c, e) -> onEarliestLimit(e)).forPath(earliest);
        } catch (Exception e) {
            log.debug("cannot read {}: {}", earliest, e.toString());
        }
        return false;
    }

    private void onEarliestLimit(CuratorEvent e) {
        int rc = e.getResultCode();
        if (rc == KeeperException.Code.NONODE.intValue()) {
            check(); // it left meanwhile: look again at whoever is first now
            return;
        }
        if (rc != KeeperException.Code.OK.intValue()) {
            log.debug(
                    "reading the earliest entry of {} failed: {}",
                    dir,
                    KeeperException.Code.get(rc));
            return; // the reconnect handler and the safety net look again
        }
        int limit = LockQueue.Payload.decode(e.getData()).limit();
        if (limit > 0 && limit != request.limit()) {
            fail(
                    new InvalidArgumentException(
                            "semaphore \""
                                    + request.name()
                                    + "\" has "
                                    + limit
                                    + " permits in the engine, but this handle was made with "
                                    + request.limit()));
            return;
        }
        synchronized (this) {
            limitAgreed = true;
        }
        check();
    }

    private void watchPredecessor(String predecessor) {
        try {
            // getData rather than exists: on NoNode it leaves no watch behind.
            zk.curator()
                    .getData()
                    .usingWatcher(this)
                    .inBackground(
                            (c, event) -> {
                                if (event.getResultCode()
                                        == KeeperException.Code.NONODE.intValue()) {
                                    check(); // gone already: look again now
                                }
                            })
                    .forPath(dir + "/" + predecessor);
        } catch (Exception e) {
            log.debug("cannot watch {}/{}: {}", dir, predecessor, e.toString());
        }
    }

    /** A watched predecessor (or, for semaphores, the queue) changed. */
    @Override
    public void process(WatchedEvent event) {
        if (event.getType() != Event.EventType.None) {
            check();
        }
    }

    /**
     * Reports the grant. {@code afterRelease}: where the entry was seen alone in its queue, the
     * queue's state once it is released, recorded so that this client's next acquire of the name
     * may skip the listing ({@link EmptyQueues}); else null.
     */
    private void grant(long sentAt, EmptyQueues.Empty afterRelease) {
        String p;
        long t;
        synchronized (this) {
            if (state != State.WAITING) {
                return;
            }
            state = State.GRANTED;
            p = path;
            t = token;
        }
        forget.accept(this);
        if (afterRelease != null) {
            zk.emptyQueues().heldAlone(p, afterRelease);
        }
        sink.granted(t, sentAt, p);
    }

    /** Try-once, not grantable now: remove the entry, then answer "not acquired". */
    private void deny() {
        String p;
        synchronized (this) {
            if (state != State.WAITING) {
                return;
            }
            state = State.DENIED;
            p = path;
        }
        forget.accept(this);
        zk.deleteEntry(p, false, sink::denied);
    }

    /** Fails the request: withdraws the entry first, then reports, on a worker thread. */
    void fail(RuntimeException error) {
        synchronized (this) {
            if (state != State.WAITING) {
                return;
            }
            state = State.FAILED;
        }
        forget.accept(this);
        zk.runBlocking(
                () -> {
                    withdraw();
                    sink.failed(error);
                });
    }

    /** The client closes: fails at once; closing the session removes the entry. */
    void abort(RuntimeException error) {
        synchronized (this) {
            if (state != State.WAITING) {
                return;
            }
            state = State.WITHDRAWN;
        }
        forget.accept(this);
        sink.failed(error);
    }

    private BackendUnavailableException vanished() {
        return zk.unavailable(
                "the queue entry for \""
                        + request.name()
                        + "\" vanished while waiting (ZooKeeper session expired or entry removed)",
                null);
    }

    /**
     * Withdraws the request. Returns once the entry is deleted (bounded), unless on a ZooKeeper
     * thread or while the backend closes.
     */
    @Override
    public void withdraw() {
        synchronized (this) {
            if (state == State.GRANTED || state == State.DENIED || state == State.WITHDRAWN) {
                // Granted: if the grant loses the race, the core releases it.
                // Denied: deny() is deleting the entry already.
                return;
            }
            state = State.WITHDRAWN;
        }
        forget.accept(this);
        boolean mayWait = zk.mayBlockHere();
        String p = mayWait ? zk.await(created, "the queue entry's create") : created.getNow(null);
        if (p != null) {
            try {
                zk.deleteEntry(p, mayWait);
            } catch (RuntimeException e) {
                // Not confirmed in time (disconnected): the guaranteed delete goes on, and the
                // caller must still get its answer.
                log.debug("withdrawing {} not confirmed: {}", p, e.toString());
            }
        }
        // else: onEntry sees the state and deletes the entry when the create answers
    }
}
