package dev.baton.spi;

import dev.baton.BatonConfig;
import dev.baton.LeaseLoss;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the core offers a backend. <b>Internal.</b>
 *
 * <p>Session signals ({@link #sessionSuspended}, {@link #sessionConfirmed}, {@link #sessionLost})
 * apply to every lease of the client and may be called from engine threads: they only change lease
 * state and hand user-visible callbacks to the callback executor.
 */
public interface BackendContext {

    /**
     * The client's configuration: lease TTL, connect timeout and the rest.
     *
     * @return the configuration the client was opened with
     */
    BatonConfig config();

    /**
     * The client id the backend must record as holder in the engine.
     *
     * @return the client's {@link dev.baton.Baton#clientId()}
     */
    String clientId();

    /**
     * The namespace to use: the URI's path if given, else the configured one, else the default.
     *
     * @return a valid name that prefixes every path or key the backend writes
     */
    String namespace();

    /**
     * Monotonic time source; all {@code sentAt} values are readings of it.
     *
     * @return the client's ticker
     */
    dev.baton.Ticker ticker();

    /**
     * Executor for work that may block (engine round trips triggered by callbacks); never an engine
     * thread.
     *
     * @return the client's worker pool
     */
    Executor blockingExecutor();

    /**
     * The client's one scheduler thread, shared by the core (renewal ticks, acquire timeouts of
     * {@code acquireAsync}) and the backend (its timers and the hand-off of engine events, so that
     * a backend needs no thread of its own). Tasks run one at a time. They must be short, must
     * never block on the engine and must never run user code: a stalled task delays renewal of
     * every lease, though never the loss signal, whose deadline checks have a thread of their own.
     * The core shuts it down after {@link Backend#close()}; a backend never does.
     *
     * @return the client's scheduler
     */
    ScheduledExecutorService scheduler();

    /**
     * The backend learnt by itself that the engine no longer holds {@code grant} (a session ended
     * as the grant was made, a notification that the entry was deleted): the core marks its lease
     * lost, once, and signals the holder. Ignored for a grant with no live lease. Any thread.
     *
     * @param grant the backend's record of the grant, as reported to its sink
     * @param reason why it is gone
     * @param detail what the backend saw, for the loss's message
     */
    void grantLost(Object grant, LeaseLoss.Reason reason, String detail);

    /** The connection blipped: every held lease becomes IN_DOUBT. */
    void sessionSuspended();

    /**
     * A request sent at {@code sentAtNanos} was answered: every lease's deadline may advance.
     *
     * @param sentAtNanos the {@link #ticker()} reading taken before the request was sent (never the
     *     answer's arrival: the deadline must not outrun the engine's)
     */
    void sessionConfirmed(long sentAtNanos);

    /**
     * The engine ended the session: every lease is lost.
     *
     * @param reason why, usually {@link LeaseLoss.Reason#SESSION_EXPIRED}
     * @param detail what the backend saw, for the loss's message
     */
    void sessionLost(LeaseLoss.Reason reason, String detail);

    /**
     * The engine could not be reached (a liveness probe or a request failed for want of a
     * connection) though nothing says a session ended: the client's {@link
     * dev.baton.ConnectionState} becomes {@code DISCONNECTED} and every subscription is told.
     * Leases are left alone: for a backend without sessions their renewals decide, and one that has
     * sessions calls {@link #sessionSuspended} instead. Idempotent; any thread.
     */
    void engineUnreachable();

    /**
     * The engine answered a request that confirms no lease (a liveness probe): the connection state
     * becomes {@code CONNECTED} and, after a disconnection, every subscription is told it
     * reconnected and must resync. Unlike {@link #sessionConfirmed} it advances no lease's
     * deadline. Idempotent; any thread.
     */
    void engineReachable();
}
