package dev.baton.internal;

import dev.baton.FencedLease;
import dev.baton.LeaseInvalidException;
import dev.baton.LeaseKind;
import dev.baton.LeaseLoss;
import dev.baton.LeaseLostException;
import dev.baton.LeaseState;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The one lease implementation, shared by all backends. <b>Internal.</b>
 *
 * <p>Invariants: {@code state} and {@code deadline} are guarded by {@code this}; every transition
 * queues its lease event while holding that lock (queueing never blocks and runs no listener), so
 * the events of one lease are in the order of its transitions; a transition into a final state
 * happens exactly once, inside the lock, and its side effects (unregistering, completing {@link
 * #lost()} on the callback executor, removing the grant from the engine) run after the lock is
 * dropped, exactly once, through {@link LeaseManager}. The deadline only moves forward, and once
 * {@code now ≥ deadline} the lease is lost whoever looks first: a reader of {@link #state()},
 * {@link #ensureValid()}, or the manager's periodic check. A confirmation that arrives after the
 * deadline cannot revive it.
 */
final class LeaseImpl implements FencedLease {
    private final LeaseManager manager;
    private final String name;
    private final LeaseKind kind;
    private final int permits;
    private final String holder;
    private final long token;
    private final Instant grantedAt;
    private final Object grant;
    private final CompletableFuture<LeaseLoss> lost = new CompletableFuture<>();

    private LeaseState state = LeaseState.HELD;
    // Written under this lease's lock; volatile so that the deadline sweep can skip a lease whose
    // deadline is ahead without taking the lock (deadlines only move forward).
    private volatile long deadline;
    private LeaseLoss loss;

    LeaseImpl(
            LeaseManager manager,
            String name,
            LeaseKind kind,
            int permits,
            String holder,
            long token,
            long sentAtNanos,
            Object grant) {
        this.manager = manager;
        this.name = name;
        this.kind = kind;
        this.permits = permits;
        this.holder = holder;
        this.token = token;
        this.grant = grant;
        this.grantedAt = Instant.now();
        this.deadline = manager.deadlineFor(sentAtNanos);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public LeaseKind kind() {
        return kind;
    }

    @Override
    public int permits() {
        return permits;
    }

    @Override
    public String holder() {
        return holder;
    }

    @Override
    public long fencingToken() {
        return token;
    }

    @Override
    public Instant grantedAt() {
        return grantedAt;
    }

    /** The backend's record of this grant, for renewing and releasing it. */
    Object grant() {
        return grant;
    }

    /** The local deadline, in ticker nanoseconds. */
    public synchronized long deadlineNanos() {
        return deadline;
    }

    @Override
    public LeaseState state() {
        LeaseLoss fired;
        LeaseState s;
        synchronized (this) {
            fired = expireIfDueLocked();
            s = state;
        }
        if (fired != null) {
            manager.onLost(this, fired);
        }
        return s;
    }

    @Override
    public Duration remaining() {
        LeaseLoss fired;
        long left;
        synchronized (this) {
            fired = expireIfDueLocked();
            left = state.isFinal() ? 0 : deadline - manager.now();
        }
        if (fired != null) {
            manager.onLost(this, fired);
        }
        return Duration.ofNanos(Math.max(0, left));
    }

    @Override
    public void ensureValid() {
        LeaseState s = state();
        if (s == LeaseState.HELD) {
            return;
        }
        if (s == LeaseState.LOST) {
            throw new LeaseLostException(name, lossNow());
        }
        throw new LeaseInvalidException(name, s);
    }

    private synchronized LeaseLoss lossNow() {
        return loss;
    }

    @Override
    public CompletionStage<LeaseLoss> lost() {
        return lost.minimalCompletionStage();
    }

    @Override
    public boolean release() {
        LeaseLoss fired;
        synchronized (this) {
            fired = expireIfDueLocked();
            if (fired == null) {
                if (state.isFinal()) {
                    return false;
                }
                state = LeaseState.RELEASED;
                manager.events().released(this);
            }
        }
        if (fired != null) {
            // It was lost at this very moment: report the loss, do not claim a release.
            manager.onLost(this, fired);
            return false;
        }
        manager.onReleased(this);
        return true;
    }

    /**
     * A monitor wait starts: the backend's {@code await} is about to remove this grant from the
     * engine itself, so the lease leaves HELD for RELEASED without a release (and leaves the
     * manager, so no renewal or sweep touches it meanwhile). The released event is queued by {@link
     * #handedOver} once the engine has done it, or the lease is declared lost by {@link
     * #handOverFailed}.
     *
     * @return the state the lease was in: the hand-over began only if it was HELD
     */
    LeaseState beginHandOver() {
        LeaseLoss fired;
        LeaseState was;
        synchronized (this) {
            fired = expireIfDueLocked();
            was = state;
            if (was == LeaseState.HELD) {
                state = LeaseState.RELEASED;
            }
        }
        if (fired != null) {
            manager.onLost(this, fired);
        }
        if (was == LeaseState.HELD) {
            manager.forget(this);
        }
        return was;
    }

    /** The engine took the grant back as part of a monitor wait: the lease is released. */
    void handedOver() {
        manager.events().released(this);
    }

    /**
     * The engine refused the hand-over (the grant was not the holder there) or could not be told:
     * the lease is lost. Its grant is released quietly, in case the engine still has it.
     */
    void handOverFailed(LeaseLoss.Reason reason, String detail) {
        LeaseLoss fired;
        synchronized (this) {
            fired = loseLocked(reason, detail);
        }
        manager.onLost(this, fired);
    }

    /** A request sent at {@code sentAtNanos} confirmed the grant: move the deadline forward. */
    void confirm(long sentAtNanos) {
        LeaseLoss fired;
        synchronized (this) {
            fired = expireIfDueLocked();
            if (fired == null && !state.isFinal()) {
                long next = manager.deadlineFor(sentAtNanos);
                if (next - deadline > 0) {
                    deadline = next;
                }
                if (state == LeaseState.IN_DOUBT && manager.now() - deadline < 0) {
                    state = LeaseState.HELD;
                    manager.events().confirmed(this);
                }
            }
        }
        if (fired != null) {
            manager.onLost(this, fired);
        }
    }

    /** Connection trouble: HELD becomes IN_DOUBT until the next confirmation. */
    void suspect() {
        LeaseLoss fired;
        synchronized (this) {
            fired = expireIfDueLocked();
            if (fired == null && state == LeaseState.HELD) {
                state = LeaseState.IN_DOUBT;
                manager.events().inDoubt(this);
            }
        }
        if (fired != null) {
            manager.onLost(this, fired);
        }
    }

    /**
     * Declares the lease lost (session expired, grant found gone). No effect if already final.
     * Callable from engine threads: user callbacks are handed to the callback executor.
     *
     * @return whether this call made the lease lost
     */
    boolean markLost(LeaseLoss.Reason reason, String detail) {
        LeaseLoss fired = null;
        synchronized (this) {
            if (!state.isFinal()) {
                fired = loseLocked(reason, detail);
            }
        }
        if (fired != null) {
            manager.onLost(this, fired);
        }
        return fired != null;
    }

    /**
     * Checks the deadline; returns the loss if this call made the lease lost. {@code now} is the
     * sweep's clock reading: a lease whose deadline is after it is skipped without its lock (a
     * racing confirmation only moves the deadline further ahead); one that looks due is checked
     * again under the lock, against a fresh reading.
     */
    boolean checkDeadline(long now) {
        if (now - deadline < 0) {
            return false;
        }
        LeaseLoss fired;
        synchronized (this) {
            fired = expireIfDueLocked();
        }
        if (fired != null) {
            manager.onLost(this, fired);
            return true;
        }
        return false;
    }

    private LeaseLoss expireIfDueLocked() {
        if (!state.isFinal() && manager.now() - deadline >= 0) {
            return loseLocked(
                    LeaseLoss.Reason.DEADLINE_PASSED,
                    "renewal not confirmed within the lease TTL minus the safety margin");
        }
        return null;
    }

    private LeaseLoss loseLocked(LeaseLoss.Reason reason, String detail) {
        state = LeaseState.LOST;
        loss = new LeaseLoss(reason, detail, Instant.now());
        manager.events().lost(this, loss);
        return loss;
    }

    /** Completes the public loss future; called once, on the callback executor. */
    void completeLost(LeaseLoss l) {
        lost.complete(l);
    }

    @Override
    public String toString() {
        return "Lease{"
                + kind
                + " \""
                + name
                + "\" holder="
                + holder
                + " token="
                + token
                + " "
                + state()
                + "}";
    }
}
