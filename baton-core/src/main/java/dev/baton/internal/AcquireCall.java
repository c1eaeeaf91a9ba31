package dev.baton.internal;

import dev.baton.LeaseListener;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.GrantSink;
import dev.baton.spi.NotAcquiredException;
import dev.baton.spi.PendingAcquire;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One acquisition as the core sees it: the future a caller waits on, and the sink its backend
 * reports to. This is the one place where the races of an acquisition are settled, for every
 * backend. <b>Internal.</b>
 *
 * <p>Invariant: {@code settledBy} is set exactly once, by whichever comes first — the backend's
 * report ({@link #granted}: the grant itself; {@link #denied}, {@link #failed}) or the caller
 * giving up ({@link #completeExceptionally}, {@link #cancel}: timeout, interrupt, cancel). Only the
 * winner completes the future, so the future's outcome and the engine's state always agree:
 *
 * <ul>
 *   <li>The caller gave up first: the backend is told to withdraw <em>before</em> the future
 *       completes, so a caller who sees a timeout sees no entry left behind; a grant reported
 *       afterwards is released through the lease manager, on a worker (the report may come on an
 *       engine I/O thread, and releasing waits on the engine).
 *   <li>The grant came first: the lease is registered (the manager marks it lost at once if the
 *       client is closing) and the future completes with it; a caller giving up now gets {@code
 *       false} from {@code cancel}/{@code completeExceptionally} and must release the lease, which
 *       {@link #abandon} does, whenever the lease shows up.
 *   <li>The same grant reported twice (by a reply and by a notification that raced it) is taken
 *       once: the second report is recognised by {@code equals} and ignored, never released.
 * </ul>
 *
 * <p>The sink's methods never block and run no user code; the backend may call them on any thread,
 * even before {@link dev.baton.spi.Backend#acquire} returned its {@link PendingAcquire}, which is
 * why the handle is attached afterwards and a withdrawal asked for before that waits for it.
 */
final class AcquireCall extends CompletableFuture<LeaseImpl> implements GrantSink<Object> {
    private final LeaseManager leases;
    private final AcquireRequest request;

    /** Who settled the acquisition: the accepted grant, or one of the two markers below. */
    private final AtomicReference<Object> settledBy = new AtomicReference<>();

    private static final Object CALLER_GAVE_UP = new Object();
    private static final Object BACKEND_ANSWERED = new Object();
    private PendingAcquire pending; // guarded by this
    private boolean withdrawWhenAttached; // guarded by this

    /** When the acquisition began, on the client's ticker: the wait reported with its event. */
    private final long startedNanos;

    AcquireCall(LeaseManager leases, AcquireRequest request) {
        this.leases = leases;
        this.request = request;
        this.startedNanos = leases.now();
    }

    /** Hands over the backend's handle; withdraws at once if the caller gave up meanwhile. */
    void attach(PendingAcquire p) {
        boolean withdrawNow;
        synchronized (this) {
            pending = p;
            withdrawNow = withdrawWhenAttached;
        }
        if (withdrawNow) {
            p.withdraw();
        }
    }

    // ---- the backend's reports ----

    @Override
    public void granted(long fencingToken, long sentAtNanos, Object grant) {
        if (!settledBy.compareAndSet(null, grant)) {
            if (!grant.equals(settledBy.get())) {
                leases.releaseUnwanted(request.name(), grant);
            } // else: the accepted grant, reported again
            return;
        }
        // The grant event is queued as the lease is made, before anyone can see the lease (the
        // caller, the deadline sweep, a release), so it precedes every later event of the lease.
        LeaseImpl lease =
                leases.newLease(
                        request.name(),
                        request.kind(),
                        request.permits(),
                        fencingToken,
                        sentAtNanos,
                        grant,
                        made -> leases.events().granted(made, leases.now() - startedNanos));
        super.complete(lease);
    }

    @Override
    public void denied() {
        if (settledBy.compareAndSet(null, BACKEND_ANSWERED)) {
            refused(LeaseListener.Refusal.BUSY);
            super.completeExceptionally(new NotAcquiredException(request.name()));
        }
    }

    @Override
    public void failed(Throwable error) {
        if (settledBy.compareAndSet(null, BACKEND_ANSWERED)) {
            refused(LeaseListener.Refusal.FAILED);
            super.completeExceptionally(error);
        }
    }

    // ---- the caller giving up ----

    /** The caller gives up with {@code reason}; withdraws first. False if the backend answered. */
    @Override
    public boolean completeExceptionally(Throwable reason) {
        if (!settledBy.compareAndSet(null, CALLER_GAVE_UP)) {
            return false;
        }
        withdraw();
        refused(
                reason instanceof LockImpl.TimedOut
                        ? LeaseListener.Refusal.TIMEOUT
                        : LeaseListener.Refusal.FAILED);
        return super.completeExceptionally(reason);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (!settledBy.compareAndSet(null, CALLER_GAVE_UP)) {
            return false;
        }
        withdraw();
        refused(LeaseListener.Refusal.CANCELLED);
        return super.cancel(mayInterruptIfRunning);
    }

    /** Only the backend's grant completes this future normally. */
    @Override
    public boolean complete(LeaseImpl value) {
        throw new UnsupportedOperationException("an acquisition completes with its grant only");
    }

    /**
     * Gives up for good: withdraws if nothing was answered yet, and otherwise releases the lease if
     * the answer was (or is about to be) a grant. Used by a caller that cannot take the lease any
     * more (interrupted).
     */
    void abandon() {
        if (!cancel(false)) {
            // The backend won, but its lease may not be in the future yet (it is being made):
            // release it whenever it is, off the completing thread, which may be an engine's.
            whenCompleteAsync(
                    (lease, error) -> {
                        if (lease != null) {
                            lease.release();
                        }
                    },
                    leases.blockingExecutor());
        }
    }

    /** Queues the refusal event; only the winner of {@code settledBy} calls it, once. */
    private void refused(LeaseListener.Refusal refusal) {
        leases.events()
                .refused(request.name(), request.kind(), refusal, leases.now() - startedNanos);
    }

    private void withdraw() {
        PendingAcquire p;
        synchronized (this) {
            p = pending;
            if (p == null) {
                withdrawWhenAttached = true;
                return;
            }
        }
        p.withdraw();
    }

    @Override
    public String toString() {
        return "AcquireCall{" + request + "}";
    }
}
