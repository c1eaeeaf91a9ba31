package dev.baton.spring;

import dev.baton.FencedLease;
import java.util.Optional;

/**
 * The lease of the {@link Locked} or {@link LeaderOnly} section running on the current thread: what
 * a method reads to pass its fencing token to the resource it writes.
 */
public final class BatonLocks {
    private BatonLocks() {}

    /** The lease of the innermost section on this thread; empty outside any. */
    public static Optional<FencedLease> current() {
        return Optional.ofNullable(Sections.innermost()).map(Section::lease);
    }

    /** The lease held on this thread for {@code name}; empty if none. */
    public static Optional<FencedLease> current(String name) {
        return Optional.ofNullable(Sections.find(name)).map(Section::lease);
    }
}
