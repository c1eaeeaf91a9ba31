package dev.baton.spi;

import dev.baton.LeaseKind;
import java.util.List;

/**
 * Who holds a name, as pure functions over its queue in arrival order. <b>Internal.</b> Every
 * backend grants by these rules: the in-memory and ZooKeeper backends call them, and Redis's Lua
 * scripts, which cannot, are checked against them case by case in the contract suite. So "granted"
 * means the same on every engine, and the backend that decides and the {@code inspect} that reports
 * agree by construction.
 *
 * <p>A queue holds one family: MUTEX entries, LEADERSHIP entries, READ and WRITE entries of one
 * read-write lock, or SEMAPHORE entries of one size ({@code limit}). The rules:
 *
 * <ul>
 *   <li>MUTEX, LEADERSHIP, WRITE: granted to the first entry in line.
 *   <li>READ: granted when no WRITE precedes it, so a reader arriving after a waiting writer queues
 *       behind it (writer preference: a stream of readers cannot starve a writer).
 *   <li>SEMAPHORE: strict FIFO; granted when the permits of the entries up to and including it fit
 *       the limit (a large request at the head blocks later small ones, so it cannot starve).
 *   <li>An entry a backend does not understand ({@code kind() == null}) counts as exclusive and as
 *       taking every permit: it can stall a queue, never let two holders in.
 * </ul>
 *
 * <p>Under every rule the granted entries form a prefix of the queue ({@link #grantedCount}).
 */
public final class GrantRules {
    private GrantRules() {}

    /** A queue entry as the rules see it. */
    public interface Queued {
        /**
         * The request's kind.
         *
         * @return the kind, or null if the backend could not understand the entry (it is then
         *     treated as exclusive, the safe reading)
         */
        LeaseKind kind();

        /**
         * Permits requested.
         *
         * @return 1 except for semaphores
         */
        int permits();
    }

    /**
     * Whether the entry at {@code index} holds the name, given the entries before it.
     *
     * @param queue the name's entries in arrival order
     * @param index the entry in question
     * @param limit the semaphore's permits (1 for other kinds)
     * @return true if the entry holds the name
     */
    public static boolean granted(List<? extends Queued> queue, int index, int limit) {
        Queued entry = queue.get(index);
        if (exclusive(entry)) {
            return index == 0;
        }
        if (entry.kind() == LeaseKind.READ) {
            return blocker(queue, index) < 0;
        }
        long sum = 0;
        for (int i = 0; i <= index; i++) {
            sum += permitsOf(queue.get(i));
            if (sum > limit) {
                return false;
            }
        }
        return true;
    }

    /**
     * How many entries, from the head, hold the name (the rest wait). One pass, the same rules as
     * {@link #granted}: an exclusive entry holds only at the head and stops the prefix; readers
     * hold until the first exclusive entry; semaphore entries hold while the running sum fits.
     *
     * @param queue the name's entries in arrival order
     * @param limit the semaphore's permits (1 for other kinds)
     * @return the length of the granted prefix
     */
    public static int grantedCount(List<? extends Queued> queue, int limit) {
        long sum = 0;
        for (int i = 0; i < queue.size(); i++) {
            Queued entry = queue.get(i);
            if (exclusive(entry)) {
                return i == 0 ? 1 : i;
            }
            if (entry.kind() != LeaseKind.READ) {
                sum += permitsOf(entry);
                if (sum > limit) {
                    return i;
                }
            }
        }
        return queue.size();
    }

    /**
     * The nearest earlier entry whose leaving may grant the waiting entry at {@code index} (its
     * predecessor for an exclusive entry, the nearest earlier writer for a reader), so a waiter
     * watches that one alone and a release wakes no herd; -1 if there is none, or if any earlier
     * entry's leaving may (semaphores).
     *
     * @param queue the name's entries in arrival order
     * @param index the waiting entry
     * @return the index of the entry to watch, or -1
     */
    public static int blocker(List<? extends Queued> queue, int index) {
        Queued entry = queue.get(index);
        if (exclusive(entry)) {
            return index - 1;
        }
        if (entry.kind() == LeaseKind.READ) {
            for (int i = index - 1; i >= 0; i--) {
                if (exclusive(queue.get(i))) {
                    return i;
                }
            }
        }
        return -1;
    }

    /**
     * Whether the entry excludes every other holder: MUTEX, LEADERSHIP, WRITE, MONITOR, or unknown.
     *
     * @param entry a queue entry
     * @return true if it may hold the name only alone
     */
    public static boolean exclusive(Queued entry) {
        LeaseKind kind = entry.kind();
        return kind == null
                || kind == LeaseKind.MUTEX
                || kind == LeaseKind.LEADERSHIP
                || kind == LeaseKind.WRITE
                || kind == LeaseKind.MONITOR;
    }

    private static long permitsOf(Queued entry) {
        return entry.kind() == null ? Integer.MAX_VALUE : entry.permits();
    }
}
