package dev.baton.shedlock;

import dev.baton.FencedLease;
import dev.baton.LeaseInvalidException;
import dev.baton.LeaseKind;
import dev.baton.LeaseLoss;
import dev.baton.LeaseLostException;
import dev.baton.LeaseState;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import net.javacrumbs.shedlock.core.ClockProvider;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ShedLock lock taken through {@link BatonLockProvider}: the Baton lease behind it, the {@code
 * lockAtMostFor}/{@code lockAtLeastFor} deadlines, and the view of it that the task reads through
 * {@link BatonLockProvider#currentLease()}. The {@link SimpleLock} handles ShedLock holds ({@link
 * BatonSimpleLock}) are thin: the first from {@code lock()}, then one per successful {@code
 * extend}; all of them act on this one object.
 *
 * <h2>Phases</h2>
 *
 * <pre>
 *   RUNNING ──unlock()──────────────▶ UNLOCKED   lease released now, or at lockAtLeastFor
 *   RUNNING ──lockAtMostFor passed──▶ EXPIRED    signalled as lost, then the lease released
 *   RUNNING ──Baton lease lost──────▶ LOST       signalled as lost (nothing left to release)
 *   RUNNING ──provider closed───────▶ CLOSED     signalled as lost, then the lease released
 * </pre>
 *
 * Only RUNNING has successors. The view reports HELD or IN_DOUBT (Baton's state) while RUNNING,
 * RELEASED once UNLOCKED, LOST in the three others.
 *
 * <h2>Threads and invariants</h2>
 *
 * <ul>
 *   <li>All mutable state is guarded by {@code this}. Under the lock nothing calls out: no engine
 *       call, no user callback, no logging of user-visible events. Decisions are taken under the
 *       lock and their effects (release, completing {@link #lost()}, the WARN) run after it is
 *       dropped, by the thread that decided, or on the provider's worker executor when that thread
 *       is the timer's.
 *   <li>Who calls what: {@code unlock}/{@code extend} run on whichever thread holds the handle (the
 *       task's, or a keep-alive scheduler's); the deadline tasks on the provider's timer thread;
 *       {@link #onLeaseLost} on Baton's callback executor (never an engine I/O thread); {@link
 *       #onProviderClosed} on the thread closing the provider. The view's getters on any thread.
 *       User code ({@link #lost()} dependents) runs on the worker executor (an expiry found by the
 *       timer or a getter), on Baton's callback executor (a Baton loss), or on the thread that
 *       unlocks or extends after the deadline or closes the provider; never on Baton's engine
 *       threads or the timer thread.
 *   <li>At most one handle is valid ({@code handle}); {@code unlock} and {@code extend} spend it
 *       whatever their outcome, as ShedLock's {@code AbstractSimpleLock} does.
 *   <li>{@code leaseDone} becomes true exactly once: when this object has released the Baton lease
 *       or decided to (exactly one release call follows), or when Baton reported it lost. After
 *       that no path touches the lease again, and the provider forgets this object.
 *   <li>The loss signal comes before the name is free: an expiry or close sets the phase (so {@link
 *       #state()} and {@link #ensureValid()} report LOST at once), then completes {@link #lost()}
 *       (running the dependents attached so far), and only then releases the lease.
 *   <li>Deadlines are read on the provider's monotonic {@link Timer}; a deadline task that fires
 *       early re-arms itself, and one that fires late (extended, unlocked) finds nothing to do. The
 *       getters check {@code lockAtMostFor} themselves, so a task resuming from a long pause sees
 *       the expiry before the timer thread has acted.
 * </ul>
 */
final class ShedLockLease implements FencedLease {
    private static final Logger log = LoggerFactory.getLogger(BatonLockProvider.class);
    private static final Runnable NOTHING = () -> {};

    enum Phase {
        RUNNING,
        UNLOCKED,
        EXPIRED,
        LOST,
        CLOSED
    }

    private final String lockName;
    private final FencedLease lease;
    private final Thread owner;
    private final Timer timer;
    private final Executor worker;
    private final Consumer<ShedLockLease> onLeaseDone;
    private final CompletableFuture<LeaseLoss> lost = new CompletableFuture<>();

    /** Set by any {@code unlock()} call: the task has handed the lock back (stack pruning). */
    private volatile boolean unlockCalled;

    // Guarded by this.
    private Phase phase = Phase.RUNNING;
    private BatonSimpleLock handle;
    private long atMostUntil;
    private long atLeastUntil;
    private Duration atMostFor;
    private Runnable cancelDeadline = NOTHING;
    private boolean leaseDone;
    private LeaseLoss loss;

    /**
     * @param startNanos when {@code lock()} began, on {@code timer}'s clock: both durations count
     *     from it
     */
    ShedLockLease(
            LockConfiguration config,
            FencedLease lease,
            long startNanos,
            Thread owner,
            Timer timer,
            Executor worker,
            Consumer<ShedLockLease> onLeaseDone) {
        this.lockName = config.getName();
        this.lease = lease;
        this.owner = owner;
        this.timer = timer;
        this.worker = worker;
        this.onLeaseDone = onLeaseDone;
        this.atMostFor = config.getLockAtMostFor();
        this.atMostUntil = startNanos + nanos(config.getLockAtMostFor());
        this.atLeastUntil = startNanos + nanos(config.getLockAtLeastFor());
        this.handle = new BatonSimpleLock(this, config);
    }

    /** Arms the lockAtMostFor deadline and listens for Baton's loss; returns the first handle. */
    SimpleLock start() {
        BatonSimpleLock first;
        synchronized (this) {
            first = handle;
            cancelDeadline = timer.schedule(atMostUntil, this::onAtMostPassed);
        }
        // Runs on Baton's callback executor, or here if the lease is already lost.
        lease.lost().thenAccept(this::onLeaseLost);
        return first;
    }

    String lockName() {
        return lockName;
    }

    Thread owner() {
        return owner;
    }

    boolean unlockCalled() {
        return unlockCalled;
    }

    // ---------------------------------------------------------------- SimpleLock operations

    void unlock(BatonSimpleLock h) {
        LeaseLoss expired;
        boolean releaseNow = false;
        synchronized (this) {
            // The task is done with the lock when it unlocks the valid handle, or any handle once
            // none is valid (an extend that failed spent the last one, as after a keep-alive gave
            // up). Unlocking a spent handle while an extended one lives changes nothing.
            if (handle == h || handle == null) {
                unlockCalled = true;
                BatonLockProvider.leaveThread(this); // thread-local only: safe under the lock
            }
            checkHandleLocked(h);
            handle = null;
            long now = timer.nanoTime();
            expired = expireIfDueLocked(now);
            if (phase == Phase.RUNNING) {
                phase = Phase.UNLOCKED;
                cancelDeadlineLocked();
                if (atLeastUntil - now > 0) {
                    cancelDeadline = timer.schedule(atLeastUntil, this::onAtLeastPassed);
                } else {
                    leaseDone = true;
                    releaseNow = true;
                }
            }
        }
        if (expired != null) {
            // The task overran and unlocks late: tell, then free the name before returning.
            signalThenRelease(expired, "lockAtMostFor " + atMostForNow() + " passed");
        }
        if (releaseNow) {
            // On the caller's thread: once unlock() returns, the name is free.
            releaseLease();
        }
    }

    Optional<SimpleLock> extend(
            BatonSimpleLock h, Duration lockAtMostFor, Duration lockAtLeastFor) {
        // Validates (lockAtLeastFor <= lockAtMostFor, neither negative) before anything changes.
        LockConfiguration next =
                new LockConfiguration(ClockProvider.now(), lockName, lockAtMostFor, lockAtLeastFor);
        // Read outside this lock (it may fire Baton's own deadline). A loss right after is
        // handled by onLeaseLost, which moves the phase on whatever handle is current.
        boolean leaseGone = lease.state().isFinal();
        LeaseLoss expired;
        BatonSimpleLock extended = null;
        synchronized (this) {
            checkHandleLocked(h);
            handle = null;
            long now = timer.nanoTime();
            expired = expireIfDueLocked(now);
            if (phase == Phase.RUNNING && !leaseGone) {
                atMostFor = lockAtMostFor;
                atMostUntil = now + nanos(lockAtMostFor);
                atLeastUntil = now + nanos(lockAtLeastFor);
                cancelDeadlineLocked();
                cancelDeadline = timer.schedule(atMostUntil, this::onAtMostPassed);
                extended = new BatonSimpleLock(this, next);
                handle = extended;
            }
        }
        if (expired != null) {
            signalThenRelease(expired, "lockAtMostFor " + atMostForNow() + " passed");
        }
        return Optional.ofNullable(extended);
    }

    private void checkHandleLocked(BatonSimpleLock h) {
        if (handle != h) {
            // ShedLock's own wording (AbstractSimpleLock), and its exception type.
            throw new IllegalStateException(
                    "Lock " + lockName + " is not valid, it has already been unlocked or extended");
        }
    }

    // ---------------------------------------------------------------- deadlines and signals

    /** Timer thread. */
    private void onAtMostPassed() {
        LeaseLoss expired;
        synchronized (this) {
            long now = timer.nanoTime();
            expired = expireIfDueLocked(now);
            if (expired == null && phase == Phase.RUNNING && now - atMostUntil < 0) {
                cancelDeadline = timer.schedule(atMostUntil, this::onAtMostPassed); // early
            }
        }
        if (expired != null) {
            dispatch(
                    () ->
                            signalThenRelease(
                                    expired, "lockAtMostFor " + atMostForNow() + " passed"));
        }
    }

    /** Timer thread: the name was kept after unlock() until lockAtLeastFor passed. */
    private void onAtLeastPassed() {
        boolean release = false;
        synchronized (this) {
            if (phase == Phase.UNLOCKED && !leaseDone) {
                if (timer.nanoTime() - atLeastUntil >= 0) {
                    leaseDone = true;
                    release = true;
                } else {
                    cancelDeadline = timer.schedule(atLeastUntil, this::onAtLeastPassed); // early
                }
            }
        }
        if (release) {
            dispatch(this::releaseLease);
        }
    }

    /**
     * If RUNNING past lockAtMostFor: moves to EXPIRED and returns the loss to signal; the caller
     * must then run {@link #signalThenRelease} (the lease is marked done here).
     */
    private LeaseLoss expireIfDueLocked(long now) {
        if (phase != Phase.RUNNING || leaseDone || now - atMostUntil < 0) {
            return null;
        }
        phase = Phase.EXPIRED;
        leaseDone = true;
        cancelDeadlineLocked();
        loss =
                new LeaseLoss(
                        LeaseLoss.Reason.DEADLINE_PASSED,
                        "lockAtMostFor "
                                + atMostFor
                                + " passed while the task still ran; BatonLockProvider released"
                                + " the lock",
                        Instant.now());
        return loss;
    }

    /** Baton's callback executor: the engine or the client took the lease away. */
    void onLeaseLost(LeaseLoss batonLoss) {
        Phase was;
        synchronized (this) {
            if (leaseDone) {
                return;
            }
            leaseDone = true;
            cancelDeadlineLocked();
            was = phase;
            if (phase == Phase.RUNNING) {
                phase = Phase.LOST;
                loss = batonLoss;
            }
        }
        onLeaseDone.accept(this);
        if (was == Phase.RUNNING) {
            log.warn(
                    "ShedLock lock \"{}\" (Baton \"{}\", token {}) was lost while its task ran: {}."
                            + " Another node may take it now; the task is not interrupted."
                            + " BatonLockProvider.currentLease() reports it LOST.",
                    lockName,
                    lease.name(),
                    lease.fencingToken(),
                    batonLoss);
            lost.complete(batonLoss);
        } else {
            log.warn(
                    "ShedLock lock \"{}\" (Baton \"{}\", token {}) was lost before its"
                            + " lockAtLeastFor passed: {}. Another node may take it early.",
                    lockName,
                    lease.name(),
                    lease.fencingToken(),
                    batonLoss);
        }
    }

    /** The provider is closing: act as a node that stops. */
    void onProviderClosed() {
        LeaseLoss closed = null;
        synchronized (this) {
            if (leaseDone) {
                return;
            }
            leaseDone = true;
            cancelDeadlineLocked();
            if (phase == Phase.RUNNING) {
                phase = Phase.CLOSED;
                closed =
                        new LeaseLoss(
                                LeaseLoss.Reason.CLIENT_CLOSED,
                                "the BatonLockProvider was closed while the task ran",
                                Instant.now());
                loss = closed;
            }
        }
        if (closed != null) {
            signalThenRelease(closed, "the provider was closed");
        } else {
            releaseLease(); // held for lockAtLeastFor: a closing provider no longer keeps it
        }
    }

    /** WARN, complete {@link #lost()} (its dependents run here), then give the name back. */
    private void signalThenRelease(LeaseLoss l, String why) {
        log.warn(
                "ShedLock lock \"{}\" (Baton \"{}\", token {}): {} while its task still ran;"
                        + " released, so another node may take it. The task is not interrupted;"
                        + " BatonLockProvider.currentLease() reports it LOST.",
                lockName,
                lease.name(),
                lease.fencingToken(),
                why);
        try {
            lost.complete(l);
        } finally {
            releaseLease();
        }
    }

    private void releaseLease() {
        try {
            if (!lease.release() && lease.state() == LeaseState.LOST) {
                log.warn(
                        "ShedLock lock \"{}\" (Baton \"{}\", token {}) had been lost before it was"
                                + " released: {}",
                        lockName,
                        lease.name(),
                        lease.fencingToken(),
                        lease.lost().toCompletableFuture().getNow(null));
            }
        } catch (RuntimeException e) {
            // Baton's own release never throws for engine trouble (the grant then expires with
            // its TTL); anything else is a bug worth seeing, but not worth failing the caller.
            log.warn("could not release \"{}\": {}", lease.name(), e.toString());
        } finally {
            onLeaseDone.accept(this);
        }
    }

    private void dispatch(Runnable effect) {
        try {
            worker.execute(effect);
        } catch (RejectedExecutionException e) {
            effect.run(); // the provider is closing; its close waits for no worker
        }
    }

    private void cancelDeadlineLocked() {
        cancelDeadline.run();
        cancelDeadline = NOTHING;
    }

    private synchronized Duration atMostForNow() {
        return atMostFor;
    }

    /** Applies lockAtMostFor if due (effects on the worker) and returns the phase. */
    private Phase phase() {
        LeaseLoss expired;
        Phase p;
        synchronized (this) {
            expired = expireIfDueLocked(timer.nanoTime());
            p = phase;
        }
        if (expired != null) {
            dispatch(
                    () ->
                            signalThenRelease(
                                    expired, "lockAtMostFor " + atMostForNow() + " passed"));
        }
        return p;
    }

    private synchronized LeaseLoss loss() {
        return loss;
    }

    static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4; // ~73 years: "for ever", and still safe to add to now
        }
    }

    // ---------------------------------------------------------------- the task's view

    /** The Baton lock name (the ShedLock name after {@link LockNames}). */
    @Override
    public String name() {
        return lease.name();
    }

    @Override
    public LeaseKind kind() {
        return lease.kind();
    }

    @Override
    public int permits() {
        return lease.permits();
    }

    @Override
    public String holder() {
        return lease.holder();
    }

    @Override
    public Instant grantedAt() {
        return lease.grantedAt();
    }

    @Override
    public long fencingToken() {
        return lease.fencingToken();
    }

    /**
     * Baton's state (HELD, IN_DOUBT, LOST) while the task holds the lock; LOST once {@code
     * lockAtMostFor} has passed, the lease was lost or the provider closed; RELEASED once unlocked.
     */
    @Override
    public LeaseState state() {
        switch (phase()) {
            case RUNNING:
                return lease.state();
            case UNLOCKED:
                return LeaseState.RELEASED;
            default:
                return LeaseState.LOST;
        }
    }

    /** The lease's own remaining time, capped by what is left of {@code lockAtMostFor}. */
    @Override
    public Duration remaining() {
        if (phase() != Phase.RUNNING) {
            return Duration.ZERO;
        }
        long left;
        synchronized (this) {
            left = atMostUntil - timer.nanoTime();
        }
        Duration own = lease.remaining();
        return left <= 0
                ? Duration.ZERO
                : own.compareTo(Duration.ofNanos(left)) < 0 ? own : Duration.ofNanos(left);
    }

    @Override
    public void ensureValid() {
        Phase p = phase();
        if (p == Phase.RUNNING) {
            lease.ensureValid();
        } else if (p == Phase.UNLOCKED) {
            throw new LeaseInvalidException(
                    name(),
                    LeaseState.RELEASED,
                    "ShedLock lock \"" + lockName + "\" was unlocked; its task has ended");
        } else {
            throw new LeaseLostException(name(), loss());
        }
    }

    /**
     * Completes once, with the reason, when the task loses the lock while it runs: {@code
     * lockAtMostFor} passed ({@link LeaseLoss.Reason#DEADLINE_PASSED}), Baton lost the lease, or
     * the provider was closed ({@link LeaseLoss.Reason#CLIENT_CLOSED}). Never completes if the task
     * unlocks first.
     */
    @Override
    public CompletionStage<LeaseLoss> lost() {
        return lost.minimalCompletionStage();
    }

    /**
     * Not supported: the lock is given back through ShedLock ({@link SimpleLock#unlock()}), which
     * also keeps {@code lockAtLeastFor}.
     */
    @Override
    public boolean release() {
        throw new UnsupportedOperationException(
                "unlock ShedLock lock \""
                        + lockName
                        + "\" through ShedLock (SimpleLock.unlock()), not through its lease");
    }

    @Override
    public synchronized String toString() {
        return "ShedLock lock \""
                + lockName
                + "\" (Baton \""
                + lease.name()
                + "\", token "
                + lease.fencingToken()
                + ", "
                + phase
                + ")";
    }
}
