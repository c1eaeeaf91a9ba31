package dev.baton.spring;

import dev.baton.FencedLease;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open sections of each lease, and one loss callback per lease that interrupts them: a
 * leadership lease runs thousands of {@code @LeaderOnly} sections in one term, and a callback per
 * section on its {@code lost()} future would be kept until the term ends.
 *
 * <p>Invariants: a lease's watch is created once ({@code putIfAbsent}) and its callback registered
 * once, outside the map's lock (a lease already lost runs it at once); the callback removes the
 * watch and interrupts the sections open then. A section entered after that sees the lease lost
 * itself ({@link Sections#run} checks it after entering). A watch is forgotten when its lease ends
 * otherwise (released by its section, or the leadership term over).
 */
final class LossWatch {
    private static final Map<FencedLease, LossWatch> WATCHES = new ConcurrentHashMap<>();

    private final FencedLease lease;
    private final Set<Section> open = ConcurrentHashMap.newKeySet();

    private LossWatch(FencedLease lease) {
        this.lease = lease;
    }

    static void enter(Section section) {
        FencedLease lease = section.lease();
        LossWatch watch = WATCHES.get(lease);
        if (watch == null) {
            LossWatch fresh = new LossWatch(lease);
            watch = WATCHES.putIfAbsent(lease, fresh);
            if (watch == null) {
                watch = fresh;
                lease.lost().thenRun(fresh::fire);
            }
        }
        watch.open.add(section);
    }

    static void exit(Section section) {
        LossWatch watch = WATCHES.get(section.lease());
        if (watch != null) {
            watch.open.remove(section);
        }
    }

    /** The sections open under {@code lease} now. */
    static List<Section> open(FencedLease lease) {
        LossWatch watch = WATCHES.get(lease);
        return watch == null ? List.of() : List.copyOf(watch.open);
    }

    /** The lease ended without a loss: drop its watch. */
    static void forget(FencedLease lease) {
        WATCHES.remove(lease);
    }

    private void fire() {
        WATCHES.remove(lease, this);
        open.forEach(Section::lost);
    }

    /** For tests: how many leases are watched. */
    static int watched() {
        return WATCHES.size();
    }
}
