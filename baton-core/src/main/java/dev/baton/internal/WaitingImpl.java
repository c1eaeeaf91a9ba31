package dev.baton.internal;

import dev.baton.BatonException;
import dev.baton.ClientClosedException;
import dev.baton.MonitorCondition;
import dev.baton.MonitorCondition.Wakeup;
import dev.baton.spi.PendingAwait;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * An await past its atomic first step, driven by its caller step by step ({@link
 * MonitorCondition#beginAwait}). <b>Internal.</b>
 *
 * <p>The re-entry grant arrives on the {@link AcquireCall}, which settles its races with the caller
 * giving up exactly as for any acquisition; this class only adds what a step-by-step caller needs:
 * the wake-up as a future completed on the callback executor (never an engine thread), and the
 * {@code signalled} flag, which is known only once {@link #timeUp} has its answer.
 *
 * <p>Invariants (all guarded by {@code this}): {@code timeUp} goes NOT_ASKED → ASKING → MOVED or
 * NOT_MOVED, once. A grant that arrives while it is ASKING (the engine may report the re-entry
 * before the time-up's own answer is read) is parked in {@code parked} and completed by the time-up
 * once it knows the flag, so the flag is never guessed. The wake-up future is completed by whoever
 * holds the grant last; a grant that finds the future already done (cancelled) is released.
 */
final class WaitingImpl implements MonitorCondition.Waiting {
    private enum TimeUp {
        NOT_ASKED,
        ASKING,
        MOVED,
        NOT_MOVED
    }

    private final BatonImpl baton;
    private final AcquireCall call;
    private final PendingAwait pending;
    private final Function<Throwable, BatonException> failure;
    private final CompletableFuture<Wakeup> wakeup = new CompletableFuture<>();

    private TimeUp timeUp = TimeUp.NOT_ASKED; // guarded by this
    private LeaseImpl parked; // guarded by this: a grant that came while the time-up was asking

    WaitingImpl(
            BatonImpl baton,
            AcquireCall call,
            PendingAwait pending,
            Function<Throwable, BatonException> failure) {
        this.baton = baton;
        this.call = call;
        this.pending = pending;
        this.failure = failure;
        // The call completes on whichever thread the backend reports on (maybe an engine's): hop.
        call.whenComplete((lease, error) -> handOff(() -> settle(lease, error), lease));
        // However the caller's future ends early (cancel, orTimeout), give the wait up: withdraw
        // the waiter from whichever queue holds it. Withdrawing may wait on the engine: a worker.
        wakeup.whenComplete(
                (w, error) -> {
                    if (error != null && !call.isDone()) {
                        onWorker(call::abandon);
                    }
                });
    }

    @Override
    public CompletableFuture<Wakeup> wakeup() {
        return wakeup;
    }

    @Override
    public boolean timeUp() {
        synchronized (this) {
            if (timeUp != TimeUp.NOT_ASKED || call.isDone()) {
                return false;
            }
            timeUp = TimeUp.ASKING;
        }
        boolean moved;
        try {
            moved = pending.timeUp();
        } catch (RuntimeException e) {
            LeaseImpl g;
            synchronized (this) {
                timeUp = TimeUp.NOT_MOVED;
                g = parked;
                parked = null;
            }
            call.abandon(); // releases a grant that won the race
            if (g != null) {
                g.release();
            }
            wakeup.completeExceptionally(e);
            throw e;
        }
        LeaseImpl g;
        synchronized (this) {
            timeUp = moved ? TimeUp.MOVED : TimeUp.NOT_MOVED;
            g = parked;
            parked = null;
        }
        if (g != null) {
            handOff(() -> complete(g, !moved), g);
        }
        return moved;
    }

    /** On the callback executor: the call's outcome. */
    private void settle(LeaseImpl lease, Throwable error) {
        if (error != null) {
            wakeup.completeExceptionally(failure.apply(error));
            return;
        }
        boolean signalled;
        synchronized (this) {
            if (timeUp == TimeUp.ASKING) {
                parked = lease; // the time-up completes it once it knows the flag
                return;
            }
            signalled = timeUp != TimeUp.MOVED;
        }
        complete(lease, signalled);
    }

    private void complete(LeaseImpl lease, boolean signalled) {
        if (!wakeup.complete(new Wakeup(lease, signalled))) {
            lease.release(); // the caller gave up as it was granted
        }
    }

    /** Runs {@code task} on the callback executor; if the client is closing, fails instead. */
    private void handOff(Runnable task, LeaseImpl lease) {
        try {
            baton.callbackExecutor().execute(task);
        } catch (RejectedExecutionException closing) {
            if (lease != null) {
                lease.release();
            }
            wakeup.completeExceptionally(new ClientClosedException(baton.clientId()));
        }
    }

    private void onWorker(Runnable task) {
        try {
            baton.blockingExecutor().execute(task);
        } catch (RejectedExecutionException closing) {
            task.run(); // the client is closing; its threads are going away
        }
    }
}
