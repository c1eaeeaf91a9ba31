package dev.baton.spring;

import dev.baton.FencedLease;
import dev.baton.LeaseInvalidException;
import dev.baton.LeaseKind;
import dev.baton.LeaseLostException;
import dev.baton.LeaseState;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The sections running on each thread, innermost first, and the one way a method runs under a
 * lease. Only the owning thread touches its stack.
 */
final class Sections {
    private static final ThreadLocal<Deque<Section>> STACK =
            ThreadLocal.withInitial(ArrayDeque::new);

    private Sections() {}

    static Section innermost() {
        return STACK.get().peek();
    }

    /** The innermost section on this thread under a lease of {@code kind} on {@code name}. */
    static Section find(LeaseKind kind, String name) {
        for (Section s : STACK.get()) {
            if (s.is(kind, name)) {
                return s;
            }
        }
        return null;
    }

    /** The innermost section on this thread whose lease is on {@code name}, of any kind. */
    static Section find(String name) {
        for (Section s : STACK.get()) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** The body of an advised method. */
    @FunctionalInterface
    interface Body {
        Object run() throws Throwable;
    }

    /**
     * Runs {@code body} with {@code lease} bound to this thread; releases the lease afterwards if
     * {@code release} (the section owns it). If the lease was lost meanwhile, or ended under the
     * section by someone else (a leadership given up as the application stops), the call fails with
     * that ({@link LeaseLostException}, or {@link LeaseInvalidException} naming the state; the
     * method's own failure, if any, suppressed in it), since what the method did may have
     * overlapped another holder. An {@link Error} from the method is rethrown as it is.
     */
    static Object run(FencedLease lease, boolean interruptOnLoss, boolean release, Body body)
            throws Throwable {
        Section section = new Section(lease.kind(), lease.name(), lease, interruptOnLoss);
        Deque<Section> stack = STACK.get();
        stack.push(section);
        Object result = null;
        Throwable failure = null;
        LeaseInvalidException ended;
        try {
            LossWatch.enter(section);
            lease.ensureValid(); // lost before the method began: do not run it
            result = body.run();
        } catch (Throwable t) {
            failure = t;
        } finally {
            stack.pop();
            if (stack.isEmpty()) {
                STACK.remove();
            }
            LossWatch.exit(section);
            // Judged before the section reports closed: whoever waits for the close (a stopping
            // BatonLeadership) gives the lease up only after it, so a run that returned in time is
            // not blamed for the release it was waited for.
            ended = endedUnder(lease, release);
            section.close();
        }
        if (release) {
            lease.release(); // no effect once lost
            LossWatch.forget(lease);
        }
        if (failure instanceof Error || failure instanceof LeaseInvalidException) {
            throw failure;
        }
        if (ended != null) {
            if (failure != null) {
                ended.addSuppressed(failure);
            }
            throw ended;
        }
        if (failure != null) {
            throw failure;
        }
        return result;
    }

    /**
     * Why the lease is no longer good after the section, or null: lost; or released, when the
     * section did not own it. In doubt is not known to be lost: the method ran while the engine was
     * unsure.
     */
    private static LeaseInvalidException endedUnder(FencedLease lease, boolean owned) {
        try {
            lease.ensureValid();
            return null;
        } catch (LeaseLostException e) {
            return e;
        } catch (LeaseInvalidException e) {
            return !owned && e.state() == LeaseState.RELEASED ? e : null;
        }
    }
}
