package dev.baton.zookeeper;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * The wait queue of one monitor condition, as pure functions over the children of its directory
 * ({@link Layout#condition}), so that the signaller that picks a waiter and the tests that look at
 * the queue agree by construction.
 *
 * <p>Waiters are ephemeral-sequential nodes named {@code w-<marker>-} plus ZooKeeper's 10-digit
 * sequence. The marker is a random UUID chosen by the await before it sends its multi, so that a
 * waiter whose multi lost its answer can still be found and deleted. Waiters are ordered by the
 * sequence, never by name. The directory is a container: the sequence restarts only after the queue
 * was empty, so the order among live waiters holds. The data names the client ({@code
 * client=<id>}), readable with {@code zkCli get}.
 */
final class ConditionQueue {
    private static final String PREFIX = "w-";

    private ConditionQueue() {}

    /** A fresh marker for one await. */
    static String newMarker() {
        return UUID.randomUUID().toString();
    }

    /** The name to create (ZooKeeper appends the sequence). */
    static String body(String marker) {
        return PREFIX + marker + "-";
    }

    /** Whether {@code child} is the waiter made with {@code marker}. */
    static boolean madeWith(String child, String marker) {
        return child.startsWith(body(marker)) && sequence(child) >= 0;
    }

    static byte[] payload(String clientId) {
        return ("client=" + clientId + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The waiters among {@code children}, oldest first; other children are ignored. */
    static List<String> sorted(List<String> children) {
        List<String> waiters = new ArrayList<>(children.size());
        for (String child : children) {
            if (child.startsWith(PREFIX) && sequence(child) >= 0) {
                waiters.add(child);
            }
        }
        waiters.sort(
                Comparator.comparingLong(ConditionQueue::sequence)
                        .thenComparing(Comparator.naturalOrder()));
        return waiters;
    }

    /** ZooKeeper's sequence suffix of {@code child}, or -1 if it has none. */
    static long sequence(String child) {
        int n = child.length();
        if (n < LockQueue.SEQUENCE_DIGITS) {
            return -1;
        }
        long seq = 0;
        for (int i = n - LockQueue.SEQUENCE_DIGITS; i < n; i++) {
            char c = child.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            seq = seq * 10 + (c - '0');
        }
        return seq;
    }
}
