package dev.baton.zookeeper;

import dev.baton.LeaseKind;
import dev.baton.spi.GrantRules;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The queue rules, as pure functions over the children of one queue directory, so that the waiter
 * that decides and {@code inspect} that reports agree by construction.
 *
 * <p>Entry names: Curator's protection prefix {@code _c_<uuid>-}, then a body naming the request
 * ({@code mutex-}, {@code leader-}, {@code read-}, {@code write-}, {@code monitor-}, {@code
 * sem-<permits>-}), then ZooKeeper's 10-digit sequence. Entries are ordered by the sequence, never
 * by name. Decisions need the names only (one {@code getChildren}); the data payload (holder id,
 * kind, permits, limit) is read only by {@code inspect}.
 *
 * <p>Rules: those of every backend, {@link GrantRules} (first in line; writer preference; the
 * semaphore's prefix sum). An entry whose body is not understood has no kind: it counts as
 * exclusive and as taking every permit, so it can stall a queue, never let two holders in.
 */
final class LockQueue {
    static final int SEQUENCE_DIGITS = 10;
    private static final String PROTECTED_PREFIX = "_c_";
    private static final int PROTECTED_LENGTH = PROTECTED_PREFIX.length() + 36 + 1;

    private LockQueue() {}

    /**
     * One queue entry, parsed from its node name.
     *
     * @param node the child name
     * @param sequence ZooKeeper's sequence suffix
     * @param kind the request kind, or null if the body is not understood (treated as exclusive)
     * @param permits permits requested (1 for locks; huge for unknown entries)
     */
    record Entry(String node, long sequence, LeaseKind kind, int permits)
            implements GrantRules.Queued {}

    /** The body for a new entry; Curator adds the protection prefix and ZooKeeper the sequence. */
    static String body(LeaseKind kind, int permits) {
        return switch (kind) {
            case MUTEX -> "mutex-";
            case LEADERSHIP -> "leader-";
            case READ -> "read-";
            case WRITE -> "write-";
            case MONITOR -> "monitor-";
            case SEMAPHORE -> "sem-" + permits + "-";
        };
    }

    /**
     * Parses and sorts the children by sequence; children without a sequence suffix are ignored.
     */
    static List<Entry> parse(List<String> children) {
        List<Entry> entries = new ArrayList<>(children.size());
        for (String child : children) {
            Entry e = parseOne(child);
            if (e != null) {
                entries.add(e);
            }
        }
        entries.sort(Comparator.comparingLong(Entry::sequence).thenComparing(Entry::node));
        return entries;
    }

    static Entry parseOne(String node) {
        int n = node.length();
        if (n < SEQUENCE_DIGITS) {
            return null;
        }
        long seq = 0;
        for (int i = n - SEQUENCE_DIGITS; i < n; i++) {
            char c = node.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            seq = seq * 10 + (c - '0');
        }
        String body = node.substring(0, n - SEQUENCE_DIGITS);
        if (body.startsWith(PROTECTED_PREFIX)
                && body.length() >= PROTECTED_LENGTH
                && body.charAt(PROTECTED_LENGTH - 1) == '-') {
            body = body.substring(PROTECTED_LENGTH);
        }
        LeaseKind kind = null;
        int permits = Integer.MAX_VALUE;
        switch (body) {
            case "mutex-" -> kind = LeaseKind.MUTEX;
            case "leader-" -> kind = LeaseKind.LEADERSHIP;
            case "read-" -> kind = LeaseKind.READ;
            case "write-" -> kind = LeaseKind.WRITE;
            case "monitor-" -> kind = LeaseKind.MONITOR;
            default -> {
                if (body.startsWith("sem-") && body.endsWith("-") && body.length() > 5) {
                    try {
                        int p = Integer.parseInt(body.substring(4, body.length() - 1));
                        if (p >= 1) {
                            kind = LeaseKind.SEMAPHORE;
                            permits = p;
                        }
                    } catch (NumberFormatException ignored) {
                        // unknown: exclusive
                    }
                }
            }
        }
        if (kind != null && kind != LeaseKind.SEMAPHORE) {
            permits = 1;
        }
        return new Entry(node, seq, kind, permits);
    }

    /**
     * What one waiter should do.
     *
     * @param granted the entry holds the lock now
     * @param missing the entry is not in the queue (its session died, or it was removed by hand)
     * @param watch the child to watch before checking again; null with {@code !granted && !missing}
     *     means "watch the directory's children" (semaphores)
     */
    record Verdict(boolean granted, boolean missing, String watch) {
        static final Verdict GRANTED = new Verdict(true, false, null);
        static final Verdict MISSING = new Verdict(false, true, null);
        static final Verdict WATCH_CHILDREN = new Verdict(false, false, null);

        static Verdict watch(String node) {
            return new Verdict(false, false, node);
        }
    }

    /** The position of the entry {@code own} in {@code entries}, or -1 if it is not there. */
    static int indexOf(List<Entry> entries, String own) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).node().equals(own)) {
                return i;
            }
        }
        return -1;
    }

    /** Decides for the entry {@code own}; {@code limit} is the semaphore size (else unused). */
    static Verdict decide(List<Entry> sorted, String own, int limit) {
        int index = indexOf(sorted, own);
        if (index < 0) {
            return Verdict.MISSING;
        }
        if (GrantRules.granted(sorted, index, limit)) {
            return Verdict.GRANTED;
        }
        // Watch only the entry whose leaving may grant this one (no herd); semaphore waiters, whom
        // any earlier release may grant, watch the directory.
        int blocker = GrantRules.blocker(sorted, index);
        return blocker < 0 ? Verdict.WATCH_CHILDREN : Verdict.watch(sorted.get(blocker).node());
    }

    /**
     * The data stored in an entry: who asked, for what. A few {@code key=value} lines, readable
     * with {@code zkCli get}.
     */
    record Payload(String clientId, LeaseKind kind, int permits, int limit) {
        byte[] encode() {
            return ("client="
                            + clientId
                            + "\nkind="
                            + kind
                            + "\npermits="
                            + permits
                            + "\nlimit="
                            + limit
                            + "\n")
                    .getBytes(StandardCharsets.UTF_8);
        }

        /** Parses a payload; missing or unreadable fields come back as null or -1. */
        static Payload decode(byte[] data) {
            String client = null;
            LeaseKind kind = null;
            int permits = -1;
            int limit = -1;
            if (data != null) {
                for (String line : new String(data, StandardCharsets.UTF_8).split("\n")) {
                    int eq = line.indexOf('=');
                    if (eq <= 0) {
                        continue;
                    }
                    String k = line.substring(0, eq);
                    String v = line.substring(eq + 1);
                    try {
                        switch (k) {
                            case "client" -> client = v;
                            case "kind" -> kind = LeaseKind.valueOf(v);
                            case "permits" -> permits = Integer.parseInt(v);
                            case "limit" -> limit = Integer.parseInt(v);
                            default -> {
                                // newer field: ignore
                            }
                        }
                    } catch (IllegalArgumentException ignored) {
                        // leave the field unknown
                    }
                }
            }
            return new Payload(client, kind, permits, limit);
        }
    }
}
