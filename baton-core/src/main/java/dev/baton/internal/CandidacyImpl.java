package dev.baton.internal;

import dev.baton.BatonException;
import dev.baton.Candidacy;
import dev.baton.ClientClosedException;
import dev.baton.FencedLease;
import dev.baton.LeaderTask;
import dev.baton.LockInterruptedException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One candidate: a thread that queues for leadership, runs the task while leader, and queues again.
 *
 * <p>Invariants: {@code current} and {@code closed} are guarded by {@code this}. The thread is
 * interrupted only while {@code current} is the lease whose loss triggered it, or on close; the
 * interrupt flag is cleared before the next queueing, so a late loss signal cannot abort it.
 */
final class CandidacyImpl implements Candidacy {
    private static final Logger log = LoggerFactory.getLogger(CandidacyImpl.class);

    /** A term shorter than this is followed by a pause before queueing again. */
    private static final long MIN_TERM_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * The pause after a short term (or a failed queueing). Not final only so that a test can
     * lengthen it, to show that close never waits for it.
     */
    static volatile long pauseNanos = TimeUnit.SECONDS.toNanos(1);

    private final BatonImpl baton;
    private final LockImpl lock;
    private final LeaderTask task;
    private final Consumer<? super Throwable> onFailure;
    private final Thread thread;
    private FencedLease current;
    private boolean closed;
    private int terms;
    private Throwable lastFailure;

    CandidacyImpl(
            BatonImpl baton,
            LockImpl lock,
            LeaderTask task,
            Consumer<? super Throwable> onFailure) {
        this.baton = baton;
        this.lock = lock;
        this.task = task;
        this.onFailure = onFailure;
        this.thread = new Thread(this::run, "baton-candidate-" + lock.name());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        while (!isClosed()) {
            FencedLease lease;
            try {
                lease = lock.acquire();
            } catch (LockInterruptedException e) {
                Thread.interrupted();
                continue;
            } catch (ClientClosedException e) {
                return;
            } catch (BatonException e) {
                log.warn(
                        "election \"{}\": could not queue, retrying in 1 s: {}",
                        lock.name(),
                        e.getMessage());
                pause();
                continue;
            }
            synchronized (this) {
                if (closed) {
                    lease.release();
                    return;
                }
                current = lease;
                terms++;
            }
            lease.lost().thenRun(() -> interruptIfLeading(lease));
            long began = System.nanoTime();
            try {
                task.lead(lease);
            } catch (InterruptedException e) {
                log.debug("election \"{}\": task interrupted", lock.name());
            } catch (Exception | Error e) {
                // An Error must not end candidacy silently: log it, report it, keep the thread.
                log.error("election \"{}\": leader task failed; queueing again", lock.name(), e);
                reportFailure(e);
            } finally {
                synchronized (this) {
                    current = null;
                }
                Thread.interrupted();
                lease.release();
            }
            if (System.nanoTime() - began < MIN_TERM_NANOS) {
                pause(); // a task that returns at once must not spin through leadership
            }
        }
    }

    /**
     * Waits a second before queueing again, unless closed meanwhile: close wakes the wait, so it
     * never waits out the pause (a close right after a short term used to block for a second).
     */
    private synchronized void pause() {
        long end = System.nanoTime() + pauseNanos;
        long left;
        while (!closed && (left = end - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.interrupted(); // close sets closed first, then interrupts
            }
        }
    }

    /**
     * The task's failure: kept for {@link #lastFailure}, handed to the listener off this thread.
     */
    private void reportFailure(Throwable failure) {
        synchronized (this) {
            lastFailure = failure;
        }
        try {
            baton.callbackExecutor().execute(() -> onFailure.accept(failure));
        } catch (RuntimeException rejected) {
            log.debug("election \"{}\": failure listener not run: {}", lock.name(), rejected);
        }
    }

    @Override
    public synchronized Optional<Throwable> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    private synchronized void interruptIfLeading(FencedLease lease) {
        if (current == lease) {
            thread.interrupt();
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized boolean isLeader() {
        return current != null && current.isHeld();
    }

    @Override
    public synchronized Optional<FencedLease> leadership() {
        return Optional.ofNullable(current).filter(FencedLease::isHeld);
    }

    @Override
    public synchronized int terms() {
        return terms;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll(); // ends a pause at once
        }
        thread.interrupt();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        baton.untrack(this);
    }
}
