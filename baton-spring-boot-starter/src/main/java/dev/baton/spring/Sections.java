package dev.baton.spring;

import dev.baton.FencedLease;
import dev.baton.LeaseInvalidException;
import dev.baton.LeaseLostException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

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

    static Section find(String name) {
        for (Iterator<Section> it = STACK.get().iterator(); it.hasNext(); ) {
            Section s = it.next();
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
     * {@code release}. If the lease was lost meanwhile, the call fails with {@link
     * LeaseLostException} (the method's own failure, if any, suppressed in it), since what the
     * method did may have overlapped another holder.
     */
    static Object run(
            String name, FencedLease lease, boolean interruptOnLoss, boolean release, Body body)
            throws Throwable {
        Section section = new Section(name, lease, interruptOnLoss);
        Deque<Section> stack = STACK.get();
        stack.push(section);
        Object result = null;
        Throwable failure = null;
        try {
            section.watch();
            lease.ensureValid(); // lost before the method began: do not run it
            result = body.run();
        } catch (Throwable t) {
            failure = t;
        } finally {
            stack.pop();
            if (stack.isEmpty()) {
                STACK.remove();
            }
            section.close();
        }
        LeaseLostException lost = lostOrNull(lease);
        if (release) {
            lease.release(); // no effect once lost
        }
        if (lost != null && !(failure instanceof LeaseLostException)) {
            if (failure != null) {
                lost.addSuppressed(failure);
            }
            throw lost;
        }
        if (failure != null) {
            throw failure;
        }
        return result;
    }

    private static LeaseLostException lostOrNull(FencedLease lease) {
        try {
            lease.ensureValid();
            return null;
        } catch (LeaseLostException e) {
            return e;
        } catch (LeaseInvalidException inDoubt) {
            return null; // not known to be lost: the method ran while the engine was unsure
        }
    }
}
