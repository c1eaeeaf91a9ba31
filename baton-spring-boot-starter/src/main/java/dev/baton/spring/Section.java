package dev.baton.spring;

import dev.baton.FencedLease;

/**
 * One run of a {@link Locked} or {@link LeaderOnly} method under its lease, bound to the thread
 * that runs it.
 *
 * <p>Invariants: {@code open} and {@code interrupted} are guarded by {@code this}. The loss
 * callback runs on Baton's callback executor, never on an engine thread; it interrupts the thread
 * only while the section is open, and {@link #close()} (on that thread) shuts the section under the
 * same lock, so a loss reported after the method returned never interrupts whatever the thread does
 * next. An interrupt this section caused is cleared on close: the caller is told by a {@link
 * dev.baton.LeaseLostException} instead.
 */
final class Section {
    private final String name;
    private final FencedLease lease;
    private final Thread thread;
    private final boolean interruptOnLoss;
    private boolean open = true;
    private boolean interrupted;

    Section(String name, FencedLease lease, boolean interruptOnLoss) {
        this.name = name;
        this.lease = lease;
        this.thread = Thread.currentThread();
        this.interruptOnLoss = interruptOnLoss;
    }

    /** Starts listening for the loss; after this, a loss interrupts the thread. */
    void watch() {
        if (interruptOnLoss) {
            lease.lost().thenRun(this::lost);
        }
    }

    private synchronized void lost() {
        if (open && thread != Thread.currentThread()) {
            interrupted = true;
            thread.interrupt();
        }
    }

    /** Called on the section's thread when the method has returned. */
    synchronized void close() {
        open = false;
        if (interrupted) {
            Thread.interrupted();
        }
    }

    String name() {
        return name;
    }

    FencedLease lease() {
        return lease;
    }
}
