package dev.baton.spring;

import dev.baton.FencedLease;
import dev.baton.LeaseKind;

/**
 * One run of a {@link Locked} or {@link LeaderOnly} method under its lease, bound to the thread
 * that runs it.
 *
 * <p>Invariants: {@code open} and {@code interrupted} are guarded by {@code this}. {@link
 * #interrupt()} comes from another thread (the loss callback on Baton's callback executor, never an
 * engine thread; or the application stopping); it interrupts the section's thread only while the
 * section is open, and {@link #close()} (on that thread) shuts the section under the same lock, so
 * an interrupt meant for this run never hits whatever the thread does next. An interrupt this
 * section caused is cleared on close: the caller is told by an exception instead (an unrelated
 * interrupt that arrived after the method consumed ours is cleared with it).
 */
final class Section {
    private final LeaseKind kind;
    private final String name;
    private final FencedLease lease;
    private final Thread thread;
    private final boolean interruptOnLoss;
    private boolean open = true;
    private boolean interrupted;

    Section(LeaseKind kind, String name, FencedLease lease, boolean interruptOnLoss) {
        this.kind = kind;
        this.name = name;
        this.lease = lease;
        this.thread = Thread.currentThread();
        this.interruptOnLoss = interruptOnLoss;
    }

    /** The lease was lost: interrupt the run if it asked for that. */
    void lost() {
        if (interruptOnLoss) {
            interrupt();
        }
    }

    /** Interrupts the run if it is still open. */
    synchronized void interrupt() {
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
        notifyAll();
    }

    /** Waits until the run has returned, at most {@code millis}. */
    synchronized boolean awaitClosed(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (open) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    boolean is(LeaseKind k, String n) {
        return kind == k && name.equals(n);
    }

    String name() {
        return name;
    }

    FencedLease lease() {
        return lease;
    }
}
