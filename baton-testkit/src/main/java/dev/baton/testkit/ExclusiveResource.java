package dev.baton.testkit;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for a resource that at most {@code capacity} holders may use at once (after Curator's
 * {@code FakeLimitedResource}): every holder calls {@link #enter()} on entry and {@link #exit()} on
 * leaving, and the resource counts how often it was entered while already full. A correct lock
 * keeps {@link #violations()} at zero; a broken one does not (see {@code ExclusiveResourceTest}).
 *
 * <p>Thread-safe: all state is atomic. {@link #enter()} yields inside the critical window, so that
 * overlapping holders are caught even on a machine with few cores.
 */
public final class ExclusiveResource {
    private final int capacity;
    private final AtomicInteger inside = new AtomicInteger();
    private final AtomicInteger maxInside = new AtomicInteger();
    private final AtomicInteger violations = new AtomicInteger();
    private final AtomicInteger entries = new AtomicInteger();

    /** An exclusive resource: one holder at a time. */
    public ExclusiveResource() {
        this(1);
    }

    public ExclusiveResource(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, but was " + capacity);
        }
        this.capacity = capacity;
    }

    /** A holder starts using the resource. */
    public void enter() {
        int now = inside.incrementAndGet();
        entries.incrementAndGet();
        maxInside.accumulateAndGet(now, Math::max);
        if (now > capacity) {
            violations.incrementAndGet();
        }
        Thread.yield(); // widen the window in which an overlapping holder would be seen
        if (inside.get() > capacity) {
            violations.incrementAndGet();
        }
    }

    /** The holder stops using the resource. */
    public void exit() {
        inside.decrementAndGet();
    }

    /** Runs {@code action} between {@link #enter()} and {@link #exit()}. */
    public void use(Runnable action) {
        enter();
        try {
            action.run();
        } finally {
            exit();
        }
    }

    /** How many times a holder was inside together with {@code capacity} others or more. */
    public int violations() {
        return violations.get();
    }

    /** The most holders seen inside at once. */
    public int maxInside() {
        return maxInside.get();
    }

    /** Holders inside now. */
    public int inside() {
        return inside.get();
    }

    /** Total number of entries. */
    public int entries() {
        return entries.get();
    }

    @Override
    public String toString() {
        return "ExclusiveResource{capacity="
                + capacity
                + ", entries="
                + entries
                + ", maxInside="
                + maxInside
                + ", violations="
                + violations
                + "}";
    }
}
