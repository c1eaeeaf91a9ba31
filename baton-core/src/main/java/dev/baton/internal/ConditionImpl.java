package dev.baton.internal;

import dev.baton.BatonException;
import dev.baton.FencedLease;
import dev.baton.LeaseKind;
import dev.baton.LeaseLoss;
import dev.baton.LeaseState;
import dev.baton.LockInterruptedException;
import dev.baton.Monitor;
import dev.baton.MonitorCondition;
import dev.baton.MonitorLeaseException;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.NotHolderException;
import dev.baton.spi.PendingAwait;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A condition variable over the backend's {@code await}/{@code signal}. <b>Internal.</b>
 *
 * <p>An await runs on the caller's thread in three steps: (1) the old lease leaves HELD for
 * RELEASED ({@link LeaseImpl#beginHandOver}), so no renewal or release of the core races the
 * engine, and the backend removes its grant and queues the waiter in one atomic engine step; (2)
 * the caller waits for its re-entry grant on an {@link AcquireCall}, the same object that settles
 * every acquisition's races, until the timeout; (3) at the timeout it asks the backend to move the
 * waiter to the entry queue ({@link PendingAwait#timeUp}), whose answer says whether a signal had
 * moved it first, and waits for the grant without a time limit. An interrupt at any point abandons
 * the call: the backend withdraws the waiter from whichever queue it is in, or the core releases a
 * grant that won the race, so nothing is left in the engine.
 *
 * <p>With {@code betweenSteps} set this is the two-step control ({@link TwoStepControl}): the old
 * lease is released and the waiter queued in two separate requests, with {@code betweenSteps} run
 * in the gap, which is where a signal gets lost.
 */
final class ConditionImpl implements MonitorCondition {
    private final BatonImpl baton;
    private final MonitorImpl monitor;
    private final String name;
    private final Runnable betweenSteps;

    ConditionImpl(BatonImpl baton, MonitorImpl monitor, String name, Runnable betweenSteps) {
        this.baton = baton;
        this.monitor = monitor;
        this.name = name;
        this.betweenSteps = betweenSteps;
    }

    ConditionImpl twoStep(Runnable gap) {
        return new ConditionImpl(baton, monitor, name, gap == null ? () -> {} : gap);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Monitor monitor() {
        return monitor;
    }

    @Override
    public Wakeup await(FencedLease lease, Duration timeout) {
        return await(lease, LockImpl.checkTimeout(timeout));
    }

    @Override
    public Wakeup await(FencedLease lease) {
        return await(lease, -1);
    }

    private Wakeup await(FencedLease lease, long timeoutNanos) {
        Started started = start(lease);
        AcquireCall call = started.call();
        PendingAwait pending = started.pending();
        boolean signalled = true;
        try {
            if (timeoutNanos >= 0) {
                try {
                    call.get(timeoutNanos, TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    try {
                        signalled = !pending.timeUp();
                    } catch (RuntimeException failed) {
                        call.abandon();
                        throw failed;
                    }
                    // The time-up's answer is awaited through an interrupt (PendingAwait#timeUp),
                    // and it may have granted the re-entry already, which call.get() would then
                    // return without looking at the interrupt: one that came while the caller
                    // still waited ends the await as any other does, holding nothing.
                    if (Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                }
            }
            return new Wakeup(call.get(), signalled);
        } catch (InterruptedException e) {
            call.abandon();
            Thread.currentThread().interrupt();
            throw new LockInterruptedException(monitor.name());
        } catch (ExecutionException | CancellationException e) {
            throw failure(e);
        }
    }

    @Override
    public Waiting beginAwait(FencedLease lease) {
        Started started = start(lease);
        return new WaitingImpl(baton, started.call(), started.pending(), this::failure);
    }

    /** Step one of every await: the waiter is queued (or the old lease refused). */
    private Started start(FencedLease lease) {
        LeaseImpl old = ownLease(lease);
        baton.ensureOpen();
        AcquireRequest reentry = new AcquireRequest(monitor.name(), LeaseKind.MONITOR, 1, 1, false);
        AcquireCall call = baton.newCall(reentry);
        PendingAwait pending =
                betweenSteps == null
                        ? giveUpAndQueue(old, reentry, call)
                        : twoSteps(old, reentry, call);
        call.attach(pending);
        return new Started(call, pending);
    }

    /** An await past its first step: the re-entry's call and the backend's waiter. */
    private record Started(AcquireCall call, PendingAwait pending) {}

    /** The atomic step: the engine removes the grant and queues the waiter, or changes nothing. */
    private PendingAwait giveUpAndQueue(LeaseImpl old, AcquireRequest reentry, AcquireCall call) {
        LeaseState was = old.beginHandOver();
        if (was != LeaseState.HELD) {
            throw refused(old, was, "it is " + was + ", not HELD");
        }
        PendingAwait pending;
        try {
            pending = baton.backend().await(old.grant(), name, reentry, call);
        } catch (NotHolderException e) {
            old.handOverFailed(
                    LeaseLoss.Reason.GRANT_GONE,
                    "the engine no longer had it as the holder at a wait: " + e.getMessage());
            throw refused(old, LeaseState.LOST, "the engine no longer has it as the holder");
        } catch (RuntimeException e) {
            old.handOverFailed(
                    LeaseLoss.Reason.GRANT_GONE, "a wait could not reach the engine: " + e);
            throw e;
        }
        old.handedOver();
        return pending;
    }

    /** The broken control: release, then (after {@code betweenSteps}) queue, in two requests. */
    private PendingAwait twoSteps(LeaseImpl old, AcquireRequest reentry, AcquireCall call) {
        LeaseState state = old.state();
        if (state != LeaseState.HELD) {
            throw refused(old, state, "it is " + state + ", not HELD");
        }
        old.release();
        betweenSteps.run();
        return baton.backend().await(null, name, reentry, call);
    }

    @Override
    public boolean signal(FencedLease lease) {
        return signal(lease, false) > 0;
    }

    @Override
    public int signalAll(FencedLease lease) {
        return signal(lease, true);
    }

    private int signal(FencedLease lease, boolean all) {
        LeaseImpl holder = ownLease(lease);
        LeaseState state = holder.state();
        if (state != LeaseState.HELD) {
            throw refused(holder, state, "it is " + state + ", not HELD");
        }
        try {
            return baton.backend().signal(holder.grant(), monitor.name(), name, all);
        } catch (NotHolderException e) {
            holder.markLost(
                    LeaseLoss.Reason.GRANT_GONE,
                    "the engine no longer had it as the holder at a signal: " + e.getMessage());
            throw refused(holder, LeaseState.LOST, "the engine no longer has it as the holder");
        }
    }

    /** The lease as this client's lease of this monitor, or the refusal (nothing is changed). */
    private LeaseImpl ownLease(FencedLease lease) {
        if (lease == null) {
            throw new MonitorLeaseException(
                    monitor.name(), null, LeaseState.RELEASED, "it is null");
        }
        if (!(lease instanceof LeaseImpl own) || !lease.holder().equals(baton.clientId())) {
            throw refused(lease, lease.state(), "it is another client's lease");
        }
        if (lease.kind() != LeaseKind.MONITOR || !lease.name().equals(monitor.name())) {
            throw refused(lease, lease.state(), "it is not a lease of this monitor");
        }
        return own;
    }

    private MonitorLeaseException refused(FencedLease lease, LeaseState state, String problem) {
        return new MonitorLeaseException(
                monitor.name(), lease, state, problem + " (condition \"" + name + "\")");
    }

    BatonException failure(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof BatonException b) {
            return b;
        }
        return new BatonException(
                "waiting on condition \""
                        + name
                        + "\" of monitor \""
                        + monitor.name()
                        + "\" failed: "
                        + t,
                t);
    }

    @Override
    public String toString() {
        return "condition \"" + name + "\" of " + monitor;
    }
}
