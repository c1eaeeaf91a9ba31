package dev.baton.spi;

/**
 * Where a backend reports the outcome of one acquisition. <b>Internal.</b>
 *
 * <p>The first report counts; any later one is ignored, except that a grant reported after the core
 * settled the acquisition otherwise is released by the core. Each method may be called on any
 * thread, engine I/O threads included: none blocks, and none runs user code on the calling thread
 * (the core moves user continuations to its callback executor).
 *
 * @param <G> the backend's grant record (see {@link Backend})
 */
public interface GrantSink<G> {

    /**
     * The engine granted the request.
     *
     * @param fencingToken strictly greater than the token of every earlier grant of the name
     * @param sentAtNanos a {@link BackendContext#ticker()} reading taken just before sending the
     *     request whose answer proved the grant: the lease's deadline is {@code sentAt + ttl −
     *     margin}, which the engine cannot undercut because it received the request later
     * @param grant what {@link Backend#release} and {@link Backend#renew} will get back
     */
    void granted(long fencingToken, long sentAtNanos, G grant);

    /**
     * A try-once request could not be granted at once. The backend left nothing of it in the
     * engine.
     */
    void denied();

    /**
     * The acquisition failed (engine unreachable, session expired, client closed, a semaphore whose
     * size disagrees). The backend has removed, or started removing, whatever the request left in
     * the engine, or the engine dropped it with the session.
     *
     * @param error the cause, handed to the caller (a {@link dev.baton.BatonException} where the
     *     backend can map it)
     */
    void failed(Throwable error);
}
