package dev.baton.spi;

/** An acquisition in flight, as {@link Backend#acquire} returns it. <b>Internal.</b> */
@FunctionalInterface
public interface PendingAcquire {

    /**
     * The caller gave up (timeout, interrupt, cancel): remove the request from the engine. Called
     * at most once, by the core, only before the sink reported anything the core accepted.
     *
     * <p>Returns once the request is gone from the engine, bounded by the backend's request
     * timeout, so that a caller who sees a timeout sees no entry left behind; on one of the
     * backend's own I/O or event threads it only starts the removal and returns. A grant the engine
     * made meanwhile may still be reported to the sink: the core then releases it.
     */
    void withdraw();
}
