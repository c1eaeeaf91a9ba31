package dev.baton.shedlock;

import dev.baton.BackendUnavailableException;
import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.InvalidNameException;
import dev.baton.LeaseLoss;
import dev.baton.LeaseState;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import net.javacrumbs.shedlock.core.ExtensibleLockProvider;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;

/**
 * A ShedLock {@link net.javacrumbs.shedlock.core.LockProvider} on Baton: every ShedLock lock is a
 * Baton {@link dev.baton.Mutex} lease, with its fencing token and loss signal, on whatever engine
 * the {@link Baton} client talks to (ZooKeeper, Redis, mem).
 *
 * <pre>{@code
 * @Bean
 * LockProvider lockProvider(Baton baton) {
 *     return new BatonLockProvider(baton);
 * }
 *
 * @Scheduled(cron = "0 0 * * * *")
 * @SchedulerLock(name = "hourlyReport", lockAtMostFor = "50m", lockAtLeastFor = "1m")
 * void hourlyReport() {
 *     FencedLease lease = BatonLockProvider.currentLease().orElseThrow();
 *     lease.lost().thenRun(() -> log.warn("report lost its lock"));   // or abort the work
 *     store.write(report, lease.fencingToken());                       // the store checks it
 * }
 * }</pre>
 *
 * <h2>ShedLock's semantics, kept</h2>
 *
 * <ul>
 *   <li>{@link #lock} never waits: it is {@code mutex(prefix + name).tryAcquire()}, empty while any
 *       node (or another thread of this one) holds the name.
 *   <li>{@code lockAtMostFor} caps a live holder. When it passes and the task has not unlocked, the
 *       provider takes the lock away: {@link #currentLease()} reports {@link LeaseState#LOST} at
 *       once (its getters read the clock), its {@link FencedLease#lost() lost()} completes with
 *       {@link LeaseLoss.Reason#DEADLINE_PASSED}, a WARN is logged, and then the lease is released,
 *       so another node can take the name. The task is not interrupted: it is told, and decides. A
 *       task that wants to be stopped says so when it starts: {@code Thread me =
 *       Thread.currentThread(); currentLease().orElseThrow().lost().thenRun(me::interrupt);}. The
 *       late {@code unlock()} is then a no-op (it never frees a later holder's lock).
 *   <li>{@code lockAtLeastFor}: an {@code unlock()} before it has passed keeps the lease (renewed
 *       by Baton as usual) and releases it once it has, on the provider's timer. Both durations
 *       count from the start of {@code lock()} (or of {@code extend}) on this JVM's monotonic
 *       clock; the configuration's wall-clock instants are not used.
 *   <li>{@link SimpleLock#extend}: moves both deadlines to "from now", keeps the same lease and
 *       token, returns a new handle and spends the old one. As ShedLock's contract tests check:
 *       extending an unlocked or already extended handle throws {@link IllegalStateException}, and
 *       extending a lock whose {@code lockAtMostFor} has passed (or whose lease is lost) returns
 *       {@link Optional#empty()}. ShedLock's {@code LockExtender} and {@code KeepAliveLockProvider}
 *       work on top.
 * </ul>
 *
 * <h2>What Baton adds</h2>
 *
 * <ul>
 *   <li>A crashed node's lock frees within the lease TTL (ZooKeeper: the session timeout; 5 s by
 *       default), not after {@code lockAtMostFor}: the lease is renewed while the node lives, so
 *       {@code lockAtMostFor} can be generous without delaying the next run after a crash.
 *   <li>No clock agreement between nodes: lease deadlines and both ShedLock durations are measured
 *       on each node's own monotonic clock.
 *   <li>The task can read its lease: the {@linkplain FencedLease#fencingToken() fencing token}
 *       (strictly greater for every new lock of the name, on any node), {@link
 *       FencedLease#ensureValid()} before side effects, {@link FencedLease#lost()}.
 * </ul>
 *
 * <h2>What is different</h2>
 *
 * <ul>
 *   <li>{@code lockAtLeastFor} is not honoured past a crash. ShedLock's database providers keep the
 *       row until {@code lockAtLeastFor} ends even if the node dies; here the kept lease dies with
 *       the node, within the lease TTL, and another node may run the task again before {@code
 *       lockAtLeastFor} has passed. The same holds when the provider is {@linkplain #close()
 *       closed} or the lease is lost during that time (a WARN says so). Where a second run after a
 *       crash must be prevented, record the last run (e.g. in {@code baton.keyValue()}).
 *   <li>Names: a ShedLock name becomes {@code prefix + name} when that is a valid Baton name;
 *       otherwise it is escaped deterministically (see {@link #batonName}).
 *   <li>An engine that cannot be reached makes {@link #lock} throw {@link
 *       BackendUnavailableException} (ShedLock's executor lets it propagate; the task does not
 *       run).
 * </ul>
 *
 * <h2>The current lease</h2>
 *
 * {@link #currentLease()} mirrors ShedLock's {@code LockAssert}/{@code LockExtender}: a per-thread
 * stack of the locks taken by the calling thread and not yet unlocked, innermost on top. It is
 * bound to the thread that called {@link #lock} (the task's, with ShedLock's executors); work
 * handed to other threads must carry the lease with it.
 *
 * <p>Thread-safe. The provider owns one timer thread ({@code baton-shedlock-timer}) and a worker
 * pool ({@code baton-shedlock-worker-N}, daemon threads) that releases leases and runs {@link
 * FencedLease#lost()} dependents after an expiry; it never runs anything on Baton's engine threads.
 * It does not own the {@link Baton} client.
 */
public final class BatonLockProvider implements ExtensibleLockProvider, AutoCloseable {

    /**
     * The default prefix of Baton lock names: ShedLock's {@code "job"} is Baton's {@code
     * "shedlock/job"}.
     */
    public static final String DEFAULT_PREFIX = "shedlock/";

    /** Per thread: the locks it took and has not unlocked, innermost last. */
    private static final ThreadLocal<Deque<ShedLockLease>> HELD = new ThreadLocal<>();

    private final Baton baton;
    private final String prefix;
    private final Timer timer;
    private final Executor worker;
    private final ExecutorService ownedWorker;

    /** Locks whose lease this provider may still have to release (see ShedLockLease.leaseDone). */
    private final Set<ShedLockLease> live = ConcurrentHashMap.newKeySet();

    private volatile boolean closed;

    /** A provider whose Baton lock names are {@value #DEFAULT_PREFIX} + the ShedLock name. */
    public BatonLockProvider(Baton baton) {
        this(baton, DEFAULT_PREFIX);
    }

    /**
     * A provider whose Baton lock names start with {@code prefix}.
     *
     * @param prefix empty, or a valid Baton name followed by {@code '/'}, e.g. {@code
     *     "billing/jobs/"}
     * @throws InvalidNameException if the prefix is not
     */
    public BatonLockProvider(Baton baton, String prefix) {
        this(baton, prefix, Timer.system(), null);
    }

    /**
     * For tests: time from {@code timer}, and the effects of expiries and deferred releases on
     * {@code worker} ({@code null}: a pool of the provider's own).
     */
    BatonLockProvider(Baton baton, String prefix, Timer timer, Executor worker) {
        this.baton = Objects.requireNonNull(baton, "baton");
        this.prefix = LockNames.validatePrefix(prefix);
        this.timer = Objects.requireNonNull(timer, "timer");
        if (worker == null) {
            AtomicInteger n = new AtomicInteger();
            this.ownedWorker =
                    Executors.newCachedThreadPool(
                            r -> {
                                Thread t =
                                        new Thread(
                                                r, "baton-shedlock-worker-" + n.incrementAndGet());
                                t.setDaemon(true);
                                return t;
                            });
            this.worker = ownedWorker;
        } else {
            this.ownedWorker = null;
            this.worker = worker;
        }
    }

    /**
     * Tries once to take the lock; never waits.
     *
     * @return the lock, or empty if the name is held (by any node, or another thread here)
     * @throws InvalidNameException if the name cannot become a Baton name (see {@link #batonName})
     * @throws BackendUnavailableException if the engine cannot be reached
     * @throws IllegalStateException if this provider is closed
     */
    @Override
    public Optional<SimpleLock> lock(LockConfiguration lockConfiguration) {
        Objects.requireNonNull(lockConfiguration, "lockConfiguration");
        checkOpen();
        String name = batonName(lockConfiguration.getName());
        long start = timer.nanoTime();
        Optional<FencedLease> granted = baton.mutex(name).tryAcquire();
        if (granted.isEmpty()) {
            return Optional.empty();
        }
        ShedLockLease lock =
                new ShedLockLease(
                        lockConfiguration,
                        granted.get(),
                        start,
                        Thread.currentThread(),
                        timer,
                        worker,
                        live::remove);
        live.add(lock);
        SimpleLock handle = lock.start();
        enterThread(lock);
        if (closed) {
            // close() ran between checkOpen() and live.add(): it may have missed this lock.
            leaveThread(lock);
            lock.onProviderClosed();
            checkOpen();
        }
        return Optional.of(handle);
    }

    /**
     * The Baton lock name this provider uses for ShedLock's {@code lockName}, for {@code baton
     * locks}, {@link Baton#inspect} or a fenced resource:
     *
     * <ul>
     *   <li>{@code prefix + lockName} when that is a valid Baton name (segments of {@code
     *       [A-Za-z0-9._-]+} joined by {@code '/'}, at most 200 characters) and {@code lockName}
     *       does not start with the segment {@code _esc}: {@code "reportJob"} → {@code
     *       "shedlock/reportJob"};
     *   <li>otherwise {@code prefix + "_esc/" + escaped}, where every UTF-8 byte outside {@code
     *       [A-Za-z0-9-]} becomes {@code _} and two hex digits: {@code "my task:1"} → {@code
     *       "shedlock/_esc/my_20task_3A1"}. Deterministic and injective: every node computes the
     *       same name, and two ShedLock names never share a lock.
     * </ul>
     *
     * @throws InvalidNameException if {@code lockName} is empty, or too long even escaped
     */
    public String batonName(String lockName) {
        return LockNames.batonName(prefix, lockName);
    }

    /**
     * The lease of the innermost ShedLock lock that the calling thread took through a {@code
     * BatonLockProvider} and has not unlocked; empty outside a locked section.
     *
     * <p>The lease reads the clock in {@link FencedLease#state()}, {@link
     * FencedLease#ensureValid()} and {@link FencedLease#remaining()}: {@code HELD} (or {@code
     * IN_DOUBT} while Baton cannot confirm it) while the task holds the lock; {@code LOST} as soon
     * as {@code lockAtMostFor} has passed, Baton lost the lease (the engine expired it, the client
     * was closed) or the provider was closed, with the reason in {@link FencedLease#lost()}. Its
     * {@link FencedLease#fencingToken() fencing token} is the Baton lease's, and stays the same
     * across {@code extend}. {@link FencedLease#release()} is not supported: unlock through
     * ShedLock.
     *
     * <p>{@link FencedLease#lost()} dependents run on the provider's worker thread (after {@code
     * lockAtMostFor}), on Baton's callback executor (a Baton loss), or on the thread that closes
     * the provider or unlocks late; in each case before the name is released. Keep them brief.
     */
    public static Optional<FencedLease> currentLease() {
        Deque<ShedLockLease> held = HELD.get();
        if (held == null) {
            return Optional.empty();
        }
        // A lock unlocked on another thread cannot leave this thread's stack then: drop it now.
        while (!held.isEmpty() && held.peekLast().unlockCalled()) {
            held.removeLast();
        }
        if (held.isEmpty()) {
            HELD.remove();
            return Optional.empty();
        }
        return Optional.of(held.peekLast());
    }

    /**
     * Stops the provider, as a node that shuts down: locks whose task still runs are signalled lost
     * ({@link LeaseLoss.Reason#CLIENT_CLOSED}) and released, and leases kept for {@code
     * lockAtLeastFor} are released now. Further {@link #lock} calls throw. Does not close the
     * {@link Baton} client. Idempotent. (Spring calls it when the context shuts down, since the
     * provider is {@link AutoCloseable}.)
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ShedLockLease lock : List.copyOf(live)) {
            lock.onProviderClosed();
        }
        timer.close();
        if (ownedWorker != null) {
            ownedWorker.shutdown(); // queued releases still run
        }
    }

    @Override
    public String toString() {
        return "BatonLockProvider{prefix=\""
                + prefix
                + "\", baton="
                + baton.uri()
                + ", live="
                + live.size()
                + (closed ? ", closed" : "")
                + "}";
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this BatonLockProvider is closed");
        }
    }

    private static void enterThread(ShedLockLease lock) {
        Deque<ShedLockLease> held = HELD.get();
        if (held == null) {
            held = new ArrayDeque<>();
            HELD.set(held);
        }
        held.addLast(lock);
    }

    /**
     * For tests: empties the calling thread's stack and returns what it held (locks a failed test
     * left behind must not leak into the next test on the same thread).
     */
    static List<FencedLease> clearThread() {
        Deque<ShedLockLease> held = HELD.get();
        HELD.remove();
        return held == null ? List.of() : List.copyOf(held);
    }

    /**
     * Called by every unlock(): on the thread that took the lock, it leaves that thread's stack.
     */
    static void leaveThread(ShedLockLease lock) {
        if (Thread.currentThread() != lock.owner()) {
            return; // pruned by currentLease() on the owner thread
        }
        Deque<ShedLockLease> held = HELD.get();
        if (held != null) {
            held.removeLastOccurrence(lock);
            if (held.isEmpty()) {
                HELD.remove();
            }
        }
    }
}
