package dev.baton.spi;

/**
 * A waiter of a monitor condition, as {@link Backend#await} returns it. <b>Internal.</b>
 *
 * <p>The waiter is first in the condition's wait queue; a signal, or {@link #timeUp}, moves it to
 * the tail of the monitor's entry queue, where it is granted as any acquisition is (reported to the
 * await's sink). {@link #withdraw} removes it from whichever queue it is in.
 */
public interface PendingAwait extends PendingAcquire {

    /**
     * The caller's wait for a signal is over: if the waiter is still in the condition's wait queue,
     * move it to the tail of the monitor's entry queue, in one atomic step in the engine. Called at
     * most once, by the core, on the waiting caller's thread; returns once the engine answered,
     * bounded by the backend's request timeout. An interrupt of the caller does not end this call
     * early: the backend waits for the engine's answer and leaves the interrupt set, and the core
     * then withdraws the waiter, or releases its grant, and throws {@link
     * dev.baton.LockInterruptedException}.
     *
     * @return {@code true} if this call moved the waiter (it timed out unsignalled); {@code false}
     *     if a signal had moved it already
     * @throws dev.baton.BackendUnavailableException if the engine could not be reached (the core
     *     then withdraws)
     */
    boolean timeUp();
}
