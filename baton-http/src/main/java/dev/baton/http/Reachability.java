package dev.baton.http;

import dev.baton.spi.BackendContext;

/**
 * What the client knows of its path to the engine, in two parts: the gateway itself (does it answer
 * our keep-alives?) and the engine behind it (the gateway forwards its own client's {@code
 * disconnected}/{@code reconnected} on our watch streams). The core hears the conjunction: {@link
 * BackendContext#engineUnreachable} when either part is down, {@link
 * BackendContext#engineReachable} once both are up again, so a keep-alive answered by a gateway
 * whose engine is down does not announce a reconnection.
 *
 * <p>Threads: any (the HttpClient's executor, the core's scheduler). The state is guarded by {@code
 * this}, and the core is told under it, so two reports reach it in the order the state took; the
 * core's calls only enqueue.
 */
final class Reachability {
    private final BackendContext ctx;
    private boolean gateway = true; // guarded by this
    private boolean engine = true; // guarded by this

    Reachability(BackendContext ctx) {
        this.ctx = ctx;
    }

    /** The gateway answered a request ({@code true}) or could not be reached ({@code false}). */
    synchronized void gateway(boolean up) {
        gateway = up;
        report();
    }

    /** The gateway's stream said its engine is reachable ({@code true}) or not. */
    synchronized void engine(boolean up) {
        engine = up;
        report();
    }

    private void report() {
        if (gateway && engine) {
            ctx.engineReachable();
        } else {
            ctx.engineUnreachable();
        }
    }
}
